import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { CorpusError, readCorpus, readCorpusAll, type CorpusIssue } from '../../src/io/index.js';
import { tempDir } from './tmp.js';

const t = tempDir();
const jsonl = (...rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
const hashId = (text: string) => 'r' + createHash('sha256').update(text).digest('hex').slice(0, 16);

describe('readCorpus: JSONL', () => {
  it('reads ids, texts, labels (string or array), numeric ids and metadata', async () => {
    const path = t.file(
      'ok.jsonl',
      jsonl(
        { id: 'a', text: 'first', label: 'x', lang: 'en', score: 1 },
        { id: 7, text: 'second', label: ['y', 'z'], lang: 'fr' },
        { id: 'c', text: 'third' },
      ),
    );
    const { records, stats, issues } = await readCorpusAll(path, { labelField: 'label', metadataFields: ['lang'] });
    expect(issues).toEqual([]);
    expect(records).toEqual([
      { id: 'a', text: 'first', label: 'x', metadata: { lang: 'en' } },
      { id: '7', text: 'second', label: 'y', labels: ['y', 'z'], metadata: { lang: 'fr' } },
      { id: 'c', text: 'third' },
    ]);
    expect(stats).toMatchObject({ lines: 3, records: 3, skipped: 0, generatedIds: 0 });

    const rest = await readCorpusAll(path, { labelField: 'label', metadataFields: 'rest' });
    expect(rest.records[0]!.metadata).toEqual({ lang: 'en', score: 1 });
  });

  it('supports custom and dotted field names', async () => {
    const path = t.file(
      'nested.jsonl',
      jsonl({ uid: 'u1', payload: { body: 'hello' }, meta: { src: 'web' } }, { uid: 'u2', 'payload.body': 'literal key wins' }),
    );
    const { records, issues } = await readCorpusAll(path, { textField: 'payload.body', idField: 'uid', metadataFields: 'rest' });
    expect(issues).toEqual([]);
    expect(records).toEqual([
      { id: 'u1', text: 'hello', metadata: { meta: { src: 'web' } } },
      { id: 'u2', text: 'literal key wins' },
    ]);
  });

  it('reports and counts every bad line with file:line:field, yielding the good ones', async () => {
    const lines = [
      JSON.stringify({ id: '1', text: 'good one' }), // 1
      '{"id": "2", "text": ', // 2 bad JSON
      JSON.stringify({ id: '3', text: 5 }), // 3 wrong type
      JSON.stringify({ id: '4', body: 'no text', other: 1 }), // 4 missing field
      JSON.stringify([1, 2]), // 5 not an object
      JSON.stringify({ id: '6', text: '   ' }), // 6 whitespace text
      '', // 7 blank line
      JSON.stringify({ id: '1', text: 'same id again' }), // 8 duplicate id
      JSON.stringify({ id: true, text: 'bool id' }), // 9 wrong id type
      JSON.stringify({ id: '10', text: 'good two' }), // 10
    ];
    const bytes = Buffer.concat([
      Buffer.from(lines.join('\n') + '\n'),
      Buffer.from('{"id": "12", "text": "bad \xff byte"}\n', 'latin1'), // 11 invalid UTF-8
      Buffer.from(JSON.stringify({ id: '12', text: 'good three' }) + '\n'), // 12: id 12 is free (line 11 skipped)
    ]);
    const path = t.file('data.jsonl', bytes);
    const seen: CorpusIssue[] = [];
    const reader = readCorpus(path, { onIssue: (i) => seen.push(i) });
    const ids: string[] = [];
    for await (const r of reader) ids.push(r.id);
    expect(ids).toEqual(['1', '10', '12']);
    expect(reader.issues).toEqual(seen);
    const byLine = Object.fromEntries(seen.map((i) => [i.line, i]));
    expect(Object.keys(byLine).map(Number)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 11]);
    expect(byLine[2]).toMatchObject({ kind: 'malformed', file: path });
    expect(byLine[2]!.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: invalid JSON: `));
    expect(byLine[3]).toEqual({ file: path, line: 3, field: 'text', id: '3', kind: 'wrong_type', message: `${path}:3: field "text": expected a string, got number` });
    expect(byLine[4]).toMatchObject({ kind: 'missing_field', field: 'text' });
    expect(byLine[4]!.message).toBe(`${path}:4: field "text": missing (fields: id, body, other); set textField`);
    expect(byLine[5]!.message).toBe(`${path}:5: expected a JSON object, got array`);
    expect(byLine[6]).toMatchObject({ kind: 'empty_text', field: 'text', id: '6', message: `${path}:6: field "text": only whitespace` });
    expect(byLine[6]!.kept).toBeUndefined();
    expect(byLine[7]).toMatchObject({ kind: 'empty_text', message: `${path}:7: empty line` });
    expect(byLine[8]).toMatchObject({ kind: 'duplicate_id', id: '1', message: `${path}:8: field "id": duplicate id "1" (first seen on line 1)` });
    expect(byLine[9]).toMatchObject({ kind: 'wrong_type', field: 'id' });
    expect(byLine[9]!.id).toBeUndefined();
    expect(byLine[11]).toMatchObject({ kind: 'invalid_utf8', message: `${path}:11: invalid UTF-8` });
    expect(reader.stats).toEqual({
      lines: 12,
      records: 3,
      skipped: 9,
      kept: 0,
      generatedIds: 0,
      byKind: { duplicate_id: 1, empty_text: 2, invalid_utf8: 1, malformed: 2, missing_field: 1, wrong_type: 2 },
    });
  });

  it('keepEmptyTexts: yields empty-text records with their id (given or generated), still reported and counted', async () => {
    const path = t.file(
      'keep-empty.jsonl',
      jsonl(
        { id: 'a', text: 'good' }, // 1
        { id: 'b', text: '' }, // 2 empty, kept
        { text: '   ' }, // 3 whitespace, no id: kept with a generated id
        '', // 4 blank line: not a record, skipped
        'not json', // 5 malformed: skipped
        { id: 'a', text: '' }, // 6 empty with a duplicate id: skipped as a duplicate
        { text: '   ' }, // 7 same whitespace again: generated id suffixed
        { id: 9, body: 'no text' }, // 8 missing field: skipped
        { id: 'c', text: 'also good' }, // 9
      ),
    );
    const seen: CorpusIssue[] = [];
    const { records, issues, stats } = await readCorpusAll(path, { keepEmptyTexts: true, onIssue: (i) => seen.push(i) });
    const ws = hashId('   ');
    expect(records).toEqual([
      { id: 'a', text: 'good' },
      { id: 'b', text: '' },
      { id: ws, text: '   ' },
      { id: `${ws}-2`, text: '   ' },
      { id: 'c', text: 'also good' },
    ]);
    expect(issues).toEqual(seen);
    expect(issues.map((i) => [i.line, i.kind, i.id, i.kept])).toEqual([
      [2, 'empty_text', 'b', true],
      [3, 'empty_text', ws, true],
      [4, 'empty_text', undefined, undefined],
      [5, 'malformed', undefined, undefined],
      [6, 'duplicate_id', 'a', undefined],
      [7, 'empty_text', `${ws}-2`, true],
      [8, 'missing_field', undefined, undefined],
    ]);
    expect(issues[0]!.message).toBe(`${path}:2: field "text": empty`);
    // Every issue counted once: records yielded despite one are `kept`, the others `skipped`.
    expect(stats).toEqual({
      lines: 9,
      records: 5,
      skipped: 4,
      kept: 3,
      generatedIds: 2,
      byKind: { duplicate_id: 1, empty_text: 4, invalid_utf8: 0, malformed: 1, missing_field: 1, wrong_type: 0 },
    });

    // Without the option the same file skips them (and ids stay known where the source gives one).
    const plain = await readCorpusAll(path);
    expect(plain.records.map((r) => r.id)).toEqual(['a', 'c']);
    expect(plain.stats).toMatchObject({ records: 2, skipped: 7, kept: 0 });
    expect(plain.issues.find((i) => i.line === 2)).toMatchObject({ kind: 'empty_text', id: 'b' });
    expect(plain.issues.find((i) => i.line === 2)!.kept).toBeUndefined();

    // Strict mode still stops at an empty text, kept or not.
    await expect(readCorpusAll(path, { keepEmptyTexts: true, strict: true })).rejects.toMatchObject({ line: 2, kind: 'empty_text' });
  });

  it('caps the kept issues at maxIssues but counts and reports all', async () => {
    const path = t.file('many-bad.jsonl', 'x\n'.repeat(25));
    let reported = 0;
    const reader = readCorpus(path, { maxIssues: 5, onIssue: () => reported++ });
    for await (const _ of reader) throw new Error('no record expected');
    expect(reader.issues).toHaveLength(5);
    expect(reported).toBe(25);
    expect(reader.stats.byKind.malformed).toBe(25);
    expect(reader.stats.skipped).toBe(25);
  });

  it('strict mode throws a CorpusError with file, line and field on the first issue', async () => {
    const path = t.file('strict.jsonl', jsonl({ id: 'a', text: 'ok' }, { id: 'b', text: null }, 'garbage'));
    const got: string[] = [];
    const err = await (async () => {
      for await (const r of readCorpus(path, { strict: true })) got.push(r.id);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(got).toEqual(['a']);
    expect(err).toBeInstanceOf(CorpusError);
    expect(err).toMatchObject({ file: path, line: 2, field: 'text', kind: 'wrong_type', message: `${path}:2: field "text": expected a string, got null` });
  });

  it('handles CRLF line endings, a BOM and a last line without newline', async () => {
    const path = t.file('crlf.jsonl', '\ufeff{"id":"a","text":"one"}\r\n{"id":"b","text":"two\\r\\n"}\r\n{"id":"c","text":"three"}');
    const { records, issues } = await readCorpusAll(path);
    expect(issues).toEqual([]);
    expect(records.map((r) => [r.id, r.text])).toEqual([
      ['a', 'one'],
      ['b', 'two\r\n'],
      ['c', 'three'],
    ]);
  });

  it('generates stable content-hash ids, suffixing repeated texts in order of appearance', async () => {
    const a = t.file('gen-a.jsonl', jsonl({ text: 'alpha' }, { text: 'beta' }, { text: 'alpha' }, { text: 'alpha' }));
    const b = t.file('gen-b.jsonl', jsonl({ text: 'new first line' }, { text: 'beta' }, { text: 'alpha' }, { text: 'alpha' }, { text: 'alpha' }));
    const ra = await readCorpusAll(a);
    const rb = await readCorpusAll(b);
    const alpha = hashId('alpha');
    expect(ra.records.map((r) => r.id)).toEqual([alpha, hashId('beta'), `${alpha}-2`, `${alpha}-3`]);
    expect(ra.stats.generatedIds).toBe(4);
    // Inserting a line elsewhere does not change the ids of the other texts.
    expect(rb.records.slice(1).map((r) => r.id)).toEqual([hashId('beta'), alpha, `${alpha}-2`, `${alpha}-3`]);
  });

  it('resets stats and issues on each iteration', async () => {
    const path = t.file('twice.jsonl', jsonl({ id: 'a', text: 'x' }, 'bad'));
    const reader = readCorpus(path);
    const statsRef = reader.stats;
    for (let i = 0; i < 2; i++) {
      const ids: string[] = [];
      for await (const r of reader) ids.push(r.id);
      expect(ids).toEqual(['a']);
      expect(reader.issues).toHaveLength(1);
      expect(reader.stats).toMatchObject({ records: 1, skipped: 1, lines: 2 });
    }
    expect(reader.stats).toBe(statsRef);
  });

  it('batches() gives the same records and stats as record-by-record iteration', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => (i % 50 === 7 ? 'bad' : { id: `k${i}`, text: `text ${i % 30}` }));
    const path = t.file('batches.jsonl', jsonl(...rows));
    const one = await readCorpusAll(path);
    const reader = readCorpus(path);
    const flat = [];
    for await (const batch of reader.batches()) flat.push(...batch);
    expect(flat).toEqual(one.records);
    expect(reader.stats).toEqual(one.stats);
    expect(one.stats).toMatchObject({ records: 490, skipped: 10 });
  });

  it('stops reading when the consumer breaks out early, and can be iterated again', async () => {
    const path = t.file('big.jsonl', jsonl(...Array.from({ length: 20_000 }, (_, i) => ({ id: `b${i}`, text: `some text number ${i}` }))));
    const reader = readCorpus(path);
    for await (const r of reader) {
      expect(r.id).toBe('b0');
      break;
    }
    expect(reader.stats.lines).toBeGreaterThan(0);
    expect(reader.stats.lines).toBeLessThan(20_000);
    let n = 0;
    for await (const _ of reader) n++;
    expect(n).toBe(20_000);
  });

  it('stops on abort', async () => {
    const path = t.file('abort.jsonl', jsonl(...Array.from({ length: 10 }, (_, i) => ({ id: String(i), text: 'x' }))));
    const ctrl = new AbortController();
    ctrl.abort(new Error('stop now'));
    await expect(readCorpusAll(path, { signal: ctrl.signal })).rejects.toThrow('stop now');
  });

  it('picks the format from the extension, or explains how to set it', async () => {
    expect(() => readCorpus('/data/corpus.parquet')).toThrow(/cannot tell the format of \/data\/corpus\.parquet.*pass the format option/);
    expect(readCorpus('x.ndjson').format).toBe('jsonl');
    expect(readCorpus('x.json-lines').format).toBe('jsonl');
    expect(readCorpus('x.TSV').format).toBe('csv');
    const path = t.file('data.log', jsonl({ id: 'a', text: 'x' }));
    expect((await readCorpusAll(path, { format: 'jsonl' })).records).toHaveLength(1);
  });

  it('names the file when it cannot be read', async () => {
    await expect(readCorpusAll(`${t.dir}/missing.jsonl`)).rejects.toThrow(new RegExp(`cannot read ${t.dir}/missing\\.jsonl: ENOENT`));
    await expect(readCorpusAll(`${t.dir}/missing.jsonl`)).rejects.toBeInstanceOf(CorpusError);
  });

  it('rejects label values of the wrong type and treats null or empty labels as unlabeled', async () => {
    const path = t.file(
      'labels.jsonl',
      jsonl({ id: 'a', text: 'x', label: { name: 'obj' } }, { id: 'b', text: 'y', label: null }, { id: 'c', text: 'z', label: ['ok', 3] }, { id: 'd', text: 'w', label: ['ok', ''] }),
    );
    const { records, issues } = await readCorpusAll(path, { labelField: 'label' });
    expect(records).toEqual([
      { id: 'b', text: 'y' },
      { id: 'c', text: 'z', label: 'ok', labels: ['ok', '3'] },
    ]);
    expect(issues.map((i) => [i.line, i.kind, i.field])).toEqual([
      [1, 'wrong_type', 'label'],
      [4, 'wrong_type', 'label'],
    ]);
  });
});
