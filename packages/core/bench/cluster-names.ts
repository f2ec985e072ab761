/**
 * Prints the offline (c-TF-IDF) cluster names for banking77 test at k = 77 and for examples/data/banking-sample.jsonl
 * at k chosen by silhouette, so naming changes can be compared by eye. Run from the repo root:
 *
 *   npx tsx --conditions=source packages/core/bench/cluster-names.ts
 *
 * Also counts names holding a contraction fragment (should be 0), and for banking77 prints the naming benchmark: the
 * share of names sharing a content word with the majority gold intent, the share that occur verbatim as a phrase in
 * a text of their cluster (should be 100%), and the worst names. `--all` prints every description. Nothing is asserted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { clusterTaxonomy } from '../src/cluster/index.js';
import { requireBenchData } from '../../../bench/shared-data.js';
import { namingLines, namingScore } from './naming-score.js';

const FRAGMENTS = new Set(['isn', 'didn', 'doesn', 'don', 'wasn', 'haven', 'hasn', 'aren', 'weren', 'couldn', 'wouldn', 'shouldn', 've', 'll', 're', 'won', 'can']);

function read(path: string): { id: string; text: string; label?: string }[] {
  const abs = resolve(process.cwd(), path);
  if (!existsSync(abs)) throw new Error(`${path} not found from ${process.cwd()}; run from the repo root`);
  return readFileSync(abs, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const r = JSON.parse(l) as { id?: string; text?: string; label?: unknown };
      if (typeof r.text !== 'string') throw new Error(`${path}:${i + 1}: field "text" must be a string`);
      return { id: r.id ?? `line-${i + 1}`, text: r.text, ...(typeof r.label === 'string' ? { label: r.label } : {}) };
    });
}

async function show(title: string, path: string, k: number | undefined): Promise<void> {
  const records = read(path);
  const t0 = performance.now();
  const res = await clusterTaxonomy(records, { useCase: 'banking support intents', seed: 1, ...(k !== undefined ? { k } : {}) });
  const seconds = (performance.now() - t0) / 1000;
  const names = res.taxonomy.labels.map((l) => l.name);
  const bad = names.filter((n) => n.split(' ').some((w) => FRAGMENTS.has(w)));
  console.log(`\n## ${title}: ${records.length} texts, k = ${res.k}; ${new Set(names).size} unique names; ${bad.length} with a contraction fragment; ${seconds.toFixed(1)} s`);
  const all = process.argv.includes('--all');
  res.taxonomy.labels.forEach((l) => console.log(`${l.id.padEnd(4)} ${String(res.sizes[l.id]).padStart(4)}  ${l.name}${all ? `\n       ${l.description}` : ''}`));
  if (records.every((r) => r.label !== undefined)) {
    const pred = res.assignments.map((a) => a.labelId);
    const score = namingScore(new Map(res.taxonomy.labels.map((l) => [l.id, l.name])), records.map((r) => r.text), pred, records.map((r) => r.label!));
    for (const line of namingLines(res.k, score, 20)) console.log(line);
  }
}

await show('banking77 test', resolve(requireBenchData('banking77', ['test.jsonl']), 'test.jsonl'), 77);
await show('banking sample', 'examples/data/banking-sample.jsonl', undefined);
