import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolRecord } from '../src/index.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The 847-record banking sample shipped in examples/data (gold intent labels). */
export function bankingSample(): { pool: PoolRecord[]; gold: Map<string, string> } {
  const lines = readFileSync(join(ROOT, 'examples/data/banking-sample.jsonl'), 'utf8').trim().split('\n');
  const recs = lines.map((l) => JSON.parse(l) as { id: string; text: string; label: string });
  return { pool: recs.map((r) => ({ id: r.id, text: r.text })), gold: new Map(recs.map((r) => [r.id, r.label])) };
}

/** Options of the resume test (shared by the child process and the in-process runs). */
export const RESUME_OPTIONS = { strategy: 'diverse', seed: 7, seedSize: 60, batchSize: 40, labelBudget: 260, strata: 30 } as const;
