/**
 * Probability calibration by a single scale (temperature) on held-out decision values: find a > 0 minimising the
 * negative log-likelihood of softmax(a * z) (one label per text) or sigmoid(a * z) (multi-label). The NLL is convex
 * in a, so a safeguarded Newton iteration on a finds the optimum in a few steps.
 */

/** scores: n x K row-major decision values; y: true label per row (softmax) or Y: n x K 0/1 (sigmoid). */
export function fitScale(
  scores: Float64Array,
  K: number,
  target: { kind: 'single'; y: Int32Array } | { kind: 'multi'; Y: Uint8Array },
): number {
  const n = scores.length / K;
  if (n === 0) return 1;
  const derivs = (a: number): { nll: number; d1: number; d2: number } => {
    let nll = 0;
    let d1 = 0;
    let d2 = 0;
    for (let i = 0; i < n; i++) {
      const o = i * K;
      if (target.kind === 'single') {
        let m = -Infinity;
        for (let k = 0; k < K; k++) if (a * scores[o + k]! > m) m = a * scores[o + k]!;
        let sum = 0;
        let ez = 0;
        let ez2 = 0;
        for (let k = 0; k < K; k++) {
          const z = scores[o + k]!;
          const e = Math.exp(a * z - m);
          sum += e;
          ez += e * z;
          ez2 += e * z * z;
        }
        const mean = ez / sum;
        const zy = scores[o + target.y[i]!]!;
        nll += m + Math.log(sum) - a * zy;
        d1 += mean - zy;
        d2 += ez2 / sum - mean * mean;
      } else {
        for (let k = 0; k < K; k++) {
          const z = scores[o + k]!;
          const t = target.Y[o + k] === 1 ? 1 : -1;
          const u = -t * a * z;
          nll += u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
          const s = 1 / (1 + Math.exp(-u)); // sigmoid(u)
          d1 += -t * z * s;
          d2 += z * z * s * (1 - s);
        }
      }
    }
    return { nll, d1, d2 };
  };
  let lo = 1e-4;
  let hi = 1e4;
  let a = 1;
  for (let it = 0; it < 100; it++) {
    const { d1, d2 } = derivs(a);
    if (Math.abs(d1) < 1e-9 * n) break;
    // Keep a bracket on the root of d1 (d1 increases with a); fall back to bisection in log space.
    if (d1 > 0) hi = a;
    else lo = a;
    let next = d2 > 0 ? a - d1 / d2 : NaN;
    if (!(next > lo && next < hi)) next = Math.sqrt(lo * hi);
    if (Math.abs(next - a) <= 1e-10 * a) {
      a = next;
      break;
    }
    a = next;
  }
  return a;
}

/** Mean negative log-likelihood of the calibrated probabilities (for reports and tests). */
export function meanLogLoss(scores: Float64Array, K: number, y: Int32Array, a: number): number {
  const n = y.length;
  let nll = 0;
  for (let i = 0; i < n; i++) {
    const o = i * K;
    let m = -Infinity;
    for (let k = 0; k < K; k++) if (a * scores[o + k]! > m) m = a * scores[o + k]!;
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(a * scores[o + k]! - m);
    nll += m + Math.log(sum) - a * scores[o + y[i]!]!;
  }
  return n === 0 ? 0 : nll / n;
}
