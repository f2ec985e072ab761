import { describe, expect, it } from 'vitest';
import { createRng, csrFromDense } from '@taxonomist/core';
import { BinarySvmSolver, trainOvrSvm } from '../src/index.js';
import { randomCsr } from './helpers.js';

const sq = (X: { rows: number; indptr: Int32Array; data: Float32Array }) =>
  Float64Array.from({ length: X.rows }, (_, i) => {
    let s = 0;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) s += X.data[p]! ** 2;
    return s;
  });

describe('dual coordinate descent SVM', () => {
  it('squared hinge on x = ±e1 reaches the closed form w = 4C / (1 + 4C)', () => {
    const X = csrFromDense([1, 0, -1, 0], 2, 2);
    for (const C of [0.1, 1, 5]) {
      const s = new BinarySvmSolver(X, Int8Array.from([1, -1]), sq(X), { C, loss: 'squared_hinge', tol: 1e-10, maxEpochs: 10000, bias: 0 }, createRng(1)).solve();
      expect(s.w[0]).toBeCloseTo((4 * C) / (1 + 4 * C), 8);
      expect(s.w[1]).toBe(0);
    }
  });

  it('hinge loss with a large C gives the hard-margin solution w = e1 (alphas summing to 1)', () => {
    const X = csrFromDense([1, 0, -1, 0], 2, 2);
    const s = new BinarySvmSolver(X, Int8Array.from([1, -1]), sq(X), { C: 10, loss: 'hinge', tol: 1e-10, maxEpochs: 10000, bias: 0 }, createRng(1)).solve();
    expect(s.w[0]).toBeCloseTo(1, 8);
    // Without a bias the two dual variables are interchangeable: only their sum is determined.
    expect(s.alpha[0]! + s.alpha[1]!).toBeCloseTo(1, 8);
  });

  it('converges to the primal optimum: the duality gap vanishes on random data', () => {
    const X = randomCsr(60, 20, 5, 3);
    const rng = createRng(9);
    const y = Int8Array.from({ length: 60 }, () => (rng.next() < 0.5 ? 1 : -1));
    for (const loss of ['squared_hinge', 'hinge'] as const) {
      const C = 0.7;
      const s = new BinarySvmSolver(X, y, sq(X), { C, loss, tol: 1e-8, maxEpochs: 100000, bias: 1 }, createRng(2)).solve();
      // Dual objective: sum alpha - 1/2 |w|^2 - sum alpha^2 D_ii
      const D = loss === 'squared_hinge' ? 0.5 / C : 0;
      let wn = s.wBias ** 2;
      for (const v of s.w) wn += v * v;
      let dual = -0.5 * wn;
      for (const a of s.alpha) dual += a - 0.5 * a * a * D;
      const primal = s.primalObjective();
      expect(primal - dual).toBeGreaterThanOrEqual(-1e-9);
      expect((primal - dual) / Math.abs(primal)).toBeLessThan(1e-5);
    }
  });

  it('one-vs-rest separates three well-separated clusters, identically for the same seed', async () => {
    const rng = createRng(5);
    const rows: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 90; i++) {
      const c = i % 3;
      for (let d = 0; d < 3; d++) rows.push((d === c ? 3 : 0) + rng.normal() * 0.3);
      y.push(c);
    }
    const X = csrFromDense(rows, 90, 3);
    const opts = { C: 1, loss: 'squared_hinge' as const, tol: 0.01, maxEpochs: 1000, bias: 1, classWeights: new Float64Array(3).fill(1), seed: 4 };
    const res = await trainOvrSvm(X, { kind: 'single', y: Int32Array.from(y) }, 3, opts);
    let correct = 0;
    for (let i = 0; i < 90; i++) {
      const s = [0, 1, 2].map((k) => res.bias[k]! + [0, 1, 2].reduce((acc, d) => acc + rows[i * 3 + d]! * res.weights[d * 3 + k]!, 0));
      if (s.indexOf(Math.max(...s)) === y[i]) correct++;
    }
    expect(correct).toBe(90);
    const again = await trainOvrSvm(X, { kind: 'single', y: Int32Array.from(y) }, 3, opts);
    expect(Array.from(again.weights)).toEqual(Array.from(res.weights));
  });
});
