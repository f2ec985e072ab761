import { describe, expect, it } from 'vitest';
import { IdHashSet } from '../../src/util/id-hash-set.js';

describe('IdHashSet', () => {
  it('keeps the first value of each id and tells repeats apart from new ids', () => {
    const set = new IdHashSet(4);
    expect(set.addIfAbsent('a', 1)).toBeUndefined();
    expect(set.addIfAbsent('b', 2)).toBeUndefined();
    expect(set.addIfAbsent('a', 9)).toBe(1);
    expect(set.get('b')).toBe(2);
    expect(set.has('c')).toBe(false);
    expect(set.get('')).toBeUndefined();
    set.set('b', 7);
    expect(set.get('b')).toBe(7);
    expect(set.size).toBe(2);
  });

  it('holds 300k distinct ids through many growths with every value intact, in bounded bytes per id', () => {
    const n = 300_000;
    const set = new IdHashSet();
    const collisions: number[] = [];
    for (let i = 0; i < n; i++) if (set.addIfAbsent(`id-${i}`, i) !== undefined) collisions.push(i);
    expect(collisions).toEqual([]);
    expect(set.size).toBe(n);
    for (let i = 0; i < n; i += 997) expect(set.get(`id-${i}`)).toBe(i);
    expect(set.has(`id-${n}`)).toBe(false);
    // 12 B per slot, at most 75% full, at least 37.5% after a growth: at most 32 B per id.
    expect(set.bytes / n).toBeLessThanOrEqual(32);
  });

  it('tells apart ids that differ only in one character or in order', () => {
    const set = new IdHashSet();
    const ids = ['ab', 'ba', 'a', 'b', 'aa', 'a\u0000', '\u0000a', 'é', 'e\u0301', '1', '01', '10'];
    for (const id of ids) set.add(id);
    expect(set.size).toBe(ids.length);
  });
});
