import { readFileSync } from 'node:fs';
import { SparseTextFeaturizer } from '@taxonomist/core';
const load = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; label: string });
const texts = load('../shared/data/banking77/train.jsonl').map((r) => r.text);
const cfg = { blocks: [{ analyzer: 'word' as const, ngramRange: [1, 2] as [number, number] }, { analyzer: 'char_wb' as const, ngramRange: [3, 3] as [number, number] }] };
const cpu = () => process.cpuUsage().user / 1000;
for (let k = 0; k < 4; k++) {
  const f = new SparseTextFeaturizer(cfg);
  let c = cpu();
  f.fit(texts);
  const fit = cpu() - c;
  c = cpu();
  f.transform(texts);
  const tr = cpu() - c;
  c = cpu();
  let s = 0;
  for (const t of texts) s += f.featurizeRow(t).count;
  console.log('fit', fit.toFixed(0), 'transform', tr.toFixed(0), 'rows', (cpu() - c).toFixed(0), s);
}
