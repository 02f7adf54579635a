// The built-in embedder: feature hashing ("the hashing trick", Weinberger et al. 2009) of a
// text's words and word pairs into a fixed number of dimensions. No model files, no training,
// deterministic across machines and Node versions, so the pgvector path runs (and is tested)
// anywhere. It knows no synonyms: two papers are close when they use the same words, as with
// the term vectors, but word pairs ("language model", "latent diffusion") add some phrase sense.
//
// A feature's dimension and sign come from a 32-bit hash of it; the signs make collisions
// cancel out on average, so inner products estimate those of the unhashed vectors. Weights are
// sublinear counts (1 + ln tf); the vector is L2-normalised. Without corpus statistics there is
// no idf: stop words, the boilerplate of abstracts among them, are left out instead.
//
// DANGER: changing anything here (tokens, stemming, stop words, weights, hash) changes the
// vectors: bump HASHING_MODEL so that stored ones are recomputed instead of compared with new ones.
import { fmix32, FNV_OFFSET, fnvStep } from '../hash.ts';
import { normalise, type Embedder } from './embedder.ts';

export const HASHING_MODEL = 'catalog-hashing-v1';
export const HASHING_DIMENSIONS = 512;
/** Weight of a pair of adjacent words against a single word. */
const PAIR_WEIGHT = 0.5;

// English function words, and words every abstract uses whatever its subject (in this catalog
// of machine-learning papers, "model" and "task" among them).
const STOP_WORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before being below between both but by
  can could did do does doing down during each few for from further had has have having he her here hers him his how i if in
  into is it its itself just me more most my no nor not now of off on once only or other our ours out over own same she should
  so some such than that the their theirs them then there these they this those through to too under until up very was we
  were what when where which while who whom why will with would you your yours via thus however therefore moreover furthermore
  paper papers propose proposed proposes present presents presented show shows shown demonstrate demonstrates introduce
  introduces approach approaches method methods result results novel new existing work works use used uses using based
  achieve achieves achieved state art outperform outperforms extensive experiments experiment significantly well
  first second one two three may many much can cannot e g et al model models large task tasks performance need needs`.split(/\s+/),
);

/** Lower case, accents off, split on anything that is not a letter or digit; stop words and 1-letter tokens out. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const token of text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (token.length < 2 || token.length > 40 || STOP_WORDS.has(token) || !/^\p{L}/u.test(token)) continue;
    out.push(stem(token));
  }
  return out;
}

/**
 * A light suffix stripper (plurals, -ing and -ed forms, then a final e; Harman's S-stemmer plus
 * three rules), so that "models"/"model", "training"/"trained"/"train" and
 * "denoises"/"denoising" meet. Papers and queries go through the same one, which is all that
 * matters for similarity.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies') && !/[ae]ies$/.test(w)) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && /(ss|x|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(us|ss|is)$/.test(w)) w = w.slice(0, -1);
  else if (w.length > 6 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 5 && w.endsWith('ed') && !w.endsWith('eed')) w = w.slice(0, -2);
  return w.length > 4 && w.endsWith('e') && !w.endsWith('ee') ? w.slice(0, -1) : w;
}

/** 32-bit FNV-1a over the UTF-16 code units, then murmur3's finaliser for the low bits' sake. */
export function hash32(feature: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < feature.length; i++) h = fnvStep(h, feature.charCodeAt(i));
  return fmix32(h);
}

/** The features of a text with their weights: words, and adjacent pairs at PAIR_WEIGHT. */
export function features(text: string): Map<string, number> {
  const occurrences = new Map<string, number>();
  const list = words(text);
  list.forEach((word, i) => {
    occurrences.set(word, (occurrences.get(word) ?? 0) + 1);
    if (i > 0) {
      const pair = `${list[i - 1]} ${word}`;
      occurrences.set(pair, (occurrences.get(pair) ?? 0) + 1);
    }
  });
  const weights = new Map<string, number>();
  for (const [feature, n] of occurrences) weights.set(feature, (feature.includes(' ') ? PAIR_WEIGHT : 1) * (1 + Math.log(n)));
  return weights;
}

export function hashText(text: string, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  for (const [feature, weight] of features(text)) {
    const h = hash32(feature);
    // Low bits pick the dimension, the top bit the sign.
    v[h % dimensions]! += h & 0x80000000 ? -weight : weight;
  }
  return normalise(v);
}

export function hashingEmbedder(dimensions = HASHING_DIMENSIONS): Embedder {
  if (!Number.isSafeInteger(dimensions) || dimensions < 2 || dimensions > 16_000) throw new RangeError(`dimensions must be from 2 to 16000; got ${dimensions}`);
  return {
    model: dimensions === HASHING_DIMENSIONS ? HASHING_MODEL : `${HASHING_MODEL}-${dimensions}`,
    dimensions,
    embed: async (texts) => texts.map((text) => hashText(text, dimensions)),
  };
}
