/**
 * `run --relabel` / `--relabel-model ID`: after labeling, the label audit (confident learning, @taxonomist/distill's
 * relabelSuspicious) ranks the LLM labels the classifier disputes; the most suspicious (at most 10% of the labels)
 * are asked again and the answer replaces the label when it differs:
 * - `--relabel-model ID`: a second (stronger) model answers once (policy "second-opinion");
 * - `--relabel`: the same model answers by self-consistency (5 samples at temperature 0.7, majority vote), and that
 *   vote is the second opinion.
 * labels.jsonl keeps the resolution with its provenance on each re-asked line (`relabel`: original label, answers,
 * model, changed). The answers go through the labeler into relabel.jsonl, which is resumable on its own: a re-run
 * after a kill or a budget stop re-derives the same audit (seeded) and asks only what is not answered yet.
 */
import { LabelAssignmentSchema, readJsonl, writeTextAtomic, type CorpusRecord, type LabelAssignment, type StageUsage, type Taxonomy } from '@taxonomist/core';
import { PipelineError, PipelineUsageError } from './errors.js';
import { OUTCOME } from './outcome.js';
import type { StageValues } from './values.js';
import type { ModelSetup } from './models.js';
import type { Reporter } from './reporter.js';
import { runLlmLabelStage } from './label-stage.js';
import { stageUsageOf, usageDelta } from './usage.js';

/** Samples of the same model per re-asked record with --relabel: the labeler's self-consistency default. */
export const RELABEL_SAMPLES = 5;

export interface RelabelStageResult {
  model: string;
  /** Labels the audit flagged, records re-asked, labels changed by the resolution, re-asks that failed (label kept). */
  flagged: number;
  failed: number;
  asked: number;
  changed: number;
  usage: StageUsage;
  summary: string;
}

/** The original LLM answer of a line (a line re-labeled by an earlier, interrupted pass keeps it in `relabel.from`). */
/**
 * Fail before any work when --relabel-model cannot be used: an unknown provider or a missing key (the provider's own
 * message), or no price for it while --budget is given.
 */
export async function resolveRelabelModel(models: Extract<ModelSetup, { online: true }>, model: string, withBudget: boolean): Promise<void> {
  try {
    await models.gateway.resolveChatModel(model);
  } catch (err) {
    throw new PipelineUsageError(`--relabel-model ${model}: ${(err as Error).message}`, { hint: 'use a provider:model id whose provider --model also uses, or one a config plugin provides' });
  }
  if (withBudget && models.gateway.cost(model, { inputTokens: 1_000_000, outputTokens: 1_000_000 }) === 0) {
    throw new PipelineUsageError(`--budget needs prices, but no price is known for "${model}" (--relabel-model)`, { hint: 'add prices for the model in taxonomist.config.ts or drop --budget' });
  }
}

function original(line: LabelAssignment, labelIdOf: ReadonlyMap<string, string>): LabelAssignment {
  if (!line.relabel) return line;
  const { relabel, labelId: _id, ...rest } = line;
  const id = labelIdOf.get(relabel.from);
  return { ...rest, label: relabel.from, ...(id !== undefined ? { labelId: id } : {}) };
}

export async function runRelabelStage(args: {
  /** labels.jsonl: read, then rewritten (atomically) with the resolutions. */
  labelsPath: string;
  /** relabel.jsonl: the re-asked records' answers (labeler output, resumable). */
  answersPath: string;
  records: readonly CorpusRecord[];
  taxonomy: Taxonomy;
  models: Extract<ModelSetup, { online: true }>;
  /** The second model (--relabel-model); absent: the labeling model by self-consistency (--relabel). */
  relabelModel?: string;
  fresh: boolean;
  values: StageValues;
  seed: number;
  budget?: number;
  ui: Reporter;
  signal: AbortSignal;
}): Promise<RelabelStageResult> {
  const { models, ui } = args;
  const model = args.relabelModel ?? models.model;
  const labelIdOf = new Map(args.taxonomy.labels.map((l) => [l.name, l.id]));
  const lines: LabelAssignment[] = [];
  for await (const a of readJsonl<LabelAssignment>(args.labelsPath, { schema: LabelAssignmentSchema })) lines.push(original(a, labelIdOf));
  const textOf = new Map(args.records.map((r) => [r.id, r.text]));
  const examples = lines
    .filter((l) => l.status === 'ok' && l.label !== undefined && !l.none && textOf.has(l.id))
    .map((l) => ({ id: l.id, text: textOf.get(l.id)!, label: l.label! }));
  const before = stageUsageOf(models.gateway.usage());
  const usage = (): StageUsage => usageDelta(stageUsageOf(models.gateway.usage()), before);
  if (new Set(examples.map((e) => e.label)).size < 2 || examples.length < 10) {
    ui.warn(`relabel: skipped: the audit needs at least 10 labels of at least 2 kinds (${examples.length} usable labels)`);
    return { model, flagged: 0, asked: 0, changed: 0, failed: 0, usage: usage(), summary: 'relabel skipped (too few labels to audit)' };
  }
  const { relabelSuspicious, withRelabel } = await import('@taxonomist/distill');
  const byId = new Map(args.records.map((r) => [r.id, r]));
  const sameModel = args.relabelModel === undefined;
  let failed = 0;
  const relabelValues: StageValues = { ...args.values, model, ...(sameModel ? { confidence: 'self-consistency' } : {}) };
  const res = await relabelSuspicious(examples, {
    seed: args.seed,
    policy: 'second-opinion',
    batchSize: Math.max(1, examples.length),
    ask: async (items) => {
      const left = args.budget === undefined ? undefined : args.budget - usage().costUsd;
      const r = await runLlmLabelStage({
        records: items.map((it) => byId.get(it.id)!),
        taxonomy: args.taxonomy,
        models: { ...models, model },
        out: args.answersPath,
        fresh: args.fresh,
        values: relabelValues,
        seed: args.seed,
        ui,
        signal: args.signal,
        ...(left !== undefined ? { budget: left } : {}),
      });
      if (r.outcome === OUTCOME.BUDGET || r.outcome === OUTCOME.INTERRUPTED) {
        throw new PipelineError(r.outcome === OUTCOME.BUDGET ? 'relabel: stopped at the --budget limit' : 'relabel: interrupted', {
          kind: r.outcome,
          hint: r.outcome === OUTCOME.BUDGET ? 're-run with a higher --budget: answers bought are kept and re-labeling resumes' : 're-run the same command to resume',
        });
      }
      if (r.stopError !== undefined) {
        // The provider was stopped (dead key, hanging server): resolving with no answers would hide it.
        throw new PipelineError(`relabel: ${r.stopError.message}; ${r.notAttempted} record(s) not re-asked`, {
          kind: 'provider',
          hint: 'fix the cause (key, --base-url, --relabel-model) and re-run the same command: labels and answers bought are kept and re-labeling resumes',
        });
      }
      failed += r.failed;
      const answers = new Map<string, string | null>();
      for await (const a of readJsonl<LabelAssignment>(args.answersPath, { schema: LabelAssignmentSchema })) {
        if (a.status === 'ok') answers.set(a.id, a.label !== undefined && !a.none ? a.label : null);
      }
      // A failed answer (kept in relabel.jsonl, retried on a re-run) keeps the original label for now.
      return items.map((it) => ({ answers: [answers.get(it.id) ?? null], model: sameModel ? `${model} (self-consistency x${RELABEL_SAMPLES})` : model }));
    },
  });
  const outcomeOf = new Map(res.outcomes.map((o) => [o.id, o]));
  const rewritten = lines.map((l) => {
    const o = outcomeOf.get(l.id);
    return o ? withRelabel(l, o) : l;
  });
  await writeTextAtomic(args.labelsPath, rewritten.map((l) => JSON.stringify(l)).join('\n') + (rewritten.length > 0 ? '\n' : ''));
  const how = sameModel ? `${model} by self-consistency (${RELABEL_SAMPLES} samples)` : model;
  const summary =
    `re-asked ${res.outcomes.length} of ${res.flagged} disputed labels (audit) with ${how}: ${res.changed} changed` +
    (failed > 0 ? `, ${failed} failed (label kept; see ${args.answersPath})` : '');
  ui.info(`relabel: ${summary}`);
  return { model, flagged: res.flagged, asked: res.outcomes.length, changed: res.changed, failed, usage: usage(), summary };
}
