// What the embedding path needs of a model: a name, a fixed dimension, and texts in, vectors out.
// Two implementations: the built-in feature-hashing embedder (./hashing.ts, no files) and a
// deployer-supplied transformers.js model folder (./transformers.ts). Which one runs is
// EMBEDDINGS (src/config.ts); ./load.ts builds it.
import { createHash } from 'node:crypto';

export interface Embedder {
  /**
   * Names the vector space, version included: vectors are compared only with vectors of the
   * same model (PaperEmbedding.model), so a change to what the embedder computes must change it.
   */
  readonly model: string;
  readonly dimensions: number;
  /** One vector of `dimensions` per text, in order, L2-normalised (a zero vector for a text with no features). */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Frees what the model holds (sessions, threads); optional. */
  close?(): Promise<void>;
}

/**
 * The text of a paper that is embedded: its title, a blank line, its abstract, as stored.
 * DANGER: PAPER_TEXT_HASH_SQL computes the hash of the same text in SQL; change both together.
 */
export function paperText(paper: { title: string; abstract: string | null }): string {
  return `${paper.title}\n\n${paper.abstract ?? ''}`;
}

/** PaperEmbedding.contentHash: SHA-256 (hex) of the text embedded. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SQL: `contentHash(paperText(p))` of the paper under alias `p`, computed by PostgreSQL (11+). */
export const PAPER_TEXT_HASH_SQL = `encode(sha256(convert_to(p.title || E'\\n\\n' || coalesce(p.abstract, ''), 'UTF8')), 'hex')`;

/** Scales `v` to length 1 in place (a zero vector stays zero) and returns it. */
export function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  if (sum > 0) {
    const scale = 1 / Math.sqrt(sum);
    for (let i = 0; i < v.length; i++) v[i]! *= scale;
  }
  return v;
}
