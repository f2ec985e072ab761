/**
 * L2-regularised logistic regression on sparse rows, minimised with L-BFGS:
 *   softmax (multinomial, one label per text):  C * sum_i s_i * (logsumexp(z_i) - z_i[y_i]) + 1/2 |W|^2
 *   sigmoid (one-vs-rest, multi-label):         C * sum_i sum_k s_ik * log(1 + exp(-t_ik z_ik)) + 1/2 |W|^2
 * with z_i = x_i W + b, t_ik = +1 if label k applies to i else -1, and s the class-weight of the example (the bias
 * is not regularised, as in scikit-learn). Parameters are laid out [W row per feature (F*K) | b (K)].
 */
import type { CsrMatrix } from '@taxonomist/core';
import { minimizeLbfgs, type ObjectiveFn } from '../optim/lbfgs.js';

export type LogisticTarget =
  | { kind: 'single'; y: Int32Array }
  /** n x K 0/1 matrix, row-major. */
  | { kind: 'multi'; Y: Uint8Array };

export interface LogisticObjectiveOptions {
  C: number;
  /** Single-label: weight per class applied to examples of that class. Multi-label: weight of positives per class. */
  classWeights?: Float64Array;
  /** Multi-label only: weight of negatives per class. */
  negativeWeights?: Float64Array;
}

export function logisticObjective(X: CsrMatrix, target: LogisticTarget, K: number, opts: LogisticObjectiveOptions): ObjectiveFn {
  const F = X.cols;
  const n = X.rows;
  const { indptr, indices, data } = X;
  const C = opts.C;
  const cw = opts.classWeights;
  const nw = opts.negativeWeights;
  const z = new Float64Array(K);
  return (x: Float64Array, g: Float64Array): number => {
    g.fill(0);
    const bOff = F * K;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) z[k] = x[bOff + k]!;
      const a = indptr[i]!;
      const b = indptr[i + 1]!;
      for (let p = a; p < b; p++) {
        const v = data[p]!;
        const base = indices[p]! * K;
        for (let k = 0; k < K; k++) z[k] += v * x[base + k]!;
      }
      // z becomes the residual r = dLoss/dz (times C and the example's weight).
      if (target.kind === 'single') {
        const yi = target.y[i]!;
        const s = C * (cw ? cw[yi]! : 1);
        let m = -Infinity;
        for (let k = 0; k < K; k++) if (z[k]! > m) m = z[k]!;
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp(z[k]! - m);
        const lse = m + Math.log(sum);
        loss += s * (lse - z[yi]!);
        for (let k = 0; k < K; k++) z[k] = s * Math.exp(z[k]! - lse);
        z[yi] -= s;
      } else {
        const row = i * K;
        for (let k = 0; k < K; k++) {
          const pos = target.Y[row + k] === 1;
          const s = C * (pos ? (cw ? cw[k]! : 1) : nw ? nw[k]! : 1);
          const t = pos ? 1 : -1;
          const m = -t * z[k]!;
          // softplus(m) = log(1 + e^m), computed stably.
          loss += s * (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)));
          const sig = 1 / (1 + Math.exp(-z[k]!));
          z[k] = s * (sig - (pos ? 1 : 0));
        }
      }
      for (let k = 0; k < K; k++) g[bOff + k] += z[k]!;
      for (let p = a; p < b; p++) {
        const v = data[p]!;
        const base = indices[p]! * K;
        for (let k = 0; k < K; k++) g[base + k] += v * z[k]!;
      }
    }
    let reg = 0;
    for (let j = 0; j < bOff; j++) {
      const w = x[j]!;
      reg += w * w;
      g[j] += w;
    }
    return loss + 0.5 * reg;
  };
}

export interface LogisticTrainOptions extends LogisticObjectiveOptions {
  maxIterations: number;
  tol: number;
  memory?: number;
  /** Early stopping hook: gets the current weights/bias views after each iteration. */
  onIteration?(iteration: number, weights: Float64Array, bias: Float64Array): 'stop' | 'continue' | void;
}

export interface LogisticResult {
  weights: Float64Array;
  bias: Float64Array;
  iterations: number;
  reason: string;
  objective: number;
}

export function trainLogistic(X: CsrMatrix, target: LogisticTarget, K: number, opts: LogisticTrainOptions): LogisticResult {
  const F = X.cols;
  const fg = logisticObjective(X, target, K, opts);
  const res = minimizeLbfgs(fg, new Float64Array(F * K + K), {
    maxIterations: opts.maxIterations,
    gradTol: opts.tol,
    memory: opts.memory,
    onIteration: opts.onIteration
      ? (it, x) => opts.onIteration!(it, x.subarray(0, F * K), x.subarray(F * K))
      : undefined,
  });
  return {
    weights: res.x.slice(0, F * K),
    bias: res.x.slice(F * K),
    iterations: res.iterations,
    reason: res.reason,
    objective: res.f,
  };
}
