import { readFileSync } from 'node:fs';
import { clusterTaxonomy } from '../src/cluster/index.js';
const recs = readFileSync('examples/data/banking-sample.jsonl', 'utf8').split('\n').filter(Boolean).map((l, i) => ({ id: String(i), text: JSON.parse(l).text as string }));
for (const k of [20, 30]) {
const t0 = performance.now();
const res = await clusterTaxonomy(recs, { useCase: 'x', seed: 1, k });
console.log(k, ((performance.now() - t0) / 1000).toFixed(2), res.taxonomy.labels.map((l) => l.name).join(' | '));
}
