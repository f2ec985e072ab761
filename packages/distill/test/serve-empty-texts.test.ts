/** Serving keeps one output line per input record: empty texts get a failed 'input' line, counted in the result. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabelAssignmentSchema } from '@taxonomist/core';
import { predictFile, predictStream, train } from '../src/index.js';
import { syntheticExamples } from './helpers.js';

describe('predictStream / predictFile with empty texts', async () => {
  const { model } = await train(syntheticExamples(120, 3), { seed: 1, taxonomyId: 'tax-1' });

  it('predictStream yields a failed input line in place of each blank text, in input order', async () => {
    const input = [
      { id: 'a', text: 'my card was stolen' },
      { id: 'b', text: '' },
      { id: 'c', text: '   ' },
      { id: 'd', text: 'refund my purchase' },
    ];
    const out = [];
    for await (const r of predictStream(model, input, { batchSize: 3 })) out.push(r);
    expect(out.map((r) => [r.id, r.status])).toEqual([
      ['a', 'ok'],
      ['b', 'failed'],
      ['c', 'failed'],
      ['d', 'ok'],
    ]);
    expect(out[1]).toMatchObject({ error: { kind: 'input' }, taxonomyId: 'tax-1', topK: [] });
    expect(out[1]!.label).toBeUndefined();
    for (const r of out) LabelAssignmentSchema.parse(r);
    expect(out[3]!.label).toBe('refund');
  });

  it('predictFile writes one line per record and counts the failed ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distill-serve-empty-'));
    const inPath = join(dir, 'corpus.jsonl');
    const outPath = join(dir, 'pred.jsonl');
    writeFileSync(
      inPath,
      [{ id: 'x1', text: 'lost my wallet and card' }, { id: 'x2', text: '' }, { id: 'x3', text: 'top up balance' }, { id: 'x4', text: ' \t ' }]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    const res = await predictFile(model, inPath, outPath);
    expect(res.written).toBe(4);
    expect(res.failed).toBe(2);
    expect(res.skipped).toBe(0);
    expect(res.issues.filter((i) => i.kind === 'empty_text').map((i) => i.id)).toEqual(['x2', 'x4']);
    const lines = readFileSync(outPath, 'utf8').trim().split('\n').map((l) => LabelAssignmentSchema.parse(JSON.parse(l)));
    expect(lines.map((l) => [l.id, l.status, l.error?.kind])).toEqual([
      ['x1', 'ok', undefined],
      ['x2', 'failed', 'input'],
      ['x3', 'ok', undefined],
      ['x4', 'failed', 'input'],
    ]);
  });
});
