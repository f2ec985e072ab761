import * as crypto from 'node:crypto';
import { z } from 'zod';

/**
 * One share of a corpus split across machines: shard `index` of `count`, 0-based (`0/4` .. `3/4`), so that a job
 * runner's own index (Kubernetes JOB_COMPLETION_INDEX, GNU parallel's `{%}` minus one, a loop counter) is the shard.
 */
/** Keeps (hash mod count) exact in doubles (see shardOf). */
const MAX_SHARD_COUNT = 1_000_000;

export const ShardSpecSchema = z
  .object({
    index: z.number().int().min(0),
    count: z.number().int().min(1).max(MAX_SHARD_COUNT),
  })
  .refine((s) => s.index < s.count, { message: 'the shard index must be below the shard count (0-based: 0/4 .. 3/4)' });
export type ShardSpec = z.infer<typeof ShardSpecSchema>;

/** Why a `--shard` value is unusable, for a usage error; undefined when it is fine. */
export function shardSpecProblem(text: string): string | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (m === null) return `expected i/n (0-based shard index / shard count, e.g. 0/4 .. 3/4), got "${text}"`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) return `the shard count must be at least 1, got "${text}"`;
  if (count > MAX_SHARD_COUNT) return `at most ${MAX_SHARD_COUNT} shards, got "${text}"`;
  if (index >= count) return `the shard index is 0-based and must be below the count (${count} shards: 0/${count} .. ${count - 1}/${count}), got "${text}"`;
  return undefined;
}

/** Parse `i/n` (0-based). Throws a TypeError saying what is wrong. */
export function parseShard(text: string): ShardSpec {
  const problem = shardSpecProblem(text);
  if (problem !== undefined) throw new TypeError(`shard: ${problem}`);
  const [index, count] = text.split('/').map((p) => Number(p.trim())) as [number, number];
  return { index, count };
}

export function formatShard(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}

// crypto.hash (Node >= 20.12) is cheaper than createHash for short texts; same digest.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha256Hex = (text: string): string => (oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex'));
const TWO_32 = 4294967296;

/**
 * The shard a record id belongs to among `count`: the first 8 bytes of SHA-256 of the id's UTF-8 bytes, read as a
 * big-endian unsigned 64-bit integer, modulo `count`. Stable across machines, versions and languages (so any tool
 * can recompute it), uniform (balanced shards), and independent of the record's position or text.
 */
export function shardOf(id: string, count: number): number {
  if (count === 1) return 0;
  const hex = sha256Hex(id);
  const hi = parseInt(hex.slice(0, 8), 16);
  const lo = parseInt(hex.slice(8, 16), 16);
  // (hi * 2^32 + lo) mod count without BigInt: every product stays below 2^53 for count <= 1e6.
  return ((hi % count) * (TWO_32 % count) + (lo % count)) % count;
}

/** Whether the record `id` belongs to `shard` (every id does when there is no shard). */
export function inShard(id: string, shard: ShardSpec | undefined): boolean {
  return shard === undefined || shard.count === 1 || shardOf(id, shard.count) === shard.index;
}
