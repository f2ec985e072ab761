import { describe, expect, it } from 'vitest';
import { readCorpusAll, type CorpusIssue } from '../../src/io/index.js';
import { shardOf } from '../../src/util/shard.js';
import { tempDir } from './tmp.js';

const t = tempDir();

describe('readCorpus with a shard', () => {
  it('splits the records into disjoint shards whose union, in order, is the unsharded read; issues reported once', async () => {
    const rows: string[] = [];
    for (let i = 0; i < 60; i++) rows.push(JSON.stringify({ id: `id${i}`, text: i % 13 === 5 ? '' : `text ${i}` }));
    rows.push('{not json', JSON.stringify({ id: 'id3', text: 'again' }), JSON.stringify({ text: 'no id' }), JSON.stringify({ text: 'no id' }));
    const path = t.file('sharded.jsonl', rows.join('\n') + '\n');
    const whole = await readCorpusAll(path, { keepEmptyTexts: true });
    const parts = [];
    for (let index = 0; index < 4; index++) {
      const issues: CorpusIssue[] = [];
      const part = await readCorpusAll(path, { keepEmptyTexts: true, shard: { index, count: 4 }, onIssue: (i) => issues.push(i) });
      for (const r of part.records) expect(shardOf(r.id, 4)).toBe(index);
      expect(part.stats.records + (part.stats.otherShards ?? 0)).toBe(whole.stats.records);
      parts.push({ ...part, onIssue: issues });
    }
    const union = parts.flatMap((p) => p.records);
    const position = new Map(whole.records.map((r, i) => [r.id, i]));
    expect(union.map((r) => r.id).sort()).toEqual(whole.records.map((r) => r.id).sort());
    for (const p of parts) {
      const pos = p.records.map((r) => position.get(r.id)!);
      expect(pos).toEqual([...pos].sort((a, b) => a - b));
    }
    // Each issue once: the bad JSON line (no id) in shard 0, the duplicate "id3" in id3's shard, empty texts in theirs.
    const allIssues = parts.flatMap((p) => p.onIssue).map((i) => i.message).sort();
    expect(allIssues).toEqual(whole.issues.map((i) => i.message).sort());
    expect(parts[0]!.onIssue.some((i) => i.kind === 'malformed')).toBe(true);
    const dup = parts[shardOf('id3', 4)]!.onIssue.find((i) => i.kind === 'duplicate_id');
    expect(dup?.message).toMatch(/duplicate id "id3" \(first seen on line 4\)/);
    // Generated ids of repeated texts are numbered over the whole file, as unsharded.
    expect(union.filter((r) => r.text === 'no id').map((r) => r.id).sort()).toEqual(whole.records.filter((r) => r.text === 'no id').map((r) => r.id).sort());
  });

  it('rejects a shard index out of range', async () => {
    const path = t.file('one.jsonl', '{"id":"a","text":"x"}\n');
    await expect(readCorpusAll(path, { shard: { index: 2, count: 2 } })).rejects.toThrow(/0 <= index < count/);
  });
});
