import { SCHEMA_NAMES, generateAnswerSchema, type GenerateAnswer } from './answers.js';
import type { AskOutcome } from './ask.js';
import type { BatchItem } from './batch.js';
import type { ChainSpec, common } from './chain.js';
import { memoAsk, type RunContext } from './context.js';
import { renderPrompt } from './prompt-render.js';
import type { TaxonomyStepVars } from './prompts.js';
import type { StepUsage } from './result.js';
import { keepBestSupported } from './support.js';
import { checkLabels } from './validate.js';

/** Re-asks of the merge step: a model that cannot merge within two tries is not asked more (budget). */
const MERGE_ATTEMPTS = 2;

type Outcome = AskOutcome<GenerateAnswer> & { fromCheckpoint: boolean };

export interface FittedTaxonomy {
  outcome: Outcome;
  rule: 'merge-down' | 'keep-best-supported';
  note: string;
}

/**
 * A first taxonomy whose every attempt broke the rules, made to fit them instead of failing the run:
 * 1. merge-down: when the last answer had too many labels, ask the model once more (prompt 'merge') to merge them
 *    down to the cap (checkpointed under `<key>/merge` like any step);
 * 2. keep-best-supported: otherwise, or when that fails too, keep the labels of the last answer that are valid on
 *    their own, at most maxLabels of them, ranked by how many minibatch texts they cover (labelSupport: lexical
 *    overlap, no model call).
 * Undefined when there is nothing to work with (no answer matched the schema) or the result still breaks the rules
 * (e.g. fewer valid labels than minLabels): the caller then fails as before.
 */
export async function fitFirstTaxonomy(
  ctx: RunContext,
  spec: ChainSpec,
  step: { key: string; batch: readonly BatchItem[]; outcome: Outcome; vars: TaxonomyStepVars; common: ReturnType<typeof common> },
): Promise<FittedTaxonomy | undefined> {
  const { outcome } = step;
  let best = outcome.candidate;
  if (best === undefined) return undefined;
  const max = spec.rules.maxLabels;
  const proposed = best.labels.length;
  const where = `generate ${step.key}`;
  let total: Outcome = { ...outcome };
  let mergeNote = '';

  if (proposed > max) {
    const schema = generateAnswerSchema(spec.rules);
    const merged = await memoAsk<GenerateAnswer>(ctx, `${step.key}/merge`, schema, async () => ({
      ...step.common,
      promptId: 'merge',
      maxAttempts: Math.min(MERGE_ATTEMPTS, step.common.maxAttempts),
      messages: renderPrompt(
        'merge',
        {
          ...step.vars,
          taxonomyText: best!.labels.map((l, i) => `- [D${i + 1}] ${l.name}: ${l.description}`).join('\n'),
          proposedCount: proposed,
          maxLabels: max,
        },
        ctx.prompts,
      ),
      schema,
      schemaName: SCHEMA_NAMES.merge,
      check: (a) => checkLabels(a.labels, spec.rules),
    }));
    total = {
      value: merged.value,
      attempts: outcome.attempts + merged.attempts,
      violations: [...outcome.violations, ...merged.violations],
      usage: sumUsage(outcome.usage, merged.usage),
      fromCheckpoint: outcome.fromCheckpoint && merged.fromCheckpoint,
    };
    if (merged.value !== null) {
      return {
        outcome: total,
        rule: 'merge-down',
        note:
          `${where}: the model proposed ${proposed} labels (at most ${max} allowed) in every attempt; ` +
          `rule merge-down: asked it to merge them down, ${merged.value.labels.length} labels kept`,
      };
    }
    mergeNote = `asking the model to merge them down failed too (${(merged.violations.at(-1) ?? []).join(' ')}); `;
    // The merge's own attempt is closer to the cap: start from it when it parsed.
    if (merged.candidate !== undefined && merged.candidate.labels.length > 0) best = merged.candidate;
  }

  const kept = keepBestSupported(best.labels, spec.rules, step.batch.map((i) => i.text));
  const value: GenerateAnswer = { labels: kept.labels.map((l) => ({ name: l.name, description: l.description })), explanation: best.explanation };
  if (checkLabels(value.labels, spec.rules).length > 0) return undefined;
  const dropped = [
    ...kept.invalid.map((l) => `"${l.name}" (breaks a rule)`),
    ...kept.dropped.map((d) => `"${d.label.name}" (covers ${d.support})`),
  ];
  return {
    outcome: { ...total, value },
    rule: 'keep-best-supported',
    note:
      `${where}: no answer followed the rules in ${outcome.attempts} attempt(s) (last problems: ${(outcome.violations.at(-1) ?? []).join(' ')}); ` +
      mergeNote +
      `rule keep-best-supported: kept ${kept.labels.length} of ${best.labels.length} proposed labels, the valid ones covering the most ` +
      `minibatch texts (a text counts for the label sharing the most words with it); dropped ${dropped.join(', ') || 'none'}`,
  };
}

function sumUsage(a: StepUsage, b: StepUsage): StepUsage {
  return {
    modelId: a.modelId,
    calls: a.calls + b.calls,
    cachedCalls: a.cachedCalls + b.cachedCalls,
    failedCalls: a.failedCalls + b.failedCalls,
    attempts: a.attempts + b.attempts,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}
