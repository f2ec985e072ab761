import { readFileSync } from 'node:fs';
import { clusterTaxonomy, clusterTerms } from '../src/cluster/index.js';
const recs = readFileSync(process.argv[2]!, 'utf8').split('\n').filter(Boolean).map((l, i) => ({ id: String(i), text: JSON.parse(l).text as string }));
const k = process.argv[3] ? Number(process.argv[3]) : undefined;
const res = await clusterTaxonomy(recs, { useCase: 'x', seed: 42, ...(k ? { k } : {}) });
const ids = res.taxonomy.labels.map((l) => l.id);
const lab = res.assignments.map((a) => ids.indexOf(a.labelId));
const terms = clusterTerms(recs.map((r) => r.text), lab, ids.length);
const want = process.argv.slice(4);
res.taxonomy.labels.forEach((l, r) => {
  if (want.length && !want.includes(l.id)) return;
  console.log(l.id, '|', l.name, '|', terms[r]!.slice(0, 12).map((t) => `${t.term}:${t.count}:${t.score.toFixed(3)}`).join(', '));
});
