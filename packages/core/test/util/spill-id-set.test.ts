import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SpillIdSet } from '../../src/util/spill-id-set.js';
import { createRng } from '../../src/util/random.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'spill-id-set-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SpillIdSet', () => {
  it('keeps the first value of every id across many spills, exactly like a Map', () => {
    const set = new SpillIdSet({ memoryEntries: 7, dir: tempDir() });
    const model = new Map<string, number>();
    const random = createRng(5);
    // Ids drawn from a pool with repeats: new ids, repeats of ids spilled long ago, repeats of ids still in memory.
    for (let i = 0; i < 5000; i++) {
      const id = `rec-${random.int(3000)}`;
      const expected = model.get(id);
      expect(set.addIfAbsent(id, i)).toBe(expected);
      if (expected === undefined) model.set(id, i);
    }
    expect(set.size).toBe(model.size);
    expect(set.stats.runs).toBeGreaterThan(100);
    for (const [id, value] of model) expect(set.get(id)).toBe(value);
    for (let i = 3000; i < 3500; i++) expect(set.has(`rec-${i}`)).toBe(false);
    set.close();
  });

  it('ORs merged bits across the table and every run that holds the id', () => {
    const set = new SpillIdSet({ memoryEntries: 3, dir: tempDir() });
    expect(set.merge('a', 1)).toBeUndefined();
    for (let i = 0; i < 10; i++) set.addIfAbsent(`filler-${i}`, 0);
    // 'a' is on disk now; a second line for it lands in the table, a third in another run.
    expect(set.merge('a', 2)).toBe(1);
    for (let i = 10; i < 20; i++) set.addIfAbsent(`filler-${i}`, 0);
    expect(set.merge('a', 4)).toBe(3);
    expect(set.get('a')).toBe(7);
    expect(set.size).toBe(21);
    set.close();
  });

  it('reads the disk only for ids its filters cannot rule out, and keeps memory bounded', () => {
    const set = new SpillIdSet({ memoryEntries: 1000, dir: tempDir() });
    for (let i = 0; i < 50_000; i++) set.addIfAbsent(`id-${i}`, i);
    const readsBefore = set.stats.diskReads;
    for (let i = 50_000; i < 60_000; i++) expect(set.has(`id-${i}`)).toBe(false);
    // 49 runs x ~1e-3 false "maybe" per run: about 500 reads for 10,000 unseen ids, not one per run (490,000).
    expect(set.stats.diskReads - readsBefore).toBeLessThan(1500);
    for (let i = 0; i < 50_000; i += 101) expect(set.get(`id-${i}`)).toBe(i);
    // Table (1,000 entries) + 2 B of filter per spilled id + block index: far below a Map of 50k strings.
    expect(set.stats.memoryBytes).toBeLessThan(64 * 1024 + 50_000 * 2.2);
    set.close();
  });

  it('leaves no file behind in its directory, even before close', () => {
    const dir = tempDir();
    const set = new SpillIdSet({ memoryEntries: 2, dir });
    for (let i = 0; i < 20; i++) set.addIfAbsent(String(i), i);
    expect(set.stats.runs).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([]);
    set.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects a table size it cannot sort exactly', () => {
    expect(() => new SpillIdSet({ memoryEntries: 0 })).toThrow(/memoryEntries/);
    expect(() => new SpillIdSet({ memoryEntries: 3_000_000 })).toThrow(/memoryEntries/);
  });
});
