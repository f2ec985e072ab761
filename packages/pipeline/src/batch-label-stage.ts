import type { CorpusRecord } from '@taxonomist/core';
import { INTERRUPTED_MESSAGE } from './errors.js';
import { OUTCOME, type Outcome } from './outcome.js';
import { labelerOptions, type LabelStageResult, type LlmLabelStageArgs } from './label-stage.js';
import { num } from './values.js';

/** Failure kinds that mean the provider (not the text, not the taxonomy) failed. */
const PROVIDER_KINDS = new Set(['rate_limit', 'server', 'quota', 'auth', 'bad_request']);

/**
 * `label --batch`: the records go through the provider's batch API (@taxonomist/labeler's labelBatchToFile), with the
 * same label settings as online labeling. Batch ids are recorded next to `out` before polling; a re-run (after a
 * Ctrl-C or a kill) attaches to them. Outcomes as online labeling.
 */
export async function runBatchLabelStage(
  args: LlmLabelStageArgs & {
    records: readonly CorpusRecord[];
    /** What is left of --budget for this stage (run: the budget minus what induction spent in this invocation). */
    budget?: number;
  },
): Promise<LabelStageResult> {
  const { values, ui } = args;
  const budget = args.budget ?? num(values, 'budget');
  const { labelBatchToFile } = await import('@taxonomist/labeler');
  const pollSeconds = num(values, 'pollInterval') ?? 30;
  const summary = await labelBatchToFile([...args.records], args.taxonomy, {
    ...labelerOptions(args),
    pollIntervalMs: Math.round(pollSeconds * 1000),
    ...(budget !== undefined ? { budget } : {}),
    onWarning: (m) => ui.warn(m),
    onBatchEvent: (e) => {
      if (e.type === 'submitted') ui.info(`submitted batch ${e.batchId}: ${e.records} record(s) in ${e.requests} request(s)`);
      else if (e.type === 'attached') ui.info(`attached to batch ${e.batchId} (${e.status})`);
      else if (e.type === 'recovered') ui.info(`found batch ${e.batchId} (${e.records} record(s)), created when the last run stopped while submitting: attached to it`);
      else if (e.type === 'polled') ui.info(`batch ${e.batchId}: ${e.info.status} (${e.info.counts.completed + e.info.counts.failed}/${e.info.counts.total})`);
      else ui.info(`collected batch ${e.batchId} (${e.status}): ${e.ok} ok, ${e.failed} failed`);
    },
  });
  const failedByKind = Object.fromEntries(Object.entries(summary.failedByKind).filter(([, n]) => (n ?? 0) > 0)) as Record<string, number>;
  let outcome: Outcome = OUTCOME.OK;
  if (summary.status === 'stopped') outcome = OUTCOME.BUDGET;
  else if (summary.status === 'aborted') outcome = OUTCOME.INTERRUPTED;
  else if (summary.failed > 0) outcome = Object.keys(failedByKind).some((k) => PROVIDER_KINDS.has(k)) ? OUTCOME.PROVIDER : OUTCOME.PARTIAL;
  if (summary.failed > 0) {
    ui.warn(`${summary.failed} record(s) failed (${Object.entries(failedByKind).map(([k, n]) => `${n} ${k}`).join(', ')}); they are in ${args.out} with status "failed"`);
  }
  if (summary.status === 'aborted') {
    ui.warn(`${INTERRUPTED_MESSAGE} ${summary.batch.pending} record(s) are in batches still running; re-run the same command to collect them`);
  }
  if (summary.status === 'stopped') {
    ui.warn(`budget reached ($${budget?.toFixed(4)} at the batch price): ${summary.notAttempted} record(s) not submitted; re-run with a higher --budget to continue`);
  }
  return {
    status: summary.status,
    records: args.records.length,
    ok: summary.ok + summary.input.alreadyOk,
    failed: summary.failed,
    alreadyOk: summary.input.alreadyOk,
    notAttempted: summary.notAttempted + summary.batch.pending,
    failedByKind,
    usage: {
      calls: summary.usage.calls,
      cachedCalls: 0,
      inputTokens: summary.usage.inputTokens,
      outputTokens: summary.usage.outputTokens,
      costUsd: summary.usage.costUsd,
    },
    outcome,
  };
}
