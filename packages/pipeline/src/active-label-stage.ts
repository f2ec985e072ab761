/**
 * `run --model`'s label stage by active learning (@taxonomist/distill's activeDistill): rounds of "train on the LLM
 * labels so far -> pick the records the classifier is least sure of -> label them with the LLM" until the label
 * budget, the USD budget or the target agreement stops it. Each batch goes through the labeler into labels.jsonl
 * (resumable on its own); the rounds go to active-rounds.jsonl. A re-run after a crash re-derives the state from both
 * and buys no label twice.
 */
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { LabelAssignmentSchema, readJsonl, writeJsonAtomic, type CorpusRecord, type LabelAssignment, type Taxonomy } from '@taxonomist/core';
import type { ActiveAnswer, ActiveRound, StopReason } from '@taxonomist/distill';
import { PipelineError } from './errors.js';
import { OUTCOME } from './outcome.js';
import type { StageValues } from './values.js';
import type { ModelSetup } from './models.js';
import type { Reporter } from './reporter.js';
import { runLlmLabelStage, type LabelStageResult } from './label-stage.js';
import { stageUsageOf, usageDelta } from './usage.js';

export const STOP_REASON_TEXT: Record<StopReason, string> = {
  'label-budget': 'label budget reached',
  'usd-budget': 'USD budget reached',
  target: 'target agreement reached',
  plateau: 'agreement stopped improving',
  'pool-exhausted': 'every record is labeled',
  'max-rounds': 'round limit reached',
  aborted: 'interrupted',
};

export interface ActiveLabelStageResult extends LabelStageResult {
  active: { strategy: string; bought: number; rounds: number; stopReason: StopReason; summary: string };
}

/** Answers in the labeler's output: ok label, ok "none" (null); failed lines are not answers (a re-run retries them). */
async function readAnswers(path: string): Promise<Map<string, ActiveAnswer>> {
  const out = new Map<string, ActiveAnswer>();
  if (!existsSync(path)) return out;
  for await (const a of readJsonl<LabelAssignment>(path, { schema: LabelAssignmentSchema })) {
    // A line re-labeled by `run --relabel` keeps the answer bought in `relabel.from`: that is what the loop bought.
    if (a.status === 'ok') out.set(a.id, a.label !== undefined && !a.none ? (a.relabel?.from ?? a.label) : null);
  }
  return out;
}

export async function runActiveLabelStage(args: {
  records: readonly CorpusRecord[];
  taxonomy: Taxonomy;
  models: Extract<ModelSetup, { online: true }>;
  out: string;
  roundLog: string;
  summaryPath: string;
  fresh: boolean;
  values: StageValues;
  seed: number;
  strategy: string;
  labelBudget: number;
  targetAgreement?: number;
  budget?: number;
  ui: Reporter;
  signal: AbortSignal;
}): Promise<ActiveLabelStageResult> {
  const { models, ui } = args;
  if (args.fresh) {
    await rm(args.out, { force: true });
    await rm(args.roundLog, { force: true });
  }
  const { activeDistill, createSelectionRegistry } = await import('@taxonomist/distill');
  const known = await readAnswers(args.out);
  const byId = new Map(args.records.map((r) => [r.id, r]));
  const before = stageUsageOf(models.gateway.usage());
  const spent = (): number => usageDelta(stageUsageOf(models.gateway.usage()), before).costUsd;
  let failed = 0;
  const failedByKind: Record<string, number> = {};
  let outcome: LabelStageResult['outcome'] = OUTCOME.OK;
  const res = await activeDistill(args.records, {
    strategy: args.strategy,
    seed: args.seed,
    labelBudget: args.labelBudget,
    seedSize: Math.min(100, Math.max(10, Math.round(args.labelBudget / 10))),
    batchSize: Math.min(100, Math.max(10, Math.round(args.labelBudget / 10))),
    ...(args.targetAgreement !== undefined ? { targetAgreement: args.targetAgreement } : {}),
    ...(args.budget !== undefined ? { budgetUsd: args.budget, spentUsd: spent } : {}),
    strategies: createSelectionRegistry(models.host),
    known,
    roundLog: args.roundLog,
    signal: args.signal,
    labelBatch: async (records) => {
      const batch = records.map((r) => byId.get(r.id)!);
      const left = args.budget === undefined ? undefined : args.budget - spent();
      const r = await runLlmLabelStage({ records: batch, taxonomy: args.taxonomy, models, out: args.out, fresh: false, values: args.values, seed: args.seed, ui, signal: args.signal, ...(left !== undefined ? { budget: left } : {}) });
      if (r.outcome === OUTCOME.BUDGET || r.outcome === OUTCOME.INTERRUPTED) {
        throw new PipelineError(r.outcome === OUTCOME.BUDGET ? 'label: stopped at the --budget limit in the middle of an active-learning round' : 'label: interrupted', {
          kind: r.outcome,
          hint: r.outcome === OUTCOME.BUDGET ? 're-run with a higher --budget: labels bought are kept and the loop resumes' : 're-run the same command to resume',
        });
      }
      failed += r.failed;
      for (const [k, n] of Object.entries(r.failedByKind)) failedByKind[k] = (failedByKind[k] ?? 0) + n;
      if (r.outcome !== OUTCOME.OK && outcome === OUTCOME.OK) outcome = r.outcome;
      const answers = await readAnswers(args.out);
      return records.map((x) => answers.get(x.id) ?? null);
    },
    onRound: (round: ActiveRound) => {
      const h = round.quality?.holdout;
      ui.info(
        `active learning: round ${round.round} (${round.strategy}): ${round.bought} labels bought` +
          (h?.agreement != null ? `, held-out agreement ${h.agreement.toFixed(3)} [${h.interval!.low.toFixed(3)}, ${h.interval!.high.toFixed(3)}] on ${h.n}` : ''),
      );
    },
  });
  // Rounds append to labels.jsonl in purchase order, and a kill mid-round changes how a round's lines interleave with
  // the next: end with the file in corpus order so that it does not depend on kills or timing.
  const { compactOutput } = await import('@taxonomist/labeler');
  await compactOutput(args.out, new Map(args.records.map((r, i) => [r.id, i])));
  const last = res.rounds.at(-1);
  const h = last?.quality?.holdout;
  const summary =
    `${res.bought} labels bought by active learning (${args.strategy}, ${res.rounds.length} rounds), stopped: ${STOP_REASON_TEXT[res.stopReason]}` +
    (h?.agreement != null ? `; classifier vs LLM on ${h.n} held-out labels: ${h.agreement.toFixed(3)} [${h.interval!.low.toFixed(3)}, ${h.interval!.high.toFixed(3)}]` : '');
  ui.info(`label: ${summary}`);
  // Atomic (temp file + rename): a kill while writing must not leave a truncated file the report then fails to read.
  await writeJsonAtomic(args.summaryPath, {
    strategy: args.strategy,
    labelBudget: args.labelBudget,
    ...(args.targetAgreement !== undefined ? { targetAgreement: args.targetAgreement } : {}),
    bought: res.bought,
    unusable: res.unusable,
    stopReason: res.stopReason,
    // The learning curve: agreement with the LLM vs labels bought.
    rounds: res.rounds.map((r) => ({ round: r.round, strategy: r.strategy, bought: r.bought, training: r.training, holdout: r.holdout, quality: r.quality })),
  });
  if (res.stopReason === 'usd-budget') {
    // Same contract as the sampled path: a budget stop is a 'budget' error and the stage resumes on a re-run.
    throw new PipelineError(`label: stopped at the --budget limit: ${summary}`, { kind: 'budget', hint: 're-run with a higher --budget: labels bought are kept and the loop resumes' });
  }
  if (res.stopReason === 'aborted') outcome = OUTCOME.INTERRUPTED;
  return {
    status: res.stopReason === 'aborted' ? 'aborted' : 'done',
    records: res.bought,
    ok: res.examples.length,
    failed,
    alreadyOk: res.reused,
    notAttempted: 0,
    failedByKind,
    usage: usageDelta(stageUsageOf(models.gateway.usage()), before),
    outcome,
    active: { strategy: args.strategy, bought: res.bought, rounds: res.rounds.length, stopReason: res.stopReason, summary },
  };
}
