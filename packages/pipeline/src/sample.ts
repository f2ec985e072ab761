import { createRng, hashString32, sampleWithoutReplacement } from '@taxonomist/core';

/**
 * A seeded random sample of n records, returned in corpus order (so output files read like the input).
 * The stream is derived from the seed and a purpose tag, so the label sample does not move when, say, the
 * induction sample size changes.
 */
export function sampleInOrder<T>(records: readonly T[], n: number, seed: number, purpose: string): T[] {
  if (n >= records.length) return [...records];
  const rng = createRng((seed ^ hashString32(purpose)) >>> 0);
  const picked = sampleWithoutReplacement(
    records.map((_, i) => i),
    n,
    rng,
  );
  return picked.sort((a, b) => a - b).map((i) => records[i]!);
}

/** Seeded split into (train, holdout) by a fraction, both in input order. */
export function splitInOrder<T>(records: readonly T[], holdoutFraction: number, seed: number): { train: T[]; holdout: T[] } {
  const nHold = Math.round(records.length * holdoutFraction);
  if (nHold === 0) return { train: [...records], holdout: [] };
  const rng = createRng((seed ^ hashString32('holdout')) >>> 0);
  const held = new Set(sampleWithoutReplacement(records.map((_, i) => i), nHold, rng));
  const train: T[] = [];
  const holdout: T[] = [];
  records.forEach((r, i) => (held.has(i) ? holdout : train).push(r));
  return { train, holdout };
}
