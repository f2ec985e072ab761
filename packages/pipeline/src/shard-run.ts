import { rm } from 'node:fs/promises';
import { inShard, parseShard, readJsonl, shardManifestPath, shardSpecProblem, formatShard, LabelAssignmentSchema, type LabelAssignment, type ShardSpec } from '@taxonomist/core';
import { PipelineInputError, PipelineUsageError } from './errors.js';
import type { PipelineSettings } from './options.js';

/**
 * `run --shard i/n`: n machines run the same command, each on its share of the corpus (core's shardOf, a stable
 * hash of the record id). The label stage needs only its share of the seeded sample, but distill needs every label:
 * so a shard run stops after labeling its share, the n shares are joined with `taxonomist merge` into each shard's
 * labels.jsonl, and the next call of the same command distills on the whole sample (the same model on every machine,
 * the same as an unsharded run's) and predicts its share of the corpus. The outputs carry `<file>.shard.json`.
 */

const HINT = 'run n jobs with --shard 0/n .. n-1/n (0-based)';

/** The run's shard, checked against the settings it cannot go with; undefined when not sharded. */
export function runShardOf(values: PipelineSettings, online: boolean, selection: string): ShardSpec | undefined {
  const text = values.shard;
  if (text === undefined) return undefined;
  const problem = shardSpecProblem(text);
  if (problem !== undefined) throw new PipelineUsageError(`--shard: ${problem}`, { hint: HINT });
  const shard = parseShard(text);
  const refuse = (what: string, why: string, hint: string): never => {
    throw new PipelineUsageError(`--shard and ${what} do not go together: ${why}`, { hint });
  };
  if (online && selection !== 'random') {
    refuse(`--selection ${selection}`, 'active learning picks every round from the answers of all machines', 'add --selection random (a seeded sample, split between the shards), or run without --shard');
  }
  if (values.batch === true) refuse('--batch', 'a batch job already runs on the provider', 'submit the whole sample from one machine: drop --shard for the label stage');
  if (values.relabel === true || values.relabelModel !== undefined) refuse('--relabel', 'the audit needs the whole labeled sample', 'relabel in an unsharded run');
  if (values.goldField !== undefined) refuse('--gold-field', 'the gold agreement needs every prediction', 'merge the predictions, then compare on one machine');
  return shard;
}

/** The records of the sample that belong to the shard (in sample order). */
export function shardShare<T extends { id: string }>(records: readonly T[], shard: ShardSpec): T[] {
  return records.filter((r) => inShard(r.id, shard));
}

/** A shard manifest is written when its output is complete: never left from an earlier attempt while one runs. */
export async function removeShardManifest(out: string): Promise<void> {
  await rm(shardManifestPath(out), { force: true });
}

/**
 * What labels.jsonl of a shard run holds: 'share' (this shard's share of the sample, as its label stage wrote it) or
 * 'all' (the whole sample: the shards' labels merged). Anything else is an input error naming the file.
 */
export async function labelsCoverage(path: string, sample: readonly { id: string }[], shard: ShardSpec): Promise<'share' | 'all'> {
  const ids: string[] = [];
  for await (const a of readJsonl<LabelAssignment>(path, { schema: LabelAssignmentSchema })) ids.push(a.id);
  const same = (expected: readonly { id: string }[]): boolean => expected.length === ids.length && expected.every((r, i) => r.id === ids[i]);
  if (same(sample)) return 'all';
  const share = shardShare(sample, shard);
  if (same(share)) return 'share';
  throw new PipelineInputError(
    `${path} holds ${ids.length} label lines: neither shard ${formatShard(shard)}'s share of the label sample (${share.length} records) ` +
      `nor the whole sample (${sample.length} records, in corpus order)`,
    { location: { file: path }, hint: `put the \`taxonomist merge <the n shards' labels.jsonl> --corpus <corpus> --out ${path}\` there, or delete it to label this shard again` },
  );
}
