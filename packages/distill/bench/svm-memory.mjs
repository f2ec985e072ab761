/**
 * Child process of bench/banking77.ts (one per mode, so that its peak RSS is the mode's own): peak memory of the SVM
 * solve on banking77 train replicated to BENCH_MEMORY_ROWS distinct rows (default 200,000), default featurizer, with
 *   1          one thread,
 *   2-shared   this thread + one worker reading the matrix in shared memory (SharedArrayBuffer, the default),
 *   2-copied   the same with the matrix copied into the worker (structured clone: as before sharing).
 *
 *   node packages/distill/bench/svm-memory.mjs <banking77 dir> <mode> built
 *   node --conditions=source --import tsx packages/distill/bench/svm-memory.mjs <banking77 dir> <mode> source
 *
 * `built` measures the built packages (packages/*\/dist: what users run; the worker loads plain JavaScript);
 * `source` the TypeScript sources under tsx (each worker then also loads tsx and compiles the sources). Plain
 * JavaScript so that the built run needs no TypeScript loader at all. Prints one `RESULT {json}` line.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const [dataDir, mode, flavour] = process.argv.slice(2);
if (!dataDir || !['1', '2-shared', '2-copied'].includes(mode ?? '') || !['built', 'source'].includes(flavour ?? '')) {
  throw new Error('usage: svm-memory.mjs <banking77 dir> 1|2-shared|2-copied built|source');
}
const ROWS = Number(process.env.BENCH_MEMORY_ROWS ?? 200_000);
// '@taxonomist/*' resolve to dist without the `source` condition and to src with it; the workers module is not part of
// the package index, so it is loaded by path from the same flavour.
const { defaultRegistry, TrainOptionsSchema, solveSvmClasses, svmRowPermutation } = await import('@taxonomist/distill');
const { csrNnz, csrSelectRows } = await import('@taxonomist/core');
const { solveInWorkers } = await import(flavour === 'built' ? '../dist/classifiers/svm-workers.js' : '../src/classifiers/svm-workers.ts');

const base = (await readFile(join(dataDir, 'train.jsonl'), 'utf8'))
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const examples = Array.from({ length: ROWS }, (_, i) => {
  const e = base[i % base.length];
  return { text: i < base.length ? e.text : `${e.text} #${Math.floor(i / base.length)}`, label: e.label };
});
const labels = [...new Set(examples.map((e) => e.label))].sort();
const idx = new Map(labels.map((l, i) => [l, i]));
const featurizer = defaultRegistry.createFeaturizer(TrainOptionsSchema.parse({}).featurizer);
const X0 = await featurizer.fitTransform(examples.map((e) => e.text));
const target = { kind: 'single', y: Int32Array.from(examples, (e) => idx.get(e.label)) };
const classes = labels.length;
const perm = svmRowPermutation(X0.rows, 0);
// Few epochs: memory, not accuracy, is measured here.
const opts = { C: 0.5, loss: 'squared_hinge', tol: 0.1, maxEpochs: 3, bias: 1, seed: 0, classWeights: new Float64Array(classes).fill(1) };
const all = Array.from({ length: classes }, (_, c) => c);
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
if (mode === '1') solveSvmClasses(csrSelectRows(X0, perm), target, perm, all, classes, opts);
else await solveInWorkers(csrSelectRows(X0, perm, { shared: mode === '2-shared' }), target, perm, all, classes, opts, 2, mode === '2-shared');
const out = {
  rows: X0.rows,
  matrixMb: (csrNnz(X0) * 8 + X0.rows * 4) / 1024 / 1024,
  rssBeforeSolveMb: rssBefore / 1024 / 1024,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  solveS: (performance.now() - t0) / 1000,
};
process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
