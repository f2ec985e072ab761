/**
 * Re-labeling of suspicious LLM labels: the label audit (confident learning on out-of-fold probabilities) ranks the
 * labels the classifier disputes; the most suspicious are asked again through the injected `ask` (the same model
 * several times: self-consistency, or a second, stronger model) and resolved:
 * - 'majority' (self-consistency): the most frequent of the original label and the new answers; a tie keeps the
 *   original (it takes a majority to overturn a label);
 * - 'second-opinion' (a stronger model): its first usable answer replaces the original.
 * Every resolution keeps its provenance (original label, answers, policy, model) so it can go on the label line.
 */
import type { LabelAssignment } from '@taxonomist/core';
import type { LabeledExample } from '../data/examples.js';
import { auditLabels, type LabelAuditResult } from '../cross-validate.js';
import type { TrainOptions } from '../train-options.js';

export interface RelabelItem {
  id: string;
  text: string;
  /** The label the LLM gave. */
  label: string;
  /** The label the classifier finds more likely. */
  suggested: string;
  /** Out-of-fold probability of the given label. */
  givenProbability: number;
}

export interface RelabelAnswer {
  /** New answers for the record (null: no usable answer). */
  answers: (string | null)[];
  /** The model that answered (provenance). */
  model?: string;
}

export type RelabelPolicy = 'majority' | 'second-opinion';

export interface RelabelOutcome {
  id: string;
  from: string;
  to: string;
  changed: boolean;
  policy: RelabelPolicy;
  answers: (string | null)[];
  suggested: string;
  model?: string;
}

export interface RelabelOptions extends Pick<TrainOptions, 'featurizer' | 'classifier' | 'registry' | 'seed' | 'folds'> {
  ask(items: RelabelItem[]): Promise<RelabelAnswer[]>;
  policy?: RelabelPolicy;
  /** Most records to re-ask (default: the flagged ones, at most 10% of the examples), most suspicious first. */
  max?: number;
  /** Records per `ask` call (default 50). */
  batchSize?: number;
  /** Outcomes from an earlier, interrupted pass (by id): reused, not asked again. */
  done?: ReadonlyMap<string, RelabelOutcome>;
  /** A label audit of these same examples already computed (else one is run: k-fold training). */
  audit?: LabelAuditResult;
  /** After every `ask` batch, with its outcomes (persist them here to resume without asking twice). */
  onOutcomes?(outcomes: RelabelOutcome[]): void | Promise<void>;
}

export interface RelabelResult {
  /** The examples with resolved labels (same order). */
  examples: LabeledExample[];
  /** One outcome per re-asked record, most suspicious first. */
  outcomes: RelabelOutcome[];
  /** Labels changed by the resolution. */
  changed: number;
  /** Examples the audit flagged; records re-asked. */
  flagged: number;
  asked: number;
  noiseRate: number;
}

export function resolveRelabel(from: string, answers: readonly (string | null)[], policy: RelabelPolicy): string {
  const usable = answers.filter((a): a is string => typeof a === 'string' && a !== '');
  if (policy === 'second-opinion') return usable[0] ?? from;
  const votes = new Map<string, number>([[from, 1]]);
  for (const a of usable) votes.set(a, (votes.get(a) ?? 0) + 1);
  // Map order is the original label first, then answers in order: a tie keeps the earlier one (the original first).
  let best = from;
  for (const [label, c] of votes) if (c > votes.get(best)!) best = label;
  return best;
}

export async function relabelSuspicious(examples: readonly LabeledExample[], options: RelabelOptions): Promise<RelabelResult> {
  const policy = options.policy ?? 'majority';
  if (examples.some((e) => e.id === undefined)) throw new Error('relabelSuspicious: every example needs an id (provenance is kept by id)');
  const audit = options.audit ?? await auditLabels(examples, {
    ...(options.featurizer ? { featurizer: options.featurizer } : {}),
    ...(options.classifier ? { classifier: options.classifier } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
    seed: options.seed ?? 0,
    folds: options.folds ?? 5,
  });
  const max = options.max ?? Math.ceil(examples.length * 0.1);
  const chosen = audit.issues.slice(0, Math.max(0, max));
  const batchSize = options.batchSize ?? 50;
  const outcomes: RelabelOutcome[] = [];
  const pending = chosen.filter((i) => !options.done?.has(i.id!));
  const fresh = new Map<string, RelabelOutcome>();
  for (let b = 0; b < pending.length; b += batchSize) {
    const slice = pending.slice(b, b + batchSize);
    const items: RelabelItem[] = slice.map((i) => ({
      id: i.id!,
      text: examples[i.index]!.text,
      label: i.givenLabel,
      suggested: i.suggestedLabel,
      givenProbability: i.givenProbability,
    }));
    const answers = await options.ask(items);
    if (!Array.isArray(answers) || answers.length !== items.length) throw new Error(`relabel ask returned ${Array.isArray(answers) ? answers.length : typeof answers} answers for ${items.length} records`);
    const batch = items.map((it, k): RelabelOutcome => {
      const a = answers[k]!;
      if (!Array.isArray(a?.answers)) throw new TypeError(`relabel ask: answer for id ${JSON.stringify(it.id)} needs an answers array`);
      const to = resolveRelabel(it.label, a.answers, policy);
      return { id: it.id, from: it.label, to, changed: to !== it.label, policy, answers: [...a.answers], suggested: it.suggested, ...(a.model ? { model: a.model } : {}) };
    });
    batch.forEach((o) => fresh.set(o.id, o));
    await options.onOutcomes?.(batch);
  }
  for (const i of chosen) outcomes.push(options.done?.get(i.id!) ?? fresh.get(i.id!)!);
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const resolved = examples.map((e) => {
    const o = byId.get(e.id!);
    return o && o.changed ? { ...e, label: o.to } : e;
  });
  return {
    examples: resolved,
    outcomes,
    changed: outcomes.filter((o) => o.changed).length,
    flagged: audit.issues.length,
    asked: pending.length,
    noiseRate: audit.noiseRate,
  };
}

/**
 * A label line with the resolution of its re-labeling: `label` becomes the resolved label (its `labelId` is dropped
 * when the label changed, as it named the old one) and `relabel` keeps the provenance.
 */
export function withRelabel(line: LabelAssignment, outcome: RelabelOutcome): LabelAssignment {
  if (line.id !== outcome.id) throw new Error(`withRelabel: line ${JSON.stringify(line.id)} and outcome ${JSON.stringify(outcome.id)} differ`);
  const { labelId, ...rest } = line;
  return {
    ...rest,
    ...(outcome.changed ? {} : labelId !== undefined ? { labelId } : {}),
    label: outcome.to,
    relabel: { from: outcome.from, policy: outcome.policy, answers: [...outcome.answers], changed: outcome.changed, ...(outcome.model ? { model: outcome.model } : {}) },
  };
}
