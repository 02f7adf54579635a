// Small non-cryptographic hashes for seeded randomness and feature hashing: FNV-1a over text,
// then murmur3's 32-bit finaliser, which spreads FNV's weak low bits over the whole word.

/** FNV-1a's offset basis, the state before any text. */
export const FNV_OFFSET = 0x811c9dc5;

/** One step of FNV-1a: the state after `code` (a UTF-16 code unit). */
export function fnvStep(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193);
}

/** murmur3's fmix32: the final avalanche, as an unsigned 32-bit number. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
