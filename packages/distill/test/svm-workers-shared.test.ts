import { describe, expect, it } from 'vitest';
import { createRng, csrIsShared, csrSelectRows, csrToShared } from '@taxonomist/core';
import { SVM_WORKER_MIN_ROW_CLASSES, solveSvmClasses, svmRowPermutation, svmWorkersPay, type SvmTarget } from '../src/classifiers/linear-svm.js';
import { prestartSvmWorkers, solveInWorkers, type SvmWorkersReport } from '../src/classifiers/svm-workers.js';
import { serializeModel, train } from '../src/index.js';
import { randomCsr, syntheticExamples } from './helpers.js';

describe('SVM workers read the matrix in shared memory', () => {
  it('csrSelectRows({ shared }) and csrToShared give the same values on SharedArrayBuffers', () => {
    const X = randomCsr(40, 30, 4, 1);
    const perm = svmRowPermutation(40, 3);
    const plain = csrSelectRows(X, perm);
    const shared = csrSelectRows(X, perm, { shared: true });
    expect(csrIsShared(plain)).toBe(false);
    expect(csrIsShared(shared)).toBe(true);
    expect(csrIsShared(csrToShared(plain))).toBe(true);
    expect(csrToShared(shared)).toBe(shared);
    for (const m of [shared, csrToShared(plain)]) {
      expect(Array.from(m.indptr)).toEqual(Array.from(plain.indptr));
      expect(Array.from(m.indices)).toEqual(Array.from(plain.indices));
      expect(Array.from(m.data)).toEqual(Array.from(plain.data));
    }
  });

  it('gives identical solutions shared, copied into each worker, and in this thread', async () => {
    const n = 300;
    const classes = 4;
    const X0 = randomCsr(n, 60, 6, 7);
    const rng = createRng(11);
    const target: SvmTarget = { kind: 'single', y: Int32Array.from({ length: n }, () => rng.int(classes)) };
    const perm = svmRowPermutation(n, 5);
    const X = csrSelectRows(X0, perm);
    const opts = { C: 0.5, loss: 'squared_hinge' as const, tol: 1e-4, maxEpochs: 200, bias: 1, seed: 5, classWeights: new Float64Array(classes).fill(1) };
    const all = [0, 1, 2, 3];
    const local = solveSvmClasses(X, target, perm, all, classes, opts);
    const sharedReport: SvmWorkersReport = { matrixShared: [], prestarted: 0 };
    const copiedReport: SvmWorkersReport = { matrixShared: [], prestarted: 0 };
    const shared = await solveInWorkers(csrSelectRows(X0, perm, { shared: true }), target, perm, all, classes, opts, 2, true, sharedReport);
    const copied = await solveInWorkers(X, target, perm, all, classes, opts, 2, false, copiedReport);
    const key = (sols: typeof local) => sols.map((s) => ({ c: s.c, w: Array.from(s.w), alpha: Array.from(s.alpha) }));
    expect(key(shared)).toEqual(key(local));
    expect(key(copied)).toEqual(key(local));
    // No copy: the worker read views of the SharedArrayBuffers; with share: false it got copies (plain ArrayBuffers).
    expect(sharedReport.matrixShared).toEqual([true]);
    expect(copiedReport.matrixShared).toEqual([false]);
    // Not a vacuous comparison: the classes have non-zero weights.
    expect(local.every((s) => s.w.some((v) => v !== 0))).toBe(true);
  }, 240_000);

  it('threads take classes from a shared counter: each class solved once, the result equal to one thread', async () => {
    const n = 240;
    const classes = 7;
    const X0 = randomCsr(n, 50, 5, 13);
    const rng = createRng(17);
    const target: SvmTarget = { kind: 'single', y: Int32Array.from({ length: n }, () => rng.int(classes)) };
    const perm = svmRowPermutation(n, 2);
    const X = csrSelectRows(X0, perm);
    const folds = [Int32Array.from({ length: n / 10 }, (_, i) => i * 10)];
    const opts = { C: 0.5, loss: 'squared_hinge' as const, tol: 1e-3, maxEpochs: 200, bias: 1, seed: 2, classWeights: new Float64Array(classes).fill(1), holdout: { folds, tol: 1 } };
    const all = Array.from({ length: classes }, (_, c) => c);
    const local = solveSvmClasses(X, target, perm, all, classes, opts);
    // A thread starts at the counter's position and takes every class left after it, once.
    const claim = new Int32Array(new SharedArrayBuffer(4));
    claim[0] = 5;
    expect(solveSvmClasses(X, target, perm, all, classes, opts, claim).map((s) => s.c)).toEqual([5, 6]);
    expect(solveSvmClasses(X, target, perm, all, classes, opts, claim)).toEqual([]);
    const threaded = await solveInWorkers(csrSelectRows(X0, perm, { shared: true }), target, perm, all, classes, opts, 3);
    const key = (sols: typeof local) => sols.map((s) => ({ c: s.c, w: Array.from(s.w), alpha: Array.from(s.alpha), held: Array.from(s.holdoutScores!) }));
    expect(threaded.map((s) => s.c)).toEqual(all);
    expect(key(threaded)).toEqual(key(local));
  }, 240_000);

  it('a worker started ahead (prestartSvmWorkers) takes the job by message; release() stops one no solve took', async () => {
    const n = 200;
    const classes = 5;
    const X0 = randomCsr(n, 40, 5, 21);
    const rng = createRng(23);
    const target: SvmTarget = { kind: 'single', y: Int32Array.from({ length: n }, () => rng.int(classes)) };
    const perm = svmRowPermutation(n, 4);
    const opts = { C: 0.5, loss: 'squared_hinge' as const, tol: 1e-3, maxEpochs: 200, bias: 1, seed: 4, classWeights: new Float64Array(classes).fill(1) };
    const all = Array.from({ length: classes }, (_, c) => c);
    const local = solveSvmClasses(csrSelectRows(X0, perm), target, perm, all, classes, opts);
    const key = (sols: typeof local) => sols.map((s) => ({ c: s.c, w: Array.from(s.w), alpha: Array.from(s.alpha) }));

    const release = prestartSvmWorkers(1);
    const report: SvmWorkersReport = { matrixShared: [], prestarted: 0 };
    const ahead = await solveInWorkers(csrSelectRows(X0, perm, { shared: true }), target, perm, all, classes, opts, 2, true, report);
    release(); // the worker was taken: nothing to stop
    expect(report).toEqual({ matrixShared: [true], prestarted: 1 });
    expect(key(ahead)).toEqual(key(local));

    // Released before any solve: the next solve starts its own worker.
    prestartSvmWorkers(1)();
    const fresh: SvmWorkersReport = { matrixShared: [], prestarted: 0 };
    expect(key(await solveInWorkers(csrSelectRows(X0, perm, { shared: true }), target, perm, all, classes, opts, 2, true, fresh))).toEqual(key(local));
    expect(fresh).toEqual({ matrixShared: [true], prestarted: 0 });
  }, 240_000);

  it('train() writes the same model bytes with 1 and 2 threads (worker started ahead, matrix shared)', async () => {
    // Large enough for workers to pay (rows x classes >= SVM_WORKER_MIN_ROW_CLASSES), else 2 threads would run as 1.
    const labels = Object.keys(Object.fromEntries(syntheticExamples(10, 1).map((e) => [e.label, 1])));
    const examples = syntheticExamples(Math.ceil(SVM_WORKER_MIN_ROW_CLASSES / labels.length) + 100, 31);
    expect(svmWorkersPay(examples.length, labels.length)).toBe(true);
    expect(svmWorkersPay(400, labels.length)).toBe(false);
    const one = serializeModel((await train(examples, { seed: 3, threads: 1 })).model);
    const two = serializeModel((await train(examples, { seed: 3, threads: 2 })).model);
    expect(two).toBe(one);
    // Not vacuous: another seed gives other bytes.
    expect(serializeModel((await train(examples, { seed: 4, threads: 2 })).model)).not.toBe(one);
  }, 240_000);
});
