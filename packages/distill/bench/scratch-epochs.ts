import { readFileSync } from 'node:fs';
import { SparseTextFeaturizer, createRng } from '../../core/src/index.js';
import { BinarySvmSolver } from '../src/classifiers/linear-svm.js';
const load = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; label: string });
const train = load('../shared/data/banking77/train.jsonl');
const labels = [...new Set(train.map((r) => r.label))].sort();
const X = new SparseTextFeaturizer({}).fitTransform(train.map((r) => r.text));
const sq = new Float64Array(X.rows).fill(2);
for (const cap of [Infinity, 1, 0.3, 0.1, 0.03, 0]) {
  let visits = 0; let obj = 0; let ep = 0;
  for (const c of [0, 10, 40, 60]) {
    const y = Int8Array.from(train, (r) => (r.label === labels[c] ? 1 : -1));
    const s = new BinarySvmSolver(X, y, sq, { C: 0.5, loss: 'squared_hinge', tol: 0.1, maxEpochs: 1000, bias: 1, shrinkCap: cap }, createRng(c));
    while (true) { visits += (s as any).activeSize; if (s.epoch()) break; }
    obj += s.primalObjective(); ep += s.epochs;
  }
  console.log('cap', cap, 'visits/n', (visits / X.rows).toFixed(1), 'epochs', ep, 'primal sum', obj.toFixed(4));
}
