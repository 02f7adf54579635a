// The embedder EMBEDDINGS asks for (src/config.ts), or null when the path is off.
import type { EmbeddingsConfig } from '../../config.ts';
import type { Embedder } from './embedder.ts';
import { hashingEmbedder } from './hashing.ts';
import { transformersEmbedder } from './transformers.ts';

export async function loadEmbedder(config: EmbeddingsConfig): Promise<Embedder | null> {
  switch (config.embedder) {
    case 'off':
      return null;
    case 'hashing':
      return hashingEmbedder();
    case 'model':
      return transformersEmbedder(config.modelDir);
    default: {
      const unreachable: never = config;
      throw new Error(`unexpected embedder ${JSON.stringify(unreachable)}`);
    }
  }
}
