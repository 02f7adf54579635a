// The production embedder: a transformers.js (ONNX) sentence-embedding model that the deployer
// puts in EMBEDDINGS_MODEL_DIR (e.g. an export of all-MiniLM-L6-v2: config.json, tokenizer files,
// onnx/model.onnx). Remote models are switched off before the model loads: nothing is
// downloaded at run time, ever; a folder that lacks a file fails at start-up.
//
// @huggingface/transformers is NOT a dependency of this project, and is loaded with a dynamic
// import only when EMBEDDINGS=model: it pulls in onnxruntime-node, whose install step fetches
// the CUDA binaries from outside the npm registry, plus sharp and onnxruntime-web (hundreds of
// MB), for a path most deployments leave off. Where the model runs, install it beside the app
// (TRANSFORMERS_INSTALL below); everywhere else `npm ci` stays registry-only and small.
import fs from 'node:fs';
import path from 'node:path';
import { contentHash, normalise, type Embedder } from './embedder.ts';

export const TRANSFORMERS_PACKAGE = '@huggingface/transformers';
/** The version this module was written against (pipeline('feature-extraction'), env flags). */
export const TRANSFORMERS_INSTALL = `npm install --no-save ${TRANSFORMERS_PACKAGE}@4.3.2`;

/** A start-up failure of the embedder, with a message that says what to do. */
export class EmbedderLoadError extends Error {
  override name = 'EmbedderLoadError';
}

// The little of the library used here, typed by hand: the package is not installed at build time.
interface Tensor {
  dims: number[];
  data: ArrayLike<number>;
}
interface FeatureExtractor {
  (texts: string[], options: { pooling: 'mean'; normalize: boolean }): Promise<Tensor>;
  dispose?(): Promise<void>;
}
interface TransformersLibrary {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string };
  pipeline(task: 'feature-extraction', model: string, options: { local_files_only: boolean }): Promise<FeatureExtractor>;
}

/** Texts per forward pass: bounds the memory of one batch of the refresh. */
const MAX_BATCH = 32;

async function importLibrary(): Promise<TransformersLibrary> {
  try {
    // A variable specifier: neither tsc nor a bundler goes looking for the package.
    const specifier: string = TRANSFORMERS_PACKAGE;
    return (await import(specifier)) as TransformersLibrary;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new EmbedderLoadError(
        `EMBEDDINGS_MODEL_DIR is set but ${TRANSFORMERS_PACKAGE} is not installed (it is an optional add-on, not a dependency): ` +
          `run \`${TRANSFORMERS_INSTALL}\` in the app's folder, or unset EMBEDDINGS_MODEL_DIR to use term weights only.`,
      );
    }
    throw new EmbedderLoadError(`${TRANSFORMERS_PACKAGE} failed to load: ${(error as Error).message}`, { cause: error });
  }
}

export async function transformersEmbedder(modelDir: string): Promise<Embedder> {
  const dir = path.resolve(modelDir);
  const configFile = path.join(dir, 'config.json');
  if (!fs.existsSync(configFile)) {
    throw new EmbedderLoadError(`EMBEDDINGS_MODEL_DIR=${dir} is not a transformers.js model folder: it has no config.json`);
  }
  const library = await importLibrary();
  library.env.allowRemoteModels = false;
  library.env.allowLocalModels = true;
  library.env.localModelPath = `${path.dirname(dir)}${path.sep}`;
  let extractor: FeatureExtractor;
  try {
    extractor = await library.pipeline('feature-extraction', path.basename(dir), { local_files_only: true });
  } catch (error) {
    throw new EmbedderLoadError(`The model in EMBEDDINGS_MODEL_DIR=${dir} failed to load: ${(error as Error).message}`, { cause: error });
  }
  const run = async (texts: readonly string[]): Promise<Float32Array[]> => {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += MAX_BATCH) {
      const tensor = await extractor(texts.slice(i, i + MAX_BATCH), { pooling: 'mean', normalize: true });
      const [rows, width] = tensor.dims as [number, number];
      for (let r = 0; r < rows; r++) out.push(normalise(Float32Array.from({ length: width }, (_, c) => tensor.data[r * width + c]!)));
    }
    return out;
  };
  // The dimension is the model's: asked of the model itself rather than guessed from config.json.
  const [probe] = await run(['dimension probe']);
  // The folder's name and its config's hash: new files under the same name are another model.
  const model = `transformers:${path.basename(dir)}:${contentHash(fs.readFileSync(configFile, 'utf8')).slice(0, 12)}`;
  return {
    model,
    dimensions: probe!.length,
    embed: run,
    close: async () => extractor.dispose?.(),
  };
}
