/**
 * Early stopping on a validation split: score a candidate (weights, bias) after each round/iteration, keep a copy of
 * the best one, and say 'stop' after `patience` rounds without improvement.
 * Score: accuracy for one label per text; micro-F1 at score > 0 for multi-label.
 */
import type { ValidationSplit } from './types.js';

export class EarlyStopper {
  bestScore = -Infinity;
  bestRound = 0;
  bestWeights: Float64Array | undefined;
  bestBias: Float64Array | undefined;
  history: number[] = [];
  private sinceBest = 0;

  constructor(
    private readonly split: ValidationSplit,
    private readonly K: number,
  ) {}

  check(round: number, weights: Float64Array, bias: Float64Array): 'stop' | 'continue' {
    const score = validationScore(this.split, this.K, weights, bias);
    this.history.push(score);
    if (score > this.bestScore) {
      this.bestScore = score;
      this.bestRound = round;
      this.bestWeights = Float64Array.from(weights);
      this.bestBias = Float64Array.from(bias);
      this.sinceBest = 0;
      return 'continue';
    }
    this.sinceBest++;
    return this.sinceBest >= this.split.patience ? 'stop' : 'continue';
  }
}

export function validationScore(split: ValidationSplit, K: number, weights: ArrayLike<number>, bias: ArrayLike<number>): number {
  const { X, target } = split;
  const z = new Float64Array(K);
  let hit = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < X.rows; i++) {
    for (let k = 0; k < K; k++) z[k] = bias[k]!;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) {
      const v = X.data[p]!;
      const base = X.indices[p]! * K;
      for (let k = 0; k < K; k++) z[k] += v * weights[base + k]!;
    }
    if (target.kind === 'single') {
      let best = 0;
      for (let k = 1; k < K; k++) if (z[k]! > z[best]!) best = k;
      if (best === target.y[i]) hit++;
    } else {
      for (let k = 0; k < K; k++) {
        const pred = z[k]! > 0;
        const gold = target.Y[i * K + k] === 1;
        if (pred && gold) tp++;
        else if (pred) fp++;
        else if (gold) fn++;
      }
    }
  }
  if (target.kind === 'single') return X.rows === 0 ? 0 : hit / X.rows;
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}
