import { readFileSync } from 'node:fs';
import { SparseTextFeaturizer } from '../../core/src/vectors/sparse/index.js';
import { trainOvrSvm } from '../src/classifiers/linear-svm.js';
const load = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; label: string });
const train = load('../shared/data/banking77/train.jsonl');
const test = load('../shared/data/banking77/test.jsonl');
const labels = [...new Set(train.map((r) => r.label))].sort();
const li = new Map(labels.map((l, i) => [l, i]));
const y = Int32Array.from(train.map((r) => li.get(r.label)!));
const yt = Int32Array.from(test.map((r) => li.get(r.label)!));
const cpu = () => process.cpuUsage().user / 1000;
const cfg = JSON.parse(process.argv[2] ?? '{}');
const svm = JSON.parse(process.argv[3] ?? '{}');
let c0 = cpu();
const f = new SparseTextFeaturizer(cfg);
const X = f.fitTransform(train.map((r) => r.text));
const cf = cpu() - c0;
const Xt = f.transform(test.map((r) => r.text));
c0 = cpu(); const w0 = performance.now();
const res = await trainOvrSvm(X, { kind: "single", y }, labels.length, { threads: Number(process.env.THREADS ?? 1), C: 0.5, loss: 'squared_hinge', tol: 0.1, maxEpochs: 1000, bias: 1, classWeights: new Float64Array(77).fill(1), seed: 1, ...svm });
const ct = cpu() - c0; const wt = performance.now() - w0;
const K = 77;
let ok = 0;
const s = new Float64Array(K);
for (let i = 0; i < Xt.rows; i++) {
  s.set(res.bias);
  for (let p = Xt.indptr[i]!; p < Xt.indptr[i + 1]!; p++) { const v = Xt.data[p]!; const b = Xt.indices[p]! * K; for (let k = 0; k < K; k++) s[k] += v * res.weights[b + k]!; }
  let best = 0; for (let k = 1; k < K; k++) if (s[k]! > s[best]!) best = k;
  if (best === yt[i]) ok++;
}
console.log(JSON.stringify(cfg), JSON.stringify(svm), 'featCPU', cf.toFixed(0), "trainCPU", ct.toFixed(0), "trainWall", wt.toFixed(0), 'nnz/row', (X.indptr[X.rows]! / X.rows).toFixed(0), 'acc', (ok / Xt.rows).toFixed(4), 'epochs', (res.epochs.reduce((a, b) => a + b, 0) / K).toFixed(1));
