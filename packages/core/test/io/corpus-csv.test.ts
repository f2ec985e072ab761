import { describe, it, expect } from 'vitest';
import { CorpusError, CsvRecordParser, readCorpusAll } from '../../src/io/index.js';
import { tempDir } from './tmp.js';

const t = tempDir();

/** Feed text to the parser line by line, as the reader does. */
function parse(text: string, delimiter = ','): { line: number; fields: string[]; error?: string }[] {
  const parser = new CsvRecordParser(delimiter);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: { line: number; fields: string[]; error?: string }[] = [];
  lines.forEach((l, i) => {
    const r = parser.push(l, i + 1);
    if (r) out.push(r.error === undefined ? { line: r.line, fields: r.fields } : { line: r.line, fields: r.fields, error: r.error });
  });
  const tail = parser.finish(lines.length);
  if (tail) out.push({ line: tail.line, fields: tail.fields, error: tail.error! });
  return out;
}

describe('CsvRecordParser (RFC 4180)', () => {
  it('parses plain, quoted, escaped, empty and multi-line fields', () => {
    expect(parse('a,b,c\n1,"two, too","say ""hi"""\n,"",x\n"multi\nline\n\nfield",y,"z"\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'two, too', 'say "hi"'] },
      { line: 3, fields: ['', '', 'x'] },
      { line: 4, fields: ['multi\nline\n\nfield', 'y', 'z'] },
    ]);
  });

  it('keeps a quote inside an unquoted field literally, flags text after a closing quote', () => {
    expect(parse('5" screen,ok\n"ab"c,d\n')).toEqual([
      { line: 1, fields: ['5" screen', 'ok'] },
      { line: 2, fields: ['abc', 'd'], error: 'unexpected character "c" after a closing quote (field 1)' },
    ]);
  });

  it('reports an unterminated quote at end of input with its starting line', () => {
    expect(parse('a,b\n1,"never\nclosed\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', 'never\nclosed'], error: 'unterminated quoted field (field 2) runs to the end of the file (2 lines)' },
    ]);
  });

  it('supports other delimiters and rejects unusable ones', () => {
    expect(parse('a\tb\n"x\ty"\tz\n', '\t')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x\ty', 'z'] },
    ]);
    expect(() => new CsvRecordParser('"')).toThrow(/delimiter/);
    expect(() => new CsvRecordParser(',,')).toThrow(/delimiter/);
  });
});

describe('readCorpus: CSV and TSV', () => {
  it('reads a CSV with quoted fields, embedded newlines, CRLF, BOM, labels and metadata', async () => {
    const path = t.file(
      'ok.csv',
      '\ufeffid,text,label,source\r\n' +
        '1,"Hello, world",greet,web\r\n' +
        '2,"line one\r\nline ""two""",multi,app\r\n' +
        ',no id here,,web\r\n',
    );
    const { records, issues, stats } = await readCorpusAll(path, { labelField: 'label', metadataFields: 'rest' });
    expect(issues).toEqual([]);
    expect(records).toEqual([
      { id: '1', text: 'Hello, world', label: 'greet', metadata: { source: 'web' } },
      { id: '2', text: 'line one\nline "two"', label: 'multi', metadata: { source: 'app' } },
      { id: records[2]!.id, text: 'no id here', metadata: { source: 'web' } },
    ]);
    expect(records[2]!.id).toMatch(/^r[0-9a-f]{16}$/);
    expect(stats).toMatchObject({ lines: 5, records: 3, skipped: 0, generatedIds: 1 });
  });

  it('reads TSV with a tab delimiter and custom columns', async () => {
    const path = t.file('ok.tsv', 'doc\tbody\n d1 \thas, commas\nd2\t"quoted\ttab"\n');
    const { records, issues } = await readCorpusAll(path, { idField: 'doc', textField: 'body' });
    expect(issues).toEqual([]);
    expect(records).toEqual([
      { id: ' d1 ', text: 'has, commas' },
      { id: 'd2', text: 'quoted\ttab' },
    ]);
  });

  it('reports bad rows with the line where the record starts', async () => {
    const path = t.file(
      'bad.csv',
      Buffer.concat([
        Buffer.from(
          'id,text\n' + // 1
            'a,ok\n' + // 2
            'b,too,many\n' + // 3 wrong column count
            'c,"x"y\n' + // 4 text after closing quote
            '\n' + // 5 blank line
            'd,"  "\n' + // 6 whitespace text
            'a,dup\n' + // 7 duplicate id
            'e,"spans\nthree\nlines"\n', // 8-10 ok
        ),
        Buffer.from('f,caf\xe9\n', 'latin1'), // 11 invalid UTF-8
        Buffer.from('g,"unterminated\nto the end\n'), // 12-13
      ]),
    );
    const { records, issues, stats } = await readCorpusAll(path);
    expect(records.map((r) => r.id)).toEqual(['a', 'e']);
    expect(issues.map((i) => [i.line, i.kind])).toEqual([
      [3, 'malformed'],
      [4, 'malformed'],
      [5, 'empty_text'],
      [6, 'empty_text'],
      [7, 'duplicate_id'],
      [11, 'invalid_utf8'],
      [12, 'malformed'],
    ]);
    expect(issues[0]!.message).toBe(`${path}:3: expected 2 columns (as in the header), got 3`);
    expect(issues[6]!.message).toMatch(/:12: unterminated quoted field \(field 2\) runs to the end of the file \(2 lines\)$/);
    expect(stats).toMatchObject({ lines: 13, records: 2, skipped: 7 });
  });

  it('keepEmptyTexts: a row with an empty text column is yielded; a blank row is not a record', async () => {
    const path = t.file('keep-empty.csv', 'id,text\na,hello\nb,\n\nc,"  "\n');
    const { records, issues, stats } = await readCorpusAll(path, { keepEmptyTexts: true });
    expect(records).toEqual([
      { id: 'a', text: 'hello' },
      { id: 'b', text: '' },
      { id: 'c', text: '  ' },
    ]);
    expect(issues.map((i) => [i.line, i.kind, i.id, i.kept])).toEqual([
      [3, 'empty_text', 'b', true],
      [4, 'empty_text', undefined, undefined],
      [5, 'empty_text', 'c', true],
    ]);
    expect(stats).toMatchObject({ lines: 5, records: 3, skipped: 1, kept: 2 });
  });

  it('requires a header naming the text column, listing the columns it found', async () => {
    const noText = t.file('notext.csv', 'id,body\n1,x\n');
    await expect(readCorpusAll(noText)).rejects.toThrow(`${noText}:1: no "text" column in the header (columns: "id", "body"); set textField`);
    await expect(readCorpusAll(noText, { labelField: 'label', textField: 'body' })).rejects.toThrow(/no "label" column.*check labelField/);
    await expect(readCorpusAll(noText, { textField: 'body', metadataFields: ['lang'] })).rejects.toThrow(/no "lang" column.*check metadataFields/);
    const empty = t.file('empty.csv', '');
    await expect(readCorpusAll(empty)).rejects.toThrow(/empty file; a CSV corpus needs a header row/);
    const dupHeader = t.file('dup.csv', 'text,text\na,b\n');
    const err = await readCorpusAll(dupHeader).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorpusError);
    expect((err as CorpusError).message).toBe(`${dupHeader}:1: duplicate column "text" in the header`);
  });

  it('picks metadata columns by name', async () => {
    const path = t.file('meta.csv', 'text,a,b\nx,1,2\n');
    expect((await readCorpusAll(path, { metadataFields: ['b'] })).records[0]!.metadata).toEqual({ b: '2' });
  });
});

describe('readCorpus: plain text', () => {
  it('makes one record per line with content-hash ids, reporting empty lines', async () => {
    const path = t.file('lines.txt', 'first line\r\n\nsecond line\n   \nfirst line\nlast without newline');
    const { records, issues, stats } = await readCorpusAll(path);
    expect(records.map((r) => r.text)).toEqual(['first line', 'second line', 'first line', 'last without newline']);
    expect(records[2]!.id).toBe(`${records[0]!.id}-2`);
    expect(new Set(records.map((r) => r.id)).size).toBe(4);
    expect(issues.map((i) => [i.line, i.kind, i.message])).toEqual([
      [2, 'empty_text', `${path}:2: empty line`],
      [4, 'empty_text', `${path}:4: empty line`],
    ]);
    expect(stats).toMatchObject({ lines: 6, records: 4, skipped: 2, generatedIds: 4 });
  });
});
