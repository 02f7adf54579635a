// Seeded randomness for the demo catalog. Every draw the generator makes comes from an `Rng`
// derived from (seed, label, index), never from Math.random: that is what makes the same seed
// and the same day give the same rows, and what lets paper texts and votes be produced lazily,
// batch by batch, without their values depending on the batch size or on the order of work.

import { fmix32, FNV_OFFSET, fnvStep } from '../../platform/hash.ts';

/** Mixes the parts into 32 bits (FNV-1a over their text, then a murmur3 finaliser). */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let h = FNV_OFFSET;
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) h = fnvStep(h, text.charCodeAt(i));
    h = fnvStep(h, 0x1f); // separator: ("ab", "c") differs from ("a", "bc")
  }
  return fmix32(h);
}

/** sfc32: small, fast, 128 bits of state, passes PractRand; plenty for synthetic data. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 spreads one 32-bit seed over the four words.
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** An independent stream named by `parts` under `seed`. */
  static derive(seed: number, ...parts: readonly (string | number)[]): Rng {
    return new Rng(hashSeed(seed, ...parts));
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick: expected a non-empty list; got an empty one');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Index drawn with probability proportional to its weight. */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/**
 * Draws indexes 0..n-1 with fixed weights in O(log n) per draw (cumulative sums + binary
 * search): the Zipf-like popularity of authors, voters, submitters and topics.
 */
export class WeightedSampler {
  private readonly cumulative: Float64Array;

  constructor(weights: ArrayLike<number>) {
    if (weights.length === 0) throw new RangeError('WeightedSampler: expected at least one weight; got none');
    this.cumulative = new Float64Array(weights.length);
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      total += weights[i]!;
      this.cumulative[i] = total;
    }
    if (!(total > 0)) throw new RangeError(`WeightedSampler: expected a positive total weight; got ${total}`);
  }

  get size(): number {
    return this.cumulative.length;
  }

  /** The weight of index i, as a fraction of the total. */
  share(i: number): number {
    const c = this.cumulative;
    return (c[i]! - (i > 0 ? c[i - 1]! : 0)) / c[c.length - 1]!;
  }

  sample(rng: Rng): number {
    const c = this.cumulative;
    const r = rng.next() * c[c.length - 1]!;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * `count` distinct indexes, each draw weighted like `sample`. Rejection while the pick is a
   * small part of the population; Efraimidis-Spirakis keys (one pass over all weights) when it
   * is not, where rejection would spin on the heavy head.
   */
  sampleDistinct(rng: Rng, count: number): number[] {
    const n = this.size;
    if (count > n) throw new RangeError(`sampleDistinct: cannot draw ${count} distinct of ${n}`);
    if (count * 8 <= n) {
      const chosen = new Set<number>();
      for (let attempts = 0; chosen.size < count && attempts < count * 50; attempts++) chosen.add(this.sample(rng));
      if (chosen.size === count) return [...chosen];
    }
    const keys: { index: number; key: number }[] = [];
    for (let i = 0; i < n; i++) {
      const w = this.share(i);
      // log(u) / w orders like u^(1/w) without underflow; weight 0 never wins.
      keys.push({ index: i, key: w > 0 ? Math.log(1 - rng.next()) / w : -Infinity });
    }
    keys.sort((x, y) => y.key - x.key || x.index - y.index);
    return keys.slice(0, count).map((k) => k.index);
  }
}

/** Zipf-Mandelbrot weights 1 / (rank + offset)^exponent for ranks 1..n. */
export function zipfWeights(n: number, exponent: number, offset: number): Float64Array {
  const weights = new Float64Array(n);
  for (let rank = 1; rank <= n; rank++) weights[rank - 1] = 1 / Math.pow(rank + offset, exponent);
  return weights;
}

/** The weights of `zipfWeights`, handed to the items in a random order (the head is not item 0). */
export function shuffledZipf(rng: Rng, n: number, exponent: number, offset: number): Float64Array {
  const ranked = zipfWeights(n, exponent, offset);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) weights[order[i]!] = ranked[i]!;
  return weights;
}
