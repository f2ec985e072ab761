import { readFileSync } from 'node:fs';
import { SparseTextFeaturizer } from '../../core/src/vectors/sparse/index.js';
const load = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; label: string });
const train = load('../shared/data/banking77/train.jsonl');
const X = new SparseTextFeaturizer({}).fitTransform(train.map((r) => r.text));
const cpu = () => process.cpuUsage().user / 1000;
const w = new Float64Array(X.cols).map((_, i) => (i % 7) * 0.01);
const { indptr, indices, data } = X;
function pass(order: Int32Array): number {
  let tot = 0;
  for (let s = 0; s < order.length; s++) {
    const i = order[s]!;
    let dot = 0;
    for (let p = indptr[i]!, b = indptr[i + 1]!; p < b; p++) dot += w[indices[p]!]! * data[p]!;
    tot += dot;
  }
  return tot;
}
const seq = Int32Array.from({ length: X.rows }, (_, i) => i);
const rnd = seq.slice();
for (let i = rnd.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); const t = rnd[i]!; rnd[i] = rnd[j]!; rnd[j] = t; }
for (const [name, order] of [['seq', seq], ['rnd', rnd], ['seq', seq], ['rnd', rnd]] as const) {
  const c0 = cpu();
  let t = 0;
  for (let r = 0; r < 20; r++) t += pass(order);
  const dt = cpu() - c0;
  console.log(name, 'ns per nnz', ((dt * 1e6) / (20 * indptr[X.rows]!)).toFixed(2), t > 0);
}
