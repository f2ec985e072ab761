import { readFileSync } from 'node:fs';
import { SparseTextFeaturizer } from '@taxonomist/core';
const load = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; label: string });
const train = load('../shared/data/banking77/train.jsonl');
const f = new SparseTextFeaturizer({});
f.fit(train.map((r) => r.text));
const texts = train.map((r) => r.text);
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  let s = 0;
  for (let rep = 0; rep < 3; rep++) for (const x of texts) s += f.featurizeRow(x).count;
  console.log('us/text', ((performance.now() - t) * 1000) / (3 * texts.length));
}
