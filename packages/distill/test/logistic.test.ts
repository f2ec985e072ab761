import { describe, expect, it } from 'vitest';
import { createRng, csrFromDense } from '@taxonomist/core';
import { logisticObjective, trainLogistic, type LogisticTarget } from '../src/index.js';
import { randomCsr } from './helpers.js';

function numericGradientCheck(target: LogisticTarget, K: number, withWeights: boolean) {
  const X = randomCsr(12, 6, 3, 7);
  const cw = withWeights ? Float64Array.from({ length: K }, (_, k) => 0.5 + k) : undefined;
  const fg = logisticObjective(X, target, K, { C: 2.5, classWeights: cw, negativeWeights: withWeights ? Float64Array.from({ length: K }, () => 0.7) : undefined });
  const rng = createRng(3);
  const x = Float64Array.from({ length: X.cols * K + K }, () => rng.normal() * 0.5);
  const g = new Float64Array(x.length);
  fg(x, g);
  const h = 1e-6;
  const scratch = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) {
    const xp = Float64Array.from(x);
    xp[j] += h;
    const xm = Float64Array.from(x);
    xm[j] -= h;
    const num = (fg(xp, scratch) - fg(xm, scratch)) / (2 * h);
    expect(Math.abs(num - g[j]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(num)));
  }
}

describe('logistic regression objective', () => {
  it('softmax gradient matches central differences (with and without class weights)', () => {
    const y = Int32Array.from({ length: 12 }, (_, i) => i % 3);
    numericGradientCheck({ kind: 'single', y }, 3, false);
    numericGradientCheck({ kind: 'single', y }, 3, true);
  });

  it('sigmoid (multi-label) gradient matches central differences', () => {
    const rng = createRng(11);
    const Y = Uint8Array.from({ length: 12 * 4 }, () => (rng.next() < 0.4 ? 1 : 0));
    numericGradientCheck({ kind: 'multi', Y }, 4, false);
    numericGradientCheck({ kind: 'multi', Y }, 4, true);
  });
});

describe('trainLogistic', () => {
  it('with no features, the softmax intercepts reproduce the class frequencies', () => {
    const y = Int32Array.from([0, 1, 1, 2, 2, 2, 2, 2]);
    const X = { rows: 8, cols: 0, indptr: new Int32Array(9), indices: new Int32Array(0), data: new Float32Array(0) };
    const res = trainLogistic(X, { kind: 'single', y }, 3, { C: 1, maxIterations: 200, tol: 1e-10 });
    const e = Array.from(res.bias, Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    expect(e.map((v) => v / s)).toEqual([expect.closeTo(1 / 8, 6), expect.closeTo(2 / 8, 6), expect.closeTo(5 / 8, 6)]);
  });

  it('solves a symmetric one-feature problem to its fixed point w = C n sigmoid(-w)', () => {
    // Two examples x = +1 (positive) and x = -1 (negative) of one label; the intercept stays 0 by symmetry.
    const X = csrFromDense([1, -1], 2, 1);
    const res = trainLogistic(X, { kind: 'multi', Y: Uint8Array.from([1, 0]) }, 1, { C: 1, maxIterations: 200, tol: 1e-12 });
    let w = 0.5;
    for (let i = 0; i < 100; i++) {
      // Newton on h(w) = w - 2 / (1 + e^w)
      const s = 1 / (1 + Math.exp(w));
      w -= (w - 2 * s) / (1 + 2 * s * (1 - s));
    }
    expect(res.weights[0]).toBeCloseTo(w, 6);
    expect(res.bias[0]).toBeCloseTo(0, 6);
  });
});
