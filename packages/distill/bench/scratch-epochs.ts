import { readFileSync } from 'node:fs';
import { SparseTextFeaturizer, createRng } from '@taxonomist/core';
import { BinarySvmSolver } from '../src/classifiers/linear-svm.js';
const load = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; label: string });
const train = load('../shared/data/banking77/train.jsonl');
const labels = [...new Set(train.map((r) => r.label))].sort();
const X = new SparseTextFeaturizer({ blocks: [{ analyzer: 'word', ngramRange: [1, 2] }, { analyzer: 'char_wb', ngramRange: [3, 3] }] }).fitTransform(train.map((r) => r.text));
const sq = new Float64Array(X.rows).fill(2);
for (const [cap, tol] of [[0.03, 0.1], [0.03, 0.3], [0.01, 0.1], [0.1, 0.1]]) {
  let visits = 0; let obj = 0; let ep = 0; const hist: number[] = [];
  for (const c of [0, 10, 40, 60]) {
    const y = Int8Array.from(train, (r) => (r.label === labels[c] ? 1 : -1));
    const s = new BinarySvmSolver(X, y, sq, { C: 0.5, loss: 'squared_hinge', tol: tol!, maxEpochs: 1000, bias: 1, shrinkCap: cap }, createRng(c));
    while (true) { visits += (s as any).activeSize; if (c === 0) hist.push((s as any).activeSize); if (s.epoch()) break; }
    obj += s.primalObjective(); ep += s.epochs;
  }
  console.log('cap', cap, 'tol', tol, 'visits/n', (visits / X.rows).toFixed(1), 'epochs', ep, 'primal', obj.toFixed(4), hist.join(' '));
}
