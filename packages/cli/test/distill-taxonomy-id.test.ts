/**
 * `taxonomist distill labels.jsonl --corpus corpus.jsonl`: the model file records the taxonomy the label lines carry,
 * and label lines of two different taxonomies are refused (bad input), not mixed into one model.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/exit-codes.js';
import { main } from '../src/main.js';
import { memoryIO } from './helpers.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');
const records = readFileSync(SAMPLE, 'utf8')
  .trim()
  .split('\n')
  .slice(0, 120)
  .map((l) => JSON.parse(l) as { id: string; text: string; label: string });

describe('distill from labeler output: taxonomy id', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taxonomist-distill-tax-'));
  writeFileSync(join(dir, 'corpus.jsonl'), records.map((r) => JSON.stringify({ id: r.id, text: r.text })).join('\n') + '\n');
  const labelLines = (taxonomyOf: (i: number) => string | undefined) =>
    records
      .map((r, i) => {
        const t = taxonomyOf(i);
        return JSON.stringify({ id: r.id, status: 'ok', label: r.label, ...(t !== undefined ? { taxonomyId: t } : {}) });
      })
      .join('\n') + '\n';
  const run = async (args: string[]) => {
    const io = memoryIO({ cwd: dir, env: {} });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };

  it('writes the taxonomyId of the label lines into model.json', async () => {
    // Lines without a taxonomyId (e.g. failed ones written by older runs) do not count as a disagreement.
    writeFileSync(join(dir, 'labels.jsonl'), labelLines((i) => (i % 10 === 3 ? undefined : 'tax-abc123')));
    const r = await run(['distill', 'labels.jsonl', '--corpus', 'corpus.jsonl', '--out', 'model.json', '-q']);
    expect(r.err).toBe('');
    expect(r.code).toBe(EXIT.OK);
    const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { taxonomyId?: string };
    expect(model.taxonomyId).toBe('tax-abc123');
  }, 60_000);

  it('refuses label lines that name different taxonomies', async () => {
    writeFileSync(join(dir, 'mixed.jsonl'), labelLines((i) => (i < 60 ? 'tax-one' : 'tax-two')));
    const r = await run(['distill', 'mixed.jsonl', '--corpus', 'corpus.jsonl', '--out', 'mixed-model.json', '-q']);
    expect(r.code).toBe(EXIT.BAD_INPUT);
    expect(r.err).toContain('mixed.jsonl');
    expect(r.err).toContain('tax-one');
    expect(r.err).toContain('tax-two');
  }, 60_000);
});
