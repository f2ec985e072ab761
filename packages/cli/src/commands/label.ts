import { resolve } from 'node:path';
import { TaxonomySchema, readJsonFile, rejectsPathFor } from '@taxonomist/core';
import { shardFlag } from '../args/shard.js';
import { UsageError, exitCodeOfOutcome } from '../errors.js';
import type { ExitCode } from '../exit-codes.js';
import { HOW_TO_CONFIGURE_LLM, setupModels } from '../model/setup.js';
import { clusterModelPathFor, loadClusterModel, runCentroidLabelStage, corpusFlags, loadCorpus, runLlmLabelStage, runBatchLabelStage, StreamedCorpus, type LabelStageResult, offlineNotice, warnIgnoredOffline, sampleInOrder, bool, inputPath, num, seedOf, str } from '@taxonomist/pipeline';
import { formatCost, formatCount, formatTokens } from '../ui/format.js';
import { renderTable } from '../ui/table.js';
import type { CommandContext } from './types.js';

/**
 * `taxonomist label`: corpus + taxonomy -> labels.jsonl, one line per record (failed 'input' for an empty text),
 * resumable. Lines of the file without a usable record are reported and counted as skippedInput.
 */
export async function execute(ctx: CommandContext): Promise<ExitCode> {
  const corpusPath = inputPath(ctx.io.cwd, ctx.positionals[0]!);
  const { values, ui } = ctx;
  const taxonomyPath = str(values, 'taxonomy');
  if (taxonomyPath === undefined) throw new UsageError('missing --taxonomy <file>', { command: 'label', hint: 'make one with `taxonomist induce`' });
  const taxonomy = await readJsonFile(inputPath(ctx.io.cwd, taxonomyPath), TaxonomySchema);
  const models = await setupModels(ctx);
  const out = resolve(ctx.io.cwd, str(values, 'out') ?? 'labels.jsonl');
  const seed = seedOf(values);
  const shard = shardFlag(values, 'label');
  const n = num(values, 'labelSample');
  if (shard !== undefined && n !== undefined) {
    throw new UsageError('--shard and --label-sample do not go together', { command: 'label', hint: 'shard the whole corpus, or sample it on one machine' });
  }

  let clusterModelPath: string | undefined;
  if (num(values, 'pollInterval') !== undefined && !bool(values, 'batch')) {
    throw new UsageError('--poll-interval only applies with --batch', { command: 'label' });
  }
  if (bool(values, 'batch') && !models.online) {
    throw new UsageError('--batch labels through a provider batch API and needs a model', { command: 'label', hint: HOW_TO_CONFIGURE_LLM });
  }
  if (!models.online) {
    clusterModelPath = clusterModelPathFor(resolve(ctx.io.cwd, taxonomyPath), taxonomy);
    if (clusterModelPath === undefined) {
      throw new UsageError('labeling without a model needs the cluster model written by an offline `taxonomist induce`', {
        command: 'label',
        hint: `${taxonomyPath} has none next to it. To label with an LLM instead, ${HOW_TO_CONFIGURE_LLM}`,
      });
    }
  }
  if (!models.online && shard !== undefined) {
    throw new UsageError('--shard needs an LLM (--model): nearest-centroid labeling is fast enough on one machine', { command: 'label' });
  }
  let result: LabelStageResult;
  let skippedInput: number;
  if (shard !== undefined && bool(values, 'batch')) {
    throw new UsageError('--shard and --batch do not go together', { command: 'label', hint: 'a batch job already runs on the provider: submit the whole corpus from one machine' });
  }
  if (models.online && n === undefined && !bool(values, 'batch')) {
    // The whole corpus: the labeler streams the file (memory flat in corpus size), issues are reported at the end.
    const streamed = new StreamedCorpus(corpusPath, corpusFlags(values));
    const source = { path: corpusPath, corpusOptions: streamed.corpusOptions };
    result = await runLlmLabelStage({ records: source, ...(shard ? { shard } : {}), taxonomy, models, out, fresh: bool(values, 'noResume'), values, seed, ui, signal: ctx.signal });
    await streamed.report(ui, out, result.records, result.otherShards);
    skippedInput = streamed.tally.skipped;
    return finish(ctx, result, skippedInput, out);
  }
  // Empty texts are kept: every record read gets exactly one line (failed 'input' for those).
  const corpus = await loadCorpus(corpusPath, corpusFlags(values), ui, ctx.signal, { keepEmptyTexts: true, rejectsPath: rejectsPathFor(out) });
  const records = n === undefined ? corpus.records : sampleInOrder(corpus.records, n, seed, 'label-sample');
  skippedInput = corpus.stats.skipped;

  if (models.online && bool(values, 'batch')) {
    result = await runBatchLabelStage({ records, taxonomy, models, out, fresh: bool(values, 'noResume'), values, seed, ui, signal: ctx.signal });
  } else if (models.online) {
    result = await runLlmLabelStage({ records, taxonomy, models, out, fresh: bool(values, 'noResume'), values, seed, ui, signal: ctx.signal });
  } else {
    offlineNotice(ui);
    warnIgnoredOffline(values, ui);
    const model = await loadClusterModel(clusterModelPath!, taxonomy);
    result = await runCentroidLabelStage({ records, taxonomy, model, out, ui });
  }
  return finish(ctx, result, skippedInput, out);
}

/** Print the outcome table and the JSON result; the exit code the outcome deserves. */
function finish(ctx: CommandContext, result: LabelStageResult, skippedInput: number, out: string): ExitCode {
  const { ui } = ctx;
  const u = result.usage;
  const human = [
    renderTable(
      [{ header: 'records' }, { header: 'ok', align: 'right' }, { header: 'failed', align: 'right' }, { header: 'resumed', align: 'right' }, { header: 'not attempted', align: 'right' }, { header: 'calls', align: 'right' }, { header: 'tokens', align: 'right' }, { header: 'cost', align: 'right' }],
      [[formatCount(result.records), formatCount(result.ok), formatCount(result.failed), formatCount(result.alreadyOk), formatCount(result.notAttempted), formatCount(u.calls), formatTokens(u.inputTokens + u.outputTokens), formatCost(u.costUsd)]],
    ),
    ...(skippedInput > 0 ? [`${formatCount(skippedInput)} input line(s) skipped: no usable record (see the warnings above)`] : []),
    `wrote ${out}`,
  ].join('\n');
  const { outcome, ...json } = result;
  ui.result(human, { out, ...json, skippedInput });
  return exitCodeOfOutcome(outcome);
}
