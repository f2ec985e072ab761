import { describe, expect, it } from 'vitest';
import { readCorpus } from '../../src/io/corpus-reader.js';
import type { CorpusIssue } from '../../src/io/types.js';
import { createRng } from '../../src/util/random.js';
import { tempDir } from './tmp.js';

const t = tempDir();

/**
 * The duplicate-id check spills its table to disk (core's SpillIdSet): with a table of 3 ids, a corpus of thousands
 * of lines crosses hundreds of spill boundaries. Duplicates must be reported exactly (file, line of the repeat and
 * of the first occurrence), and nothing else dropped, as with an in-memory Map.
 */
describe('readCorpus: duplicate ids across spill boundaries', () => {
  it('reports exactly the repeated ids with their first line, whatever the table size', async () => {
    const random = createRng(13);
    const lines: string[] = [];
    const firstLine = new Map<string, number>();
    const expected: { line: number; id: string; first: number }[] = [];
    const kept: string[] = [];
    for (let line = 1; line <= 4000; line++) {
      // Mostly new ids; some repeat an id from far back (spilled long ago), some a recent one (still in memory).
      const id = random.next() < 0.1 ? `r${random.int(line)}` : random.next() < 0.05 ? `r${Math.max(0, line - 2)}` : `r${line}`;
      lines.push(JSON.stringify({ id, text: `text ${line}` }));
      const first = firstLine.get(id);
      if (first === undefined) {
        firstLine.set(id, line);
        kept.push(id);
      } else expected.push({ line, id, first });
    }
    const path = t.file('dups.jsonl', lines.join('\n') + '\n');
    expect(expected.length).toBeGreaterThan(300);

    for (const idSet of [{ memoryEntries: 3 }, { memoryEntries: 64, dir: t.dir }, undefined]) {
      const issues: CorpusIssue[] = [];
      const reader = readCorpus(path, { onIssue: (i) => issues.push(i), ...(idSet ? { idSet } : {}) });
      const ids: string[] = [];
      for await (const r of reader) ids.push(r.id);
      expect(ids).toEqual(kept);
      expect(issues.map((i) => ({ kind: i.kind, line: i.line, message: i.message }))).toEqual(
        expected.map((e) => ({
          kind: 'duplicate_id',
          line: e.line,
          message: `${path}:${e.line}: field "id": duplicate id "${e.id}" (first seen on line ${e.first})`,
        })),
      );
      expect(reader.stats.byKind.duplicate_id).toBe(expected.length);
      expect(reader.stats.skipped).toBe(expected.length);
    }
  });

  it('generated ids of repeated texts get the same suffixes across spills', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(JSON.stringify({ text: `t${i % 50}` }));
    const path = t.file('generated.jsonl', lines.join('\n') + '\n');
    const read = async (idSet?: { memoryEntries: number }): Promise<string[]> => {
      const ids: string[] = [];
      for await (const r of readCorpus(path, idSet ? { idSet } : {})) ids.push(r.id);
      return ids;
    };
    const small = await read({ memoryEntries: 2 });
    expect(small).toEqual(await read());
    expect(new Set(small).size).toBe(300);
    expect(small[50]).toBe(`${small[0]}-2`);
  });
});
