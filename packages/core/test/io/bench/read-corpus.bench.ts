/**
 * Throughput of readCorpus against a naive baseline measured in the same run (node:readline + JSON.parse, no
 * validation, no issue reporting), on a synthetic corpus built from banking77 texts.
 *   npx tsx --conditions=source packages/core/test/io/bench/read-corpus.bench.ts [records]
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readCorpus } from '../../../src/io/index.js';
import { requireBenchData } from '../../../../../bench/shared-data.js';

const N = Number(process.argv[2] ?? 300_000);
const source = readFileSync(join(requireBenchData('banking77', ['train.jsonl']), 'train.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { text: string; label: string });
const dir = mkdtempSync(join(tmpdir(), 'bench-io-'));
const jsonlPath = join(dir, 'corpus.jsonl');
const csvPath = join(dir, 'corpus.csv');
const jl: string[] = [];
const csv: string[] = ['id,text,label'];
for (let i = 0; i < N; i++) {
  const r = source[i % source.length]!;
  jl.push(JSON.stringify({ id: `d${i}`, text: r.text, label: r.label }));
  csv.push(`d${i},"${r.text.replace(/"/g, '""')}",${r.label}`);
}
writeFileSync(jsonlPath, jl.join('\n') + '\n');
writeFileSync(csvPath, csv.join('\n') + '\n');
const mb = (p: string) => readFileSync(p).length / 1e6;

async function baseline(path: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (line === '') continue;
    const o = JSON.parse(line) as { text: string };
    if (typeof o.text === 'string') n++;
  }
  return n;
}
async function ours(path: string, opts = {}): Promise<number> {
  let n = 0;
  for await (const _ of readCorpus(path, { labelField: 'label', ...opts })) n++;
  return n;
}
async function oursBatches(path: string): Promise<number> {
  let n = 0;
  for await (const b of readCorpus(path, { labelField: 'label' }).batches()) n += b.length;
  return n;
}
/** Best of 3 by CPU time (user + system) of this process: steadier than wall time on a shared machine. */
async function time(name: string, fn: () => Promise<number>): Promise<number> {
  await fn(); // warm-up
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const n = await fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (n !== N) throw new Error(`${name}: read ${n} records, expected ${N}`);
  }
  const best = Math.min(...cpu);
  console.log(
    `${name.padEnd(34)} cpu ${best.toFixed(0).padStart(6)} ms  ${((N / best) * 1000).toFixed(0).padStart(9)} records/s  (wall ${Math.min(...wall).toFixed(0)} ms)`,
  );
  return best;
}

console.log(`${N} records: JSONL ${mb(jsonlPath).toFixed(1)} MB, CSV ${mb(csvPath).toFixed(1)} MB (best of 3, CPU time)`);
const base = await time('baseline readline+JSON.parse', () => baseline(jsonlPath));
const j = await time('readCorpus jsonl', () => ours(jsonlPath));
const jb = await time('readCorpus jsonl, batches()', () => oursBatches(jsonlPath));
const c = await time('readCorpus csv (all fields quoted)', () => ours(csvPath));
const g = await time('readCorpus jsonl, generated ids', () => ours(jsonlPath, { idField: 'none' }));
console.log(`ratios vs baseline: jsonl ${(j / base).toFixed(2)}x, jsonl batches ${(jb / base).toFixed(2)}x, csv ${(c / base).toFixed(2)}x, generated ids ${(g / base).toFixed(2)}x`);
rmSync(dir, { recursive: true, force: true });
