import type { CorpusRecord, ReadCorpusOptions, ShardSpec, StageUsage, Taxonomy } from '@taxonomist/core';
import { INTERRUPTED_MESSAGE, PipelineUsageError } from './errors.js';
import { OUTCOME, type Outcome } from './outcome.js';
import type { StageValues } from './values.js';
import type { ModelSetup } from './models.js';
import type { Reporter } from './reporter.js';
import { stageUsageOf, usageDelta } from './usage.js';
import { bool, num, str } from './values.js';

/** Failure kinds that mean the provider (not the text, not the taxonomy) failed. */
const PROVIDER_KINDS = new Set(['rate_limit', 'server', 'timeout', 'network', 'quota', 'auth', 'bad_request']);

export interface LabelStageResult {
  status: 'done' | 'stopped' | 'aborted';
  records: number;
  ok: number;
  failed: number;
  alreadyOk: number;
  notAttempted: number;
  failedByKind: Record<string, number>;
  /** With a shard: records of the corpus left to other shards. */
  otherShards?: number;
  /** Set when the run stopped because the gateway stopped calling the provider (auth/quota, too many failures). */
  stopError?: { kind: string; message: string };
  usage: StageUsage;
  /** How this stage came out on its own (the CLI maps it to an exit code). */
  outcome: Outcome;
}

/** Label options from flags (serialisable: part of the run fingerprint). */
export function labelSettingsFromFlags(values: StageValues): Record<string, unknown> {
  const confidence = str(values, 'confidence');
  return {
    mode: bool(values, 'multi') ? 'both' : 'primary',
    pack: num(values, 'pack') ?? 1,
    rationale: bool(values, 'rationale'),
    ...(bool(values, 'allowNone') ? { allowNone: true } : {}),
    ...(confidence !== undefined ? { confidence } : {}),
    ...(str(values, 'instructions') !== undefined ? { instructions: str(values, 'instructions') } : {}),
  };
}

/**
 * Label records with the LLM through @taxonomist/labeler, writing `out` as it goes (resuming it unless `fresh`).
 * Budget stops and provider failures come back as an outcome, not exceptions, so `runPipeline` can record them.
 */
/** What every LLM label stage (online or batch) needs besides its records. */
export interface LlmLabelStageArgs {
  taxonomy: Taxonomy;
  models: Extract<ModelSetup, { online: true }>;
  out: string;
  fresh: boolean;
  values: StageValues;
  seed: number;
  ui: Reporter;
  signal: AbortSignal;
}

/** The labeler options every LLM label stage passes alike (online or batch): the flags' settings, model, output. */
export function labelerOptions(args: LlmLabelStageArgs) {
  const { models } = args;
  return {
    ...(labelSettingsFromFlags(args.values) as object),
    gateway: models.gateway,
    model: models.model,
    host: models.host,
    out: args.out,
    overwrite: args.fresh,
    seed: args.seed,
    signal: args.signal,
  };
}

export async function runLlmLabelStage(args: LlmLabelStageArgs & {
  /** Records in memory, or a corpus file streamed by the labeler (flat memory at any corpus size). */
  records: readonly CorpusRecord[] | { path: string; corpusOptions: ReadCorpusOptions };
  /** Label only this shard of the records (the labeler writes the shard manifest when the shard is complete). */
  shard?: ShardSpec;
  /** What is left of --budget for this stage (run: the budget minus what induction spent in this invocation). */
  budget?: number;
}): Promise<LabelStageResult> {
  const { models, values, ui } = args;
  const budget = args.budget ?? num(values, 'budget');
  if (budget !== undefined && models.gateway.cost(models.model, { inputTokens: 1_000_000, outputTokens: 1_000_000 }) === 0) {
    throw new PipelineUsageError(`--budget needs prices, but no price is known for "${models.model}"`, {
      hint: 'add it to your config: { "prices": { "<model>": { "input": <usd per 1M tokens>, "output": <usd per 1M tokens> } } }',
    });
  }
  const { label } = await import('@taxonomist/labeler');
  const before = stageUsageOf(models.gateway.usage());
  const file = 'path' in args.records ? args.records : undefined;
  const inMemory = file === undefined ? (args.records as readonly CorpusRecord[]) : undefined;
  const bar = ui.progress('label', inMemory?.length);
  const run = label(file?.path ?? [...inMemory!], args.taxonomy, {
    // A streamed file is written in input order as it goes (a bounded reorder buffer), so a finished run needs no
    // end-of-run sort of the whole output in memory.
    ...(file ? { corpusOptions: file.corpusOptions, ordered: true } : {}),
    ...(args.shard ? { shard: args.shard } : {}),
    ...labelerOptions(args),
    ...(num(values, 'concurrency') !== undefined ? { concurrency: num(values, 'concurrency') } : {}),
    ...(budget !== undefined ? { budget } : {}),
    progressEvery: 1,
    onWarning: (m) => ui.warn(m),
    onProgress: (p) => {
      const u = usageDelta(stageUsageOf(models.gateway.usage()), before);
      bar.update({ done: p.alreadyOk + p.done, already: p.alreadyOk, tokens: u.inputTokens + u.outputTokens, costUsd: u.costUsd, ...(p.failed > 0 ? { note: `${p.failed} failed` } : {}) });
    },
  });
  for await (const _ of run) {
    /* lines are written by the labeler */
  }
  const summary = await run.summary;
  bar.finish();
  const usage = usageDelta(stageUsageOf(models.gateway.usage()), before);
  const failedByKind = Object.fromEntries(Object.entries(summary.failedByKind).filter(([, n]) => (n ?? 0) > 0)) as Record<string, number>;
  let outcome: Outcome = OUTCOME.OK;
  if (summary.status === 'stopped') outcome = summary.stopReason === 'provider' ? OUTCOME.PROVIDER : OUTCOME.BUDGET;
  else if (summary.status === 'aborted') outcome = OUTCOME.INTERRUPTED;
  else if (summary.failed > 0) outcome = Object.keys(failedByKind).some((k) => PROVIDER_KINDS.has(k)) ? OUTCOME.PROVIDER : OUTCOME.PARTIAL;
  if (summary.failed > 0) {
    ui.warn(`${summary.failed} record(s) failed (${Object.entries(failedByKind).map(([k, n]) => `${n} ${k}`).join(', ')}); they are in ${args.out} with status "failed" and a re-run retries them`);
  }
  if (summary.status === 'aborted') ui.warn(INTERRUPTED_MESSAGE);
  if (summary.stopReason === 'provider') {
    ui.warn(
      `stopped calling the model: ${summary.stopError?.message ?? 'the provider failed'}; ${summary.notAttempted} record(s) not labeled ` +
        `(no line written for them): fix the cause and re-run the same command to resume`,
    );
  } else if (summary.status === 'stopped') {
    ui.warn(`budget reached ($${budget?.toFixed(4)} for labeling): ${summary.notAttempted} record(s) not labeled yet; re-run with a higher --budget to continue`);
  }
  return {
    status: summary.status,
    records: inMemory?.length ?? summary.input.records,
    ...(summary.input.otherShards !== undefined ? { otherShards: summary.input.otherShards } : {}),
    ok: summary.ok + summary.input.alreadyOk,
    failed: summary.failed,
    alreadyOk: summary.input.alreadyOk,
    notAttempted: summary.notAttempted,
    failedByKind,
    ...(summary.stopError ? { stopError: summary.stopError } : {}),
    usage,
    outcome,
  };
}
