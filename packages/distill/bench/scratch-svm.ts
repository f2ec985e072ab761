import { readFileSync } from 'node:fs';
import { SparseTextFeaturizer, type SparseTextConfigInput } from '../../core/src/vectors/sparse/index.js';
import { trainOvrSvm } from '../src/classifiers/linear-svm.js';
import { classWeightVector } from '../src/classifiers/class-weights.js';
const load = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; label: string });
const train = load('../shared/data/banking77/train.jsonl');
const test = load('../shared/data/banking77/test.jsonl');
const labels = [...new Set(train.map((r) => r.label))].sort();
const li = new Map(labels.map((l, i) => [l, i]));
const y = Int32Array.from(train.map((r) => li.get(r.label)!));
const yt = Int32Array.from(test.map((r) => li.get(r.label)!));
const cfgs: Record<string, SparseTextConfigInput> = JSON.parse(process.argv[2] ?? '{"default":{}}');
const Cs = (process.argv[3] ?? '0.5').split(',').map(Number);
const tol = Number(process.argv[4] ?? 0.1);
for (const [name, cfg] of Object.entries(cfgs)) {
  let t0 = performance.now();
  const f = new SparseTextFeaturizer(cfg);
  const X = f.fitTransform(train.map((r) => r.text));
  const tf = performance.now() - t0;
  const Xt = f.transform(test.map((r) => r.text));
  for (const C of Cs) {
    t0 = performance.now();
    const res = trainOvrSvm(X, y, labels.length, { C, loss: 'squared_hinge', tol, maxEpochs: 1000, bias: 1, classWeights: classWeightVector('none', labels, y), seed: 1 });
    const tt = performance.now() - t0;
    let ok = 0;
    const K = labels.length;
    const s = new Float64Array(K);
    for (let i = 0; i < Xt.rows; i++) {
      s.set(res.bias);
      for (let p = Xt.indptr[i]!; p < Xt.indptr[i + 1]!; p++) { const v = Xt.data[p]!; const b = Xt.indices[p]! * K; for (let k = 0; k < K; k++) s[k] += v * res.weights[b + k]!; }
      let best = 0; for (let k = 1; k < K; k++) if (s[k]! > s[best]!) best = k;
      if (best === yt[i]) ok++;
    }
    const ep = res.epochs.reduce((a, b) => a + b, 0) / K;
    console.log(name, 'C', C, 'dim', f.dimension, 'feat ms', tf.toFixed(0), 'train ms', tt.toFixed(0), 'epochs', ep.toFixed(1), 'acc', (ok / Xt.rows).toFixed(4));
  }
}
