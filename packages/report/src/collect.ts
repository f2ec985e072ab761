import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import {
  ClusterPhraseSummarySchema,
  InductionResultSchema,
  RunManifestSchema,
  TaxonomySchema,
  readCorpus,
  readJsonFile,
  readJsonl,
  LabelAssignmentSchema,
  type IterationRecord,
  type LabelAssignment,
  type RunManifest,
  type Taxonomy,
} from '@taxonomist/core';
import { ARTIFACTS } from './artifacts.js';
import type { ReportDataInput, ReportEdit, ReportPhrase, ReportRound } from './data.js';
import { ReportGoldSchema, ReportQualitySchema } from './data.js';
import { computeGeometry, phraseOf, type LabeledText } from './geometry.js';
import type { MapProjection } from './projection.js';

/** active-learning.json (the fields the report shows). */
const ActiveLearningFileSchema = z.object({
  strategy: z.string(),
  bought: z.number().int().nonnegative(),
  stopReason: z.string(),
  rounds: z.array(
    z.object({
      bought: z.number().int(),
      quality: z.object({ holdout: z.object({ n: z.number().int(), agreement: z.number().nullable(), interval: z.object({ low: z.number(), high: z.number() }).nullable() }) }).nullable(),
    }),
  ),
});

/** distill-eval.json: how the distilled model did on held-out LLM labels. */
export const DistillEvalSchema = z.object({ quality: ReportQualitySchema.optional() });
/** gold-eval.json: agreement of the predictions with gold classes. */
export const GoldEvalSchema = z.object({ gold: ReportGoldSchema });

const EXAMPLES_PER_LABEL = 3;
/** Phrases shown per label. */
const PHRASES_SHOWN = 6;

export interface CollectOptions {
  title?: string;
  generator: string;
  /** Directory relative paths in the manifest were given from (default: the current directory). */
  cwd?: string;
  /** How the map places the documents (default 'umap'; see projection.ts). */
  projection?: MapProjection;
}

/**
 * Gather the report's data from a run directory's artifacts. Only manifest.json and taxonomy.json are required;
 * every other part is shown when its artifact exists.
 */
export async function collectReportData(outDir: string, options: CollectOptions): Promise<ReportDataInput> {
  const manifest = await readJsonFile(join(outDir, ARTIFACTS.manifest), RunManifestSchema);
  const taxonomy = await readJsonFile(join(outDir, ARTIFACTS.taxonomy), TaxonomySchema);
  const predictionsPath = join(outDir, ARTIFACTS.predictions);
  const labelsPath = join(outDir, ARTIFACTS.labels);
  const fromPredictions = existsSync(predictionsPath);
  const assignments = fromPredictions ? await readAssignments(predictionsPath) : existsSync(labelsPath) ? await readAssignments(labelsPath) : [];

  const counts = new Map<string, number>(taxonomy.labels.map((l) => [l.name, 0]));
  let failed = 0;
  for (const a of assignments) {
    if (a.none === true) continue; // "none of these" is a coverage answer (shown as its rate), not a failure
    if (a.status !== 'ok' || a.label === undefined) failed++;
    else counts.set(a.label, (counts.get(a.label) ?? 0) + 1);
  }
  const engine = manifest.options.engine === 'llm' ? 'llm' : 'offline';
  const training = fromPredictions && existsSync(labelsPath) ? await readAssignments(labelsPath) : assignments;
  const corpus = await corpusTexts(manifest, assignments.length > 0, options.cwd ?? process.cwd());
  const data: ReportDataInput = {
    title: options.title ?? 'Taxonomist report',
    generator: options.generator,
    useCase: taxonomy.useCase,
    corpus: {
      path: manifest.input.path,
      records: manifest.input.records ?? assignments.length,
      ...(typeof manifest.options.skippedInput === 'number' ? { skipped: manifest.options.skippedInput } : {}),
    },
    engine,
    models: manifest.models,
    notes:
      engine === 'offline'
        ? ['These results come from the offline non-LLM baseline (TF-IDF + SVD + k-means, clusters named by their most distinctive phrases). Configure an LLM with --model for the TnT-LLM pipeline.']
        : [],
    taxonomy,
    examples: exampleTexts(taxonomy, assignments, corpus.texts),
    distribution: {
      source: fromPredictions ? 'predictions of the distilled model on the whole corpus' : 'labels of the labeled sample',
      counts: [...counts].map(([label, count]) => ({ label, count })),
      failed,
    },
    usage: manifest.stages
      // A stage still running is the one rendering this report (or one that crashed): no figures to show yet.
      .filter((s) => s.status !== 'pending' && s.status !== 'running')
      .map((s) => ({
        stage: s.name,
        status: s.status,
        ...(s.usage ?? {}),
        ...(s.counts?.durationMs !== undefined ? { durationMs: s.counts.durationMs } : {}),
        ...(s.counts?.records !== undefined ? { records: s.counts.records } : {}),
        ...(s.error !== undefined && s.status !== 'done' ? { error: s.error } : {}),
      })),
  };
  Object.assign(data, labelDetails(taxonomy, training, fromPredictions ? assignments : [], corpus, manifest.seed ?? 0, options.projection));
  // "none of these" was offered to the model (--allow-none): a rate of 0 then means full coverage, not "not asked".
  const labelOptions = (manifest.options.label ?? {}) as Record<string, unknown>;
  if (!data.coverage && labelOptions.allowNone === true && training.length > 0) data.coverage = { none: 0, labeled: training.length };
  const inductionPath = join(outDir, ARTIFACTS.induction);
  if (existsSync(inductionPath)) {
    const induction = await readJsonFile(inductionPath, InductionResultSchema.pick({ history: true, rejectedSteps: true, degradedSteps: true, warnings: true }));
    if (induction.history.length > 0) data.history = historyOf(induction.history);
    if (induction.history.length > 0 || induction.rejectedSteps > 0) {
      data.induction = { rejectedSteps: induction.rejectedSteps, degradedSteps: induction.degradedSteps ?? 0, warnings: induction.warnings ?? [] };
    }
  }
  const distillEvalPath = join(outDir, ARTIFACTS.distillEval);
  if (existsSync(distillEvalPath)) {
    const { quality } = await readJsonFile(distillEvalPath, DistillEvalSchema);
    if (quality) data.quality = quality;
  }
  const learningPath = join(outDir, ARTIFACTS.activeLearning);
  if (existsSync(learningPath)) {
    const l = await readJsonFile(learningPath, ActiveLearningFileSchema);
    data.learning = {
      strategy: l.strategy,
      bought: l.bought,
      stopReason: l.stopReason,
      rounds: l.rounds.map((r) => ({ bought: r.bought, n: r.quality?.holdout.n ?? 0, agreement: r.quality?.holdout.agreement ?? null, low: r.quality?.holdout.interval?.low ?? null, high: r.quality?.holdout.interval?.high ?? null })),
    };
  }
  const goldPath = join(outDir, ARTIFACTS.goldEval);
  if (existsSync(goldPath)) data.gold = (await readJsonFile(goldPath, GoldEvalSchema)).gold;
  return data;
}

async function readAssignments(path: string): Promise<LabelAssignment[]> {
  const out: LabelAssignment[] = [];
  for await (const a of readJsonl(path, { schema: LabelAssignmentSchema })) out.push(a);
  return out;
}

interface CorpusTexts {
  texts: Map<string, string>;
  /** Gold class per record id (only with --gold-field). */
  gold: Map<string, string>;
  goldField?: string;
}

/** Every record's text (and gold class), read once; empty when the corpus file is gone. */
async function corpusTexts(manifest: RunManifest, wanted: boolean, cwd: string): Promise<CorpusTexts> {
  const out: CorpusTexts = { texts: new Map(), gold: new Map() };
  const corpusPath = isAbsolute(manifest.input.path) ? manifest.input.path : resolve(cwd, manifest.input.path);
  if (!wanted || !existsSync(corpusPath)) return out;
  const flags = (manifest.options.corpus ?? {}) as Record<string, string>;
  const goldField = typeof manifest.options.goldField === 'string' ? manifest.options.goldField : undefined;
  if (goldField) out.goldField = goldField;
  for await (const r of readCorpus(corpusPath, { ...flags, ...(goldField ? { labelField: goldField } : {}) })) {
    out.texts.set(r.id, r.text);
    if (r.label !== undefined) out.gold.set(r.id, r.label);
  }
  return out;
}

/** Up to 3 texts per label: the most confident ok assignments, ties in corpus order. */
function exampleTexts(taxonomy: Taxonomy, assignments: readonly LabelAssignment[], texts: ReadonlyMap<string, string>): Record<string, string[]> {
  if (texts.size === 0) return {};
  const idByName = new Map(taxonomy.labels.map((l) => [l.name, l.id]));
  const best = new Map<string, { id: string; confidence: number; order: number }[]>();
  assignments.forEach((a, order) => {
    if (a.status !== 'ok' || a.label === undefined) return;
    const labelId = a.labelId ?? idByName.get(a.label);
    if (labelId === undefined) return;
    const list = best.get(labelId) ?? [];
    list.push({ id: a.id, confidence: a.confidence ?? 0, order });
    best.set(labelId, list);
  });
  const out: Record<string, string[]> = {};
  for (const [labelId, list] of best) {
    list.sort((x, y) => y.confidence - x.confidence || x.order - y.order);
    out[labelId] = list
      .slice(0, EXAMPLES_PER_LABEL)
      .map((x) => texts.get(x.id))
      .filter((t): t is string => t !== undefined);
  }
  return out;
}

/**
 * Per-label detail: disagreements of the distilled model with the training labels, mean training-label confidence,
 * "none of these" coverage, the cluster x gold table, and the map / similarity / phrases computed from the texts.
 */
function labelDetails(taxonomy: Taxonomy, training: readonly LabelAssignment[], predictions: readonly LabelAssignment[], corpus: CorpusTexts, seed: number, projection?: MapProjection): Partial<ReportDataInput> {
  const out: Partial<ReportDataInput> = {};
  const index = new Map(taxonomy.labels.map((l, i) => [l.name, i]));
  const idOf = (name: string): string | undefined => taxonomy.labels[index.get(name) ?? -1]?.id;
  const predicted = new Map(predictions.filter((a) => a.status === 'ok' && a.label !== undefined).map((a) => [a.id, a.label!]));

  const disagreements: Record<string, { text: string; predicted: string }[]> = {};
  const conf = new Map<string, { sum: number; n: number }>();
  let none = 0;
  for (const a of training) {
    if (a.none) none++;
    if (a.status !== 'ok' || a.label === undefined) continue;
    const id = idOf(a.label);
    if (id === undefined) continue;
    if (a.confidence !== undefined) {
      const c = conf.get(id) ?? { sum: 0, n: 0 };
      c.sum += a.confidence;
      c.n++;
      conf.set(id, c);
    }
    const p = predicted.get(a.id);
    const text = corpus.texts.get(a.id);
    if (p !== undefined && p !== a.label && text !== undefined) {
      const list = (disagreements[id] ??= []);
      if (list.length < EXAMPLES_PER_LABEL) list.push({ text, predicted: p });
    }
  }
  out.disagreements = disagreements;
  out.confidence = Object.fromEntries([...conf].map(([id, c]) => [id, Math.round((c.sum / c.n) * 1000) / 1000]));
  if (training.some((a) => a.none === true)) out.coverage = { none, labeled: training.length };

  const final = predictions.length > 0 ? predictions : training;
  if (corpus.gold.size > 0) {
    const table = new Map<string, Map<string, number>>();
    for (const a of final) {
      const g = corpus.gold.get(a.id);
      if (a.status !== 'ok' || a.label === undefined || g === undefined) continue;
      const row = table.get(a.label) ?? new Map<string, number>();
      row.set(g, (row.get(g) ?? 0) + 1);
      table.set(a.label, row);
    }
    out.goldTable = taxonomy.labels
      .filter((l) => table.has(l.name))
      .map((l) => {
        const row = [...table.get(l.name)!].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
        return { label: l.name, n: row.reduce((s, [, c]) => s + c, 0), gold: row.slice(0, 3).map(([name, count]) => ({ name, count })) };
      });
  }

  const items: LabeledText[] = [];
  for (const a of final) {
    const text = corpus.texts.get(a.id);
    const l = a.status === 'ok' && a.label !== undefined ? index.get(a.label) : undefined;
    if (text !== undefined && l !== undefined) items.push({ text, label: l });
  }
  const geometry = computeGeometry(items, taxonomy.labels.length, seed, projection);
  if (geometry) {
    out.map = { ...geometry.map, centroids: geometry.map.centroids.map((c) => (Number.isFinite(c.x) ? c : null)) };
    out.similarity = geometry.similarity;
    out.phrases = Object.fromEntries(taxonomy.labels.map((l, i) => [l.id, geometry.phrases[i] ?? []]).filter(([, p]) => p.length > 0));
    out.phrasesSource = 'labels';
  }
  // The engine's own phrases (those its names were chosen from) win over phrases read again from the labels.
  const own = enginePhrases(taxonomy);
  if (own) {
    out.phrases = own;
    out.phrasesSource = 'taxonomy';
  }
  return out;
}

/** The clustering engine's phrases per label id (taxonomy `metadata.cluster.phrases`), when the taxonomy has valid ones. */
function enginePhrases(taxonomy: Taxonomy): Record<string, ReportPhrase[]> | undefined {
  const cluster = (taxonomy.metadata as { cluster?: { phrases?: unknown } } | undefined)?.cluster;
  const parsed = z.record(z.string(), z.array(ClusterPhraseSummarySchema)).safeParse(cluster?.phrases);
  if (!parsed.success) return undefined;
  const ids = new Set(taxonomy.labels.map((l) => l.id));
  const out = Object.fromEntries(
    Object.entries(parsed.data)
      .filter(([id, list]) => ids.has(id) && list.length > 0)
      .map(([id, list]) => [id, list.slice(0, PHRASES_SHOWN).map(phraseOf)]),
  );
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Rounds (rating, label count) and the label edits of an LLM induction history, ids shown with names. */
export function historyOf(history: readonly IterationRecord[]): { rounds: ReportRound[]; edits: ReportEdit[] } {
  const rounds: ReportRound[] = [];
  const edits: ReportEdit[] = [];
  const previous = new Map<string, Taxonomy>();
  history.forEach((h, round) => {
    rounds.push({
      round,
      step: h.kind,
      ...(h.batch !== null ? { batch: h.batch } : {}),
      epoch: h.epoch,
      ...(h.rating !== null ? { rating: Math.max(0, Math.min(100, h.rating)) } : {}),
      labels: h.taxonomy.labels.length,
      explanation: h.explanation,
      status: h.status === 'rejected' ? 'rejected' : h.degraded !== undefined ? 'degraded' : 'accepted',
      retries: Math.max(0, h.attempts - 1),
      ...(reasonOf(h) ? { reason: reasonOf(h) } : {}),
    });
    const chain = `${h.trial}/${h.level}/${h.parentId ?? ''}`;
    const before = previous.get(chain);
    const name = (t: Taxonomy | undefined, id: string): string => {
      const l = t?.labels.find((x) => x.id === id);
      return l ? `${id} ${l.name}` : id;
    };
    // The first draft "adds" every label: that is the taxonomy itself, not a change.
    if (h.kind === 'generate') {
      previous.set(chain, h.taxonomy);
      return;
    }
    const merged = new Map<string, string[]>();
    for (const m of h.mapping) {
      if (m.kind === 'merged' && m.from !== null) {
        const key = m.to.join(',');
        merged.set(key, [...(merged.get(key) ?? []), name(before, m.from)]);
        continue;
      }
      if (m.kind === 'kept' && !m.descriptionChanged) continue;
      edits.push({
        round,
        kind: m.kind === 'kept' ? 'redescribed' : m.kind,
        from: m.from === null ? [] : [name(before, m.from)],
        to: m.to.map((id) => name(h.taxonomy, id)),
      });
    }
    for (const [to, from] of merged) edits.push({ round, kind: 'merged', from, to: to.split(',').map((id) => name(h.taxonomy, id)) });
    previous.set(chain, h.taxonomy);
  });
  return { rounds, edits };
}

/** Why a step was rejected, degraded or retried: its note, else the rule violations of its invalid answers. */
function reasonOf(h: IterationRecord): string | undefined {
  if (h.note) return h.note;
  const v = h.violations.flat();
  return v.length ? [...new Set(v)].join('; ') : undefined;
}
