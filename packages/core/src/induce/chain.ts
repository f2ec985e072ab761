import type { Taxonomy, TaxonomyLabel } from '../schemas/taxonomy.js';
import { TAXONOMY_SCHEMA_VERSION } from '../schemas/taxonomy.js';
import { createRng, hashString32, shuffle } from '../util/random.js';
import { SCHEMA_NAMES, generateAnswerSchema, revisionAnswerSchema, type GenerateAnswer, type RevisionAnswer } from './answers.js';
import type { AskOutcome } from './ask.js';
import { formatBatch, makeBatches, type BatchItem } from './batch.js';
import { memoAsk, type RunContext } from './context.js';
import { InductionError } from './options.js';
import { renderPrompt } from './prompt-render.js';
import type { TaxonomyStepVars } from './prompts.js';
import type { IterationRecord, LabelEdit } from './result.js';
import { applyDraft, applyRevision, type IdAllocator } from './revision.js';
import { formatRules } from './rules.js';
import { formatLabelLine } from './text.js';
import { checkLabels, checkRevision, type LabelRules } from './validate.js';
import { fitFirstTaxonomy } from './degrade.js';

/** One generate -> update... -> review chain over a list of items (the top level, or inside one top label). */
export interface ChainSpec {
  trial: number;
  level: number;
  /** For sub-label chains: the top label being divided. */
  parent?: TaxonomyLabel;
  /** Prefix of the step keys, e.g. "t0/top" or "sub/L3". */
  keyPrefix: string;
  items: readonly BatchItem[];
  /** Seed of this chain (epoch reshuffles). */
  seed: number;
  /** Labels to start from (a seed taxonomy): the first batch then updates instead of generating. */
  start?: readonly TaxonomyLabel[];
  ids: IdAllocator;
  rules: LabelRules;
  /** Distinguishes otherwise identical requests of different trials in the gateway cache. */
  cacheSalt?: string;
}

export interface ChainResult {
  /** Null when no valid first taxonomy was obtained (sub-label chains only; the top level throws). */
  labels: TaxonomyLabel[] | null;
  lastRating: number | null;
  failure?: string;
}

export async function runChain(ctx: RunContext, spec: ChainSpec): Promise<ChainResult> {
  const { settings } = ctx;
  let labels: TaxonomyLabel[] | null = spec.start ? spec.start.map((l) => ({ ...l })) : null;
  let lastRating: number | null = null;
  const rulesText = formatRules(spec.rules);
  const parentText = spec.parent
    ? `You are dividing one label of an existing taxonomy into sub-labels: [${spec.parent.id}] "${spec.parent.name}": ${spec.parent.description}\n` +
      'All texts shown were placed under it. The sub-labels must stay inside it and tell its texts apart more finely.'
    : '';
  const vars = (taxonomy: readonly TaxonomyLabel[] | null, batch: readonly BatchItem[]): TaxonomyStepVars => ({
    useCase: settings.useCase,
    rulesText,
    parentText,
    taxonomyText: taxonomy ? taxonomy.map(formatLabelLine).join('\n') : '',
    dataText: formatBatch(batch),
    itemCount: batch.length,
  });

  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const order = epoch === 0 ? spec.items : shuffle(spec.items, createRng(hashString32(`${spec.seed}:${spec.keyPrefix}:epoch:${epoch}`)));
    const batches = makeBatches(order, settings.batchSize, settings.batchTokenBudget);
    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b]!;
      const key = `${spec.keyPrefix}/e${epoch}/b${b}`;
      if (labels === null) {
        const generateSchema = generateAnswerSchema(spec.rules);
        let outcome = await memoAsk<GenerateAnswer>(ctx, key, generateSchema, async () => ({
          ...common(ctx, 'generate', spec),
          messages: renderPrompt('generate', vars(null, batch), ctx.prompts),
          schema: generateSchema,
          schemaName: SCHEMA_NAMES.generate,
          check: (a) => checkLabels(a.labels, spec.rules),
        }));
        let degraded: { rule: IterationRecord['degraded']; note: string } | undefined;
        if (outcome.value === null) {
          // Bend instead of breaking: merge the overshooting answer down, else keep its best-supported labels.
          const fitted = await fitFirstTaxonomy(ctx, spec, { key, batch, outcome, vars: vars(null, batch), common: common(ctx, 'generate', spec) });
          if (fitted) {
            outcome = fitted.outcome;
            degraded = { rule: fitted.rule, note: fitted.note };
          }
        }
        if (outcome.value === null) {
          const failure = `no valid first taxonomy in ${outcome.attempts} attempts; last problems: ${(outcome.violations.at(-1) ?? []).join(' ')}`;
          if (spec.level === 1) {
            // Not kept in the checkpoint: a rerun (perhaps with other options) should ask again (merge included:
            // it answered a proposal the rerun may not make).
            ctx.store.forget(key);
            ctx.store.forget(`${key}/merge`);
            throw new InductionError(`taxonomy generation failed: ${failure}`);
          }
          await record(ctx, spec, { kind: 'generate', key, epoch, batch: b, records: batch.length, labels: [], mapping: [], outcome });
          return { labels: null, lastRating: null, failure };
        }
        const applied = applyDraft(outcome.value.labels, spec.ids);
        labels = applied.labels;
        if (degraded) ctx.warnings.push(degraded.note);
        await record(ctx, spec, {
          kind: 'generate',
          key,
          epoch,
          batch: b,
          records: batch.length,
          labels,
          mapping: applied.mapping,
          outcome,
          explanation: outcome.value.explanation,
          ...(degraded ? { degraded: degraded.rule, note: degraded.note } : {}),
        });
      } else {
        const current: TaxonomyLabel[] = labels;
        const updateSchema = revisionAnswerSchema(spec.rules, current.map((l) => l.id));
        const outcome = await memoAsk<RevisionAnswer>(ctx, key, updateSchema, async () => ({
          ...common(ctx, 'update', spec),
          messages: renderPrompt('update', vars(current, batch), ctx.prompts),
          schema: updateSchema,
          schemaName: SCHEMA_NAMES.update,
          check: (a) => checkRevision(a.labels, current, spec.rules),
        }));
        labels = await applyStep(ctx, spec, { kind: 'update', key, epoch, batch: b, records: batch.length, current, outcome });
        if (outcome.value) lastRating = outcome.value.rating;
      }
    }
  }
  if (labels === null) throw new InductionError('no records to induce a taxonomy from');

  if (settings.review) {
    const current: TaxonomyLabel[] = labels;
    const key = `${spec.keyPrefix}/review`;
    const reviewSchema = revisionAnswerSchema(spec.rules, current.map((l) => l.id));
    const outcome = await memoAsk<RevisionAnswer>(ctx, key, reviewSchema, async () => ({
      ...common(ctx, 'review', spec),
      messages: renderPrompt('review', vars(current, []), ctx.prompts),
      schema: reviewSchema,
      schemaName: SCHEMA_NAMES.review,
      check: (a) => checkRevision(a.labels, current, spec.rules),
    }));
    labels = await applyStep(ctx, spec, { kind: 'review', key, epoch: settings.epochs - 1, batch: null, records: 0, current, outcome });
    if (outcome.value) lastRating = outcome.value.rating;
  }
  return { labels, lastRating };
}

/**
 * A generous size of a taxonomy answer within the rules (labels of at most maxNameWords + maxDescriptionWords words,
 * ~2 tokens a word with the JSON around them, fromIds, plus rating, explanation and suggestions): the output the
 * budget reserves for a taxonomy step, which is far longer than the gateway's 512-token default.
 */
export function taxonomyAnswerTokens(rules: LabelRules): number {
  return 600 + rules.maxLabels * (2 * (rules.maxNameWords + rules.maxDescriptionWords) + 40);
}

export function common(ctx: RunContext, stage: 'generate' | 'update' | 'review', spec: ChainSpec) {
  return {
    stage,
    promptId: stage,
    model: ctx.models.main.ref,
    modelId: ctx.models.main.id,
    temperature: ctx.settings.temperatures[stage],
    temperatureStep: ctx.settings.temperatureStep,
    maxAttempts: ctx.settings.maxAttempts,
    expectedOutputTokens: taxonomyAnswerTokens(spec.rules),
    subject: 'taxonomy',
    ...(spec.cacheSalt !== undefined ? { cacheSalt: spec.cacheSalt } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

/** Apply an update/review answer (or keep the taxonomy when it was rejected) and record the step. */
async function applyStep(
  ctx: RunContext,
  spec: ChainSpec,
  step: {
    kind: 'update' | 'review';
    key: string;
    epoch: number;
    batch: number | null;
    records: number;
    current: TaxonomyLabel[];
    outcome: AskOutcome<RevisionAnswer> & { fromCheckpoint: boolean };
  },
): Promise<TaxonomyLabel[]> {
  const { outcome, current } = step;
  if (outcome.value === null) {
    const mapping: LabelEdit[] = current.map((l) => ({ kind: 'kept', from: l.id, to: [l.id] }));
    const where = `${step.kind} ${step.key}`;
    const last = (outcome.violations.at(-1) ?? []).join(' ');
    const note = `${where}: rejected: no answer followed the rules in ${outcome.attempts} attempt(s) (last problems: ${last}); the previous taxonomy (${current.length} labels) was kept`;
    ctx.warnings.push(note);
    await record(ctx, spec, { ...step, labels: current, mapping, note });
    return current;
  }
  const applied = applyRevision(current, outcome.value.labels, spec.ids);
  await record(ctx, spec, {
    ...step,
    labels: applied.labels,
    mapping: applied.mapping,
    rating: outcome.value.rating,
    explanation: outcome.value.explanation,
    suggestions: outcome.value.suggestions,
  });
  return applied.labels;
}

async function record(
  ctx: RunContext,
  spec: ChainSpec,
  r: {
    kind: IterationRecord['kind'];
    key: string;
    epoch: number;
    batch: number | null;
    records: number;
    labels: TaxonomyLabel[];
    mapping: LabelEdit[];
    outcome: AskOutcome<unknown> & { fromCheckpoint: boolean };
    rating?: number;
    explanation?: string;
    suggestions?: string[];
    degraded?: IterationRecord['degraded'];
    note?: string;
  },
): Promise<void> {
  const taxonomy: Taxonomy = {
    schemaVersion: TAXONOMY_SCHEMA_VERSION,
    useCase: ctx.settings.useCase,
    labels: r.labels,
    method: 'llm',
  };
  const entry: IterationRecord = {
    step: ctx.history.length,
    key: r.key,
    kind: r.kind,
    trial: spec.trial,
    level: spec.level,
    ...(spec.parent ? { parentId: spec.parent.id } : {}),
    epoch: r.epoch,
    batch: r.batch,
    records: r.records,
    taxonomy,
    rating: r.rating ?? null,
    explanation: r.explanation ?? '',
    suggestions: r.suggestions ?? [],
    mapping: r.mapping,
    status: r.outcome.value === null ? 'rejected' : 'accepted',
    attempts: r.outcome.attempts,
    violations: r.outcome.violations,
    usage: r.outcome.usage,
    ...(r.degraded ? { degraded: r.degraded } : {}),
    ...(r.note !== undefined ? { note: r.note } : {}),
  };
  ctx.history.push(entry);
  ctx.ledger.add(r.kind, r.outcome.usage);
  ctx.store.describe({ history: ctx.history });
  await ctx.store.flush();
  const type = r.kind === 'generate' ? 'taxonomy:generated' : r.kind === 'update' ? 'taxonomy:updated' : 'taxonomy:reviewed';
  await ctx.progress({ type, record: entry, taxonomy, fromCheckpoint: r.outcome.fromCheckpoint });
}
