import { resolve } from 'node:path';
import { rejectsPathFor } from '@taxonomist/core';
import { exitCodeOfOutcome } from '../errors.js';
import type { ExitCode } from '../exit-codes.js';
import { setupModels } from '../model/setup.js';
import { corpusFlags, loadCorpus, warnIgnoredOffline, induceSettingsFromFlags, inductionOutcome, runInduceStage, inputPath, seedOf, str } from '@taxonomist/pipeline';
import { formatCost, formatTokens } from '../ui/format.js';
import { renderTable } from '../ui/table.js';
import type { CommandContext } from './types.js';

/** `taxonomist induce`: corpus -> taxonomy.json (+ .cluster.json offline, + checkpoint and history with an LLM). */
export async function execute(ctx: CommandContext): Promise<ExitCode> {
  const corpusPath = inputPath(ctx.io.cwd, ctx.positionals[0]!);
  const { values, ui } = ctx;
  const models = await setupModels(ctx, { summarize: true });
  if (!models.online) warnIgnoredOffline(values, ui);
  const settings = await induceSettingsFromFlags(values, models, seedOf(values), ctx.io.cwd);
  const out = resolve(ctx.io.cwd, str(values, 'out') ?? 'taxonomy.json');
  const corpus = await loadCorpus(corpusPath, corpusFlags(values), ui, ctx.signal, { rejectsPath: rejectsPathFor(out) });
  const base = out.replace(/\.json$/i, '');
  const markdown = str(values, 'markdown');
  const { taxonomy, result, usage, strategy } = await runInduceStage({
    records: corpus.records,
    settings,
    models,
    paths: {
      taxonomy: out,
      induction: `${base}.induction.json`,
      clusterModel: `${base}.cluster.json`,
      ...(markdown ? { markdown: resolve(ctx.io.cwd, markdown) } : {}),
      checkpoint: resolve(ctx.io.cwd, str(values, 'checkpoint') ?? `${out}.checkpoint.json`),
    },
    ui,
    signal: ctx.signal,
  });
  const human = [
    `${taxonomy.labels.length} labels (${strategy === 'cluster' ? 'offline clustering' : `LLM, ${result.history.length} steps`}) from ${result.sample.trainingIds.length} of ${corpus.records.length} records`,
    '',
    renderTable(
      [{ header: 'id' }, { header: 'name' }, { header: 'description' }],
      taxonomy.labels.map((l) => [l.parent ? `  ${l.id}` : l.id, l.name, l.description.length > 70 ? `${l.description.slice(0, 69)}…` : l.description]),
    ),
    `wrote ${out}${strategy === 'cluster' ? ` and ${base}.cluster.json` : ''}; history in ${base}.induction.json`,
    usage.calls > 0 ? `model calls: ${usage.calls} (${usage.cachedCalls} cached), ${formatTokens(usage.inputTokens + usage.outputTokens)} tokens, ${formatCost(usage.costUsd)}` : '',
  ].filter((l) => l !== '');
  ui.result(human.join('\n'), { taxonomy: out, labels: taxonomy.labels.length, strategy, steps: result.history.length, rejectedSteps: result.rejectedSteps, usage });
  return exitCodeOfOutcome(inductionOutcome(result));
}
