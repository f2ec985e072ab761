/**
 * crossValidate(): stratified k-fold cross-validation of a featurizer + classifier, and auditLabels(): the label
 * audit built on its out-of-fold probabilities.
 */
import type { LabeledExample } from './data/examples.js';
import { confidentLearning, type ConfidentLearningResult } from './audit.js';
import { reportFromProbabilities, type EvaluationReport } from './evaluate.js';
import { outOfFoldProbabilities, prepareExamples, resolveClassifier } from './pipeline.js';
import { defaultRegistry } from './registry.js';
import { resolveThreads, stripRuntime } from './train.js';
import { TrainOptionsSchema, type TrainOptions } from './train-options.js';

export interface CrossValidationResult {
  folds: number;
  labels: string[];
  /** n x K out-of-fold probabilities (row-major, labels order). */
  probabilities: Float64Array;
  /** Fold of each example. */
  foldOf: Int32Array;
  /** Metrics of the out-of-fold predictions against the given labels. */
  report: EvaluationReport;
  perFold: { accuracy: number; macroF1: number }[];
}

export async function crossValidate(examples: readonly LabeledExample[], options: TrainOptions = {}): Promise<CrossValidationResult> {
  const cfg = TrainOptionsSchema.parse(stripRuntime(options));
  if (cfg.multiLabel) throw new Error('crossValidate supports one label per text (multiLabel: false)');
  const registry = options.registry ?? defaultRegistry;
  const data = prepareExamples(examples, cfg);
  const { def, config } = resolveClassifier(registry, cfg.classifier, false);
  const featurizer = registry.createFeaturizer(cfg.featurizer, options.embeddings);
  // Unsupervised featurizer fitted once on all texts: no label information crosses folds.
  await featurizer.fit(data.texts);
  const X = await featurizer.transform(data.texts);
  options.onProgress?.({ stage: 'cv', message: `${cfg.folds}-fold cross-validation of ${config.type} on ${X.rows} examples` });
  const { probabilities, foldOf } = await outOfFoldProbabilities(def, config, X, data, cfg.folds, cfg.seed, resolveThreads(options.threads));
  const K = data.labels.length;
  const gold = Array.from(data.y, (k) => data.labels[k]!);
  const perFold: { accuracy: number; macroF1: number }[] = [];
  for (let f = 0; f < cfg.folds; f++) {
    const rows: number[] = [];
    foldOf.forEach((g, i) => g === f && rows.push(i));
    const P = new Float64Array(rows.length * K);
    rows.forEach((r, i) => P.set(probabilities.subarray(r * K, r * K + K), i * K));
    const rep = reportFromProbabilities(P, data.labels, rows.map((r) => gold[r]!), { k: [1] });
    perFold.push({ accuracy: rep.accuracy, macroF1: rep.macroF1 });
  }
  return {
    folds: cfg.folds,
    labels: data.labels,
    probabilities,
    foldOf,
    report: reportFromProbabilities(probabilities, data.labels, gold),
    perFold,
  };
}

export interface LabelAuditResult extends ConfidentLearningResult {
  /** How well the out-of-fold model agrees with the given labels. */
  crossValidation: { accuracy: number; macroF1: number; folds: number };
}

/**
 * Flag examples whose given (LLM) label the out-of-fold model strongly disputes, most suspicious first, and estimate
 * the share of wrong labels.
 */
export async function auditLabels(examples: readonly LabeledExample[], options: TrainOptions = {}): Promise<LabelAuditResult> {
  const cv = await crossValidate(examples, options);
  const index = new Map(cv.labels.map((l, i) => [l, i]));
  const given = Int32Array.from(examples, (e) => index.get(e.label)!);
  const result = confidentLearning(cv.probabilities, given, cv.labels, examples.map((e) => e.id));
  return { ...result, crossValidation: { accuracy: cv.report.accuracy, macroF1: cv.report.macroF1, folds: cv.folds } };
}
