import { parseShard, shardSpecProblem, type ShardSpec } from '@taxonomist/core';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../commands/types.js';

/** The parsed `--shard` value, or undefined; a bad value is a usage error saying what is wrong. */
export function shardFlag(values: CommandContext['values'], command: string): ShardSpec | undefined {
  const text = values.shard;
  if (typeof text !== 'string') return undefined;
  const problem = shardSpecProblem(text);
  if (problem !== undefined) {
    throw new UsageError(`--shard: ${problem}`, { command, hint: 'run n jobs with --shard 0/n .. n-1/n, then `taxonomist merge` their outputs' });
  }
  return parseShard(text);
}
