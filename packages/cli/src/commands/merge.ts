import { resolve } from 'node:path';
import { mergeShardOutputs } from '@taxonomist/core';
import { UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { corpusFlags, inputPath, str } from '@taxonomist/pipeline';
import { formatCount } from '../ui/format.js';
import type { CommandContext } from './types.js';

/** `taxonomist merge <shard outputs...> --out FILE [--corpus C]`: core's mergeShardOutputs, checked and reported. */
export async function execute(ctx: CommandContext): Promise<ExitCode> {
  const inputs = ctx.positionals.map((p) => inputPath(ctx.io.cwd, p));
  const outFlag = str(ctx.values, 'out');
  if (outFlag === undefined) throw new UsageError('missing --out <file>', { command: 'merge' });
  const out = resolve(ctx.io.cwd, outFlag);
  if (inputs.some((i) => resolve(ctx.io.cwd, i) === out)) {
    throw new UsageError(`--out ${outFlag} is one of the shard outputs: write the merge to a new file`, { command: 'merge' });
  }
  const corpus = str(ctx.values, 'corpus');
  const result = await mergeShardOutputs({
    inputs,
    out,
    ...(corpus !== undefined ? { corpus: inputPath(ctx.io.cwd, corpus), corpusOptions: corpusFlags(ctx.values) } : {}),
    signal: ctx.signal,
  });
  ctx.ui.result(
    `merged ${result.shards} shards of ${result.kind}: ${formatCount(result.lines)} lines (${formatCount(result.ok)} ok, ${formatCount(result.failed)} failed), ` +
      `${result.corpusOrder ? 'in corpus order, every corpus record once' : 'in shard order, no id twice (pass --corpus to check against the corpus)'}; wrote ${out}`,
    result,
  );
  return EXIT.OK;
}
