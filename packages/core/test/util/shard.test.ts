import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatShard, inShard, parseShard, shardOf } from '../../src/util/shard.js';

// The documented definition, computed independently with BigInt: first 8 bytes of SHA-256(UTF-8 id), big-endian, mod n.
const reference = (id: string, n: number): number => Number(createHash('sha256').update(id, 'utf8').digest().readBigUInt64BE(0) % BigInt(n));

describe('shardOf', () => {
  it('is the documented hash (first 8 bytes of SHA-256 of the UTF-8 id, mod n) for any count', () => {
    const ids = ['a', 'abc', 'id-42', 'é', '😀', '', 'r0123456789abcdef'];
    for (const n of [2, 3, 4, 7, 10, 97, 1000, 65_537, 999_983, 1_000_000]) {
      for (const id of ids) expect([id, n, shardOf(id, n)]).toEqual([id, n, reference(id, n)]);
    }
  });

  it('balances 20k ids over 4 shards within 5% of an even split', () => {
    const sizes = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) sizes[shardOf(`rec-${i}`, 4)]! += 1;
    for (const s of sizes) expect(Math.abs(s - 5000)).toBeLessThan(250);
  });

  it('puts every id in exactly one shard', () => {
    for (let i = 0; i < 200; i++) {
      const owners = [0, 1, 2].filter((index) => inShard(`x${i}`, { index, count: 3 }));
      expect(owners).toHaveLength(1);
    }
    expect(inShard('anything', undefined)).toBe(true);
  });
});

describe('parseShard', () => {
  it('parses 0-based i/n and formats it back', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    expect(formatShard(parseShard('2/5'))).toBe('2/5');
  });

  it('says what is wrong with a bad value', () => {
    expect(() => parseShard('4/4')).toThrow(/0-based.*0\/4 \.\. 3\/4.*"4\/4"/);
    expect(() => parseShard('1/0')).toThrow(/at least 1/);
    expect(() => parseShard('1-4')).toThrow(/expected i\/n/);
    expect(() => parseShard('-1/4')).toThrow(/expected i\/n/);
    expect(() => parseShard('0/2000000')).toThrow(/at most 1000000/);
  });
});
