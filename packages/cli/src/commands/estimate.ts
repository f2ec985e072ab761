import type { Taxonomy } from '@taxonomist/core';
import { TaxonomySchema, readJsonFile } from '@taxonomist/core';
import { UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { setupModels } from '../model/setup.js';
import { corpusFlags, loadCorpus, withText, estimateInduce, type StepEstimate, induceSettingsFromFlags, labelSettingsFromFlags, sampleInOrder, inputPath, num, seedOf, str } from '@taxonomist/pipeline';
import { formatCost, formatCount } from '../ui/format.js';
import { renderTable } from '../ui/table.js';
import type { CommandContext } from './types.js';

const TARGETS = ['induce', 'label', 'run'] as const;
const DEFAULT_LABEL_SAMPLE = 1000;

/** `taxonomist estimate <induce|label|run> <corpus>`: calls, tokens and cost before spending anything. */
export async function execute(ctx: CommandContext): Promise<ExitCode> {
  const [what, typedCorpus] = ctx.positionals as [string, string];
  const corpusPath = inputPath(ctx.io.cwd, typedCorpus);
  if (!(TARGETS as readonly string[]).includes(what)) {
    throw new UsageError(`cannot estimate "${what}"`, { command: 'estimate', hint: 'estimate induce, label or run, e.g. taxonomist estimate label chats.jsonl --taxonomy taxonomy.json --model openai:gpt-4o-mini' });
  }
  const { values, ui } = ctx;
  const models = await setupModels(ctx, { estimateOnly: true, summarize: true });
  if (!models.online) {
    ui.result('no --model: the offline clustering engine makes no model calls (cost $0)', { what, calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, offline: true });
    return EXIT.OK;
  }
  const seed = seedOf(values);
  // Read as label/run read it (empty texts kept) so the label sample is the one they would draw.
  const corpus = await loadCorpus(corpusPath, corpusFlags(values), ui, ctx.signal, { keepEmptyTexts: true });
  const rows: StepEstimate[] = [];
  const assumptions: string[] = [];
  let assumedTaxonomy: Taxonomy | undefined;

  if (what === 'induce' || what === 'run') {
    const settings = await induceSettingsFromFlags(values, models, seed, ctx.io.cwd, 'llm');
    const e = await estimateInduce(withText(corpus.records), settings, { main: models.model, summarize: models.summarizeModel }, models.gateway);
    rows.push(...e.steps.map((s) => ({ ...s, stage: `induce: ${s.stage}` })));
    assumptions.push(`induce: ${e.sampled} records sampled, ${e.summarized} summarized, ${e.batches} batches`, ...e.assumptions.map((a) => `induce: ${a}`));
    const maxLabels = num(values, 'maxLabels') ?? 25;
    assumedTaxonomy = {
      schemaVersion: 1,
      useCase: settings.useCase,
      labels: Array.from({ length: maxLabels }, (_, i) => ({ id: `L${i + 1}`, name: `label name ${i + 1}`, description: Array.from({ length: 18 }, () => 'word').join(' ') })),
    };
  }
  if (what === 'label' || what === 'run') {
    let taxonomy = assumedTaxonomy;
    if (what === 'label') {
      const path = str(values, 'taxonomy');
      if (path === undefined) throw new UsageError('estimate label needs --taxonomy <file>', { command: 'estimate' });
      taxonomy = await readJsonFile(inputPath(ctx.io.cwd, path), TaxonomySchema);
    } else assumptions.push(`label: a taxonomy of ${taxonomy!.labels.length} labels (--max-labels) is assumed`);
    const n = num(values, 'labelSample') ?? (what === 'run' ? DEFAULT_LABEL_SAMPLE : corpus.records.length);
    const records = sampleInOrder(corpus.records, n, seed, 'label-sample');
    const { estimate } = await import('@taxonomist/labeler');
    const e = await estimate(records, taxonomy!, {
      ...(labelSettingsFromFlags(values) as object),
      gateway: models.gateway,
      model: models.model,
      seed,
    });
    rows.push(...e.perModel.map((m) => ({ stage: 'label', ...m })));
    assumptions.push(`label: ${e.records} records${e.truncated ? `, ${e.truncated} truncated` : ''}${e.badInput ? `, ${e.badInput} bad input` : ''}`, ...e.assumptions.map((a) => `label: ${a}`));
  }
  const total = rows.reduce((a, r) => ({ calls: a.calls + r.calls, inputTokens: a.inputTokens + r.inputTokens, outputTokens: a.outputTokens + r.outputTokens, costUsd: a.costUsd + r.costUsd }), { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
  const priced = rows.every((r) => r.costUsd > 0 || r.calls === 0);
  const table = renderTable(
    [{ header: 'stage' }, { header: 'model' }, { header: 'calls', align: 'right' }, { header: 'input tokens', align: 'right' }, { header: 'output tokens', align: 'right' }, { header: 'cost', align: 'right' }],
    [
      ...rows.map((r) => [r.stage, r.model, formatCount(r.calls), formatCount(r.inputTokens), formatCount(r.outputTokens), formatCost(r.costUsd)]),
      ['total', '', formatCount(total.calls), formatCount(total.inputTokens), formatCount(total.outputTokens), formatCost(total.costUsd)],
    ],
  );
  const human = [`estimate of \`taxonomist ${what}\` on ${corpus.records.length} records (no model was called)`, '', table, ...assumptions.map((a) => `- ${a}`)];
  if (!priced) human.push(`- no price is known for ${models.model}: cost shows $0; add "prices" to your config`);
  ui.result(human.join('\n'), { what, records: corpus.records.length, rows, total, assumptions, priced });
  return EXIT.OK;
}
