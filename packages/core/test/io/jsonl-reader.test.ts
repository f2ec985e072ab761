import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { LabelAssignmentSchema } from '../../src/schemas/index.js';
import { CorpusError, DataFileError, readJsonl, readJsonlTolerant } from '../../src/io/index.js';
import { tempDir } from './tmp.js';

const t = tempDir();

describe('readJsonl', () => {
  it('validates each line with the schema, reporting the zod path as field', async () => {
    const path = t.file(
      'labels.jsonl',
      [
        JSON.stringify({ id: 'a', status: 'ok', label: 'X' }),
        JSON.stringify({ id: 'b', status: 'ok' }),
        JSON.stringify({ id: 'c', status: 'failed', error: { kind: 'nope', message: 'm' } }),
        JSON.stringify({ status: 'ok', label: 'Y' }),
        '',
        JSON.stringify({ id: 'd', status: 'ok', confidence: '0.5', label: 'Z' }),
        'not json',
        JSON.stringify({ id: 'e', status: 'failed', error: { kind: 'timeout', message: 'slow' } }),
      ].join('\n') + '\n',
    );
    const reader = readJsonl(path, { schema: LabelAssignmentSchema });
    const ids: string[] = [];
    for await (const a of reader) ids.push(a.id);
    expect(ids).toEqual(['a', 'e']);
    expect(reader.issues.map((i) => [i.line, i.kind, i.field])).toEqual([
      [2, 'malformed', 'label'],
      [3, 'malformed', 'error.kind'],
      [4, 'missing_field', 'id'],
      [6, 'wrong_type', 'confidence'],
      [7, 'malformed', undefined],
    ]);
    expect(reader.issues[1]!.message).toMatch(new RegExp(`labels\\.jsonl:3: field "error\\.kind": `));
    expect(reader.issues[2]!.message).toMatch(/labels\.jsonl:4: field "id": Invalid input: expected string, received undefined/);
    expect(reader.stats).toMatchObject({ lines: 8, records: 2, skipped: 5, blankLines: 1 });
  });

  it('strict mode throws a DataFileError naming file, line and field', async () => {
    const path = t.file('strict.jsonl', '{"n":1}\n{"n":"two"}\n');
    const err = await (async () => {
      for await (const _ of readJsonl(path, { schema: z.object({ n: z.number() }), strict: true }));
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect(err).toBeInstanceOf(CorpusError);
    expect(err).toMatchObject({ file: path, line: 2, field: 'n' });
  });

  it('yields raw JSON values without a schema, and fails on a missing file', async () => {
    const path = t.file('raw.jsonl', '1\n"s"\n[1]\n');
    const out: unknown[] = [];
    for await (const v of readJsonl(path)) out.push(v);
    expect(out).toEqual([1, 's', [1]]);
    await expect(
      (async () => {
        for await (const _ of readJsonl(`${t.dir}/nope.jsonl`));
      })(),
    ).rejects.toThrow(/cannot read .*nope\.jsonl/);
  });
});

describe('readJsonlTolerant', () => {
  it('reads a missing file as empty and reports bad complete lines without throwing', async () => {
    expect(await readJsonlTolerant(`${t.dir}/absent.jsonl`)).toMatchObject({ records: [], partialLine: null });
    const path = t.file('mixed.jsonl', '{"n":1}\nbroken\n{"n":2}\n{"n":');
    const r = await readJsonlTolerant(path, { schema: z.object({ n: z.number() }) });
    expect(r.records).toEqual([{ n: 1 }, { n: 2 }]);
    expect(r.issues.map((i) => i.line)).toEqual([2]);
    expect(r.partialLine).toEqual({ line: 4, bytes: 5 });
    expect(r.stats).toMatchObject({ lines: 4, records: 2, skipped: 1 });
  });

  it('treats an unterminated bare number as torn (it may be a cut-off longer number)', async () => {
    const path = t.file('num.jsonl', '{"n":1}\n12');
    expect((await readJsonlTolerant(path)).partialLine).toEqual({ line: 2, bytes: 2 });
  });
});
