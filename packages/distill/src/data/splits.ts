/** Seeded stratified splits: every class is spread evenly over folds / between train and validation. */
import type { Rng } from '@taxonomist/core';

/** Fold number (0..folds-1) of each example, stratified by `y`. */
export function stratifiedFolds(y: Int32Array, K: number, folds: number, rng: Rng): Int32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds must be an integer >= 2, got ${folds}`);
  if (y.length < folds) throw new RangeError(`cannot make ${folds} folds from ${y.length} examples`);
  const byClass: number[][] = Array.from({ length: K }, () => []);
  y.forEach((k, i) => byClass[k]!.push(i));
  const foldOf = new Int32Array(y.length);
  // Continue the round-robin across classes so fold sizes stay within one of each other.
  let next = 0;
  for (const members of byClass) {
    for (let i = members.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = members[i]!;
      members[i] = members[j]!;
      members[j] = t;
    }
    for (const i of members) {
      foldOf[i] = next;
      next = (next + 1) % folds;
    }
  }
  return foldOf;
}

/** Indices of the rows in / out of fold `f`, ascending. */
export function foldRows(foldOf: Int32Array, f: number): { train: Int32Array; test: Int32Array } {
  const train: number[] = [];
  const test: number[] = [];
  foldOf.forEach((g, i) => (g === f ? test : train).push(i));
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/** Stratified train/validation split holding out about `fraction` of each class (at least one example of classes with 2+). */
export function stratifiedHoldout(y: Int32Array, K: number, fraction: number, rng: Rng): { train: Int32Array; validation: Int32Array } {
  const byClass: number[][] = Array.from({ length: K }, () => []);
  y.forEach((k, i) => byClass[k]!.push(i));
  const isVal = new Uint8Array(y.length);
  for (const members of byClass) {
    for (let i = members.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = members[i]!;
      members[i] = members[j]!;
      members[j] = t;
    }
    const take = members.length >= 2 ? Math.max(1, Math.round(members.length * fraction)) : 0;
    for (let i = 0; i < take; i++) isVal[members[i]!] = 1;
  }
  const train: number[] = [];
  const validation: number[] = [];
  isVal.forEach((v, i) => (v ? validation : train).push(i));
  return { train: Int32Array.from(train), validation: Int32Array.from(validation) };
}
