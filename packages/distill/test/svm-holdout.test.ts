import { describe, expect, it } from 'vitest';
import { createRng, csrSelectRows } from '@taxonomist/core';
import { BinarySvmSolver, selectTopK, topKIndices, trainOvrSvm } from '../src/index.js';
import { randomCsr } from './helpers.js';

const sq = (X: { rows: number; indptr: Int32Array; data: Float32Array }) =>
  Float64Array.from({ length: X.rows }, (_, i) => {
    let s = 0;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) s += X.data[p]! ** 2;
    return s;
  });

describe('selectTopK', () => {
  it('gives the same indices as topKIndices, ties included, into a reused buffer', () => {
    const rng = createRng(4);
    const out = new Int32Array(20);
    for (let t = 0; t < 200; t++) {
      const n = 1 + rng.int(20);
      // Few distinct values: many ties.
      const v = Float64Array.from({ length: n }, () => rng.int(5) - 2);
      for (const k of [1, 3, 5, 25]) {
        const m = selectTopK(v, n, k, out);
        expect(Array.from(out.subarray(0, m))).toEqual(topKIndices(v, n, k));
      }
    }
  });
});

describe('restricted and held-out SVM solves', () => {
  it('a solver restricted to `rows` reaches the optimum of the problem on those rows alone', () => {
    const X = randomCsr(80, 15, 4, 11);
    const rng = createRng(3);
    const y = Int8Array.from({ length: 80 }, () => (rng.next() < 0.4 ? 1 : -1));
    const rows = Int32Array.from({ length: 80 }, (_, i) => i).filter((i) => i % 3 !== 0);
    const opts = { C: 0.8, loss: 'squared_hinge' as const, tol: 1e-9, maxEpochs: 100000, bias: 1 };
    const restricted = new BinarySvmSolver(X, y, sq(X), { ...opts, rows }, createRng(5)).solve();
    const Xs = csrSelectRows(X, rows);
    const alone = new BinarySvmSolver(Xs, Int8Array.from(rows, (r) => y[r]!), sq(Xs), opts, createRng(6)).solve();
    for (let f = 0; f < 15; f++) expect(restricted.w[f]).toBeCloseTo(alone.w[f]!, 6);
    expect(restricted.wBias).toBeCloseTo(alone.wBias, 6);
    // Rows outside the problem keep their (zero) dual variable.
    for (let i = 0; i < 80; i += 3) expect(restricted.alpha[i]).toBe(0);
  });

  it('holdout scores approximate the decision values of models trained without each fold, deterministically', async () => {
    const n = 150;
    const K = 3;
    const X = randomCsr(n, 30, 6, 21);
    const rng = createRng(8);
    const y = Int32Array.from({ length: n }, () => rng.int(K));
    const folds = [Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 5 === 0)];
    const base = { C: 0.5, loss: 'squared_hinge' as const, tol: 1e-6, maxEpochs: 100000, bias: 1, classWeights: new Float64Array(K).fill(1), seed: 3, shrinkCap: 0.03 };
    const run = () => trainOvrSvm(X, { kind: 'single', y }, K, { ...base, holdout: { folds, tol: 1e-6 } });
    const a = await run();
    const b = await run();
    expect(a.holdoutScores).toEqual(b.holdoutScores);
    const held = folds[0]!;
    expect(a.holdoutScores!.length).toBe(held.length * K);
    // The exact out-of-fold model, trained on the other rows only.
    const trainRows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 5 !== 0);
    const sub = await trainOvrSvm(csrSelectRows(X, trainRows), { kind: 'single', y: Int32Array.from(trainRows, (r) => y[r]!) }, K, base);
    const full = await trainOvrSvm(X, { kind: 'single', y }, K, base);
    let errHoldout = 0;
    let errFull = 0;
    held.forEach((r, j) => {
      for (let k = 0; k < K; k++) {
        let exact = sub.bias[k]!;
        let inSample = full.bias[k]!;
        for (let p = X.indptr[r]!; p < X.indptr[r + 1]!; p++) {
          exact += X.data[p]! * sub.weights[X.indices[p]! * K + k]!;
          inSample += X.data[p]! * full.weights[X.indices[p]! * K + k]!;
        }
        errHoldout += Math.abs(a.holdoutScores![j * K + k]! - exact);
        errFull += Math.abs(inSample - exact);
      }
    });
    // Much closer to the out-of-fold values than the in-sample scores of the full model are.
    expect(errHoldout).toBeLessThan(0.25 * errFull);
  });

  it('refuses holdout scoring together with per-round callbacks', async () => {
    const X = randomCsr(10, 5, 2, 1);
    const y = Int32Array.from({ length: 10 }, (_, i) => i % 2);
    await expect(
      trainOvrSvm(X, { kind: 'single', y }, 2, {
        C: 1, loss: 'squared_hinge', tol: 0.1, maxEpochs: 10, bias: 1, classWeights: new Float64Array(2).fill(1), seed: 1,
        holdout: { folds: [Int32Array.of(0)], tol: 0.1 }, onRound: () => 'continue',
      }),
    ).rejects.toThrow(/holdout/);
  });
});
