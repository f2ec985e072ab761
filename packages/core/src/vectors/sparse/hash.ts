/**
 * Fast 32-bit hashing of UTF-16 code-unit ranges, used to key n-gram features without allocating substrings.
 * FNV-1a over code units (streamable one unit at a time, so an n-gram can be hashed while it is scanned) followed by
 * murmur3's fmix32 finaliser, which spreads FNV's weak low bits so `key & mask` buckets well.
 */
export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Feed one UTF-16 code unit into a running FNV-1a state. */
export function fnvStep(h: number, unit: number): number {
  return Math.imul(h ^ unit, FNV_PRIME);
}

/** murmur3 fmix32: full avalanche of a 32-bit state. Returns an unsigned 32-bit integer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of `text.slice(start, end)` started from `seed` (finalised). */
export function hashRange(text: string, start: number, end: number, seed: number = FNV_OFFSET): number {
  let h = seed;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return fmix32(h);
}

/** Finalised hash of a whole string (the key a feature string gets in a hashed vocabulary). */
export function hashFeatureString(text: string, seed: number = FNV_OFFSET): number {
  return hashRange(text, 0, text.length, seed);
}
