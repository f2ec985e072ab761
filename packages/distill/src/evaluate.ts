/**
 * Evaluation against reference labels: accuracy, macro-F1, per-label P/R/F1, confusion matrix and Cohen's kappa (from
 * @taxonomist/core's classificationReport), plus top-k accuracy and log-loss from the probabilities.
 */
import { classificationReport, topKAccuracy, type ClassificationReport } from '@taxonomist/core';
import { topKIndices } from './classifiers/linear-model.js';
import type { LabeledExample } from './data/examples.js';
import type { DistilledClassifier } from './model.js';

export interface EvaluationReport extends ClassificationReport {
  /** k -> share of examples whose reference label is among the k most probable labels. */
  topK: Record<string, number>;
  /** Mean negative log-probability of the reference label (examples with a label the model knows). */
  logLoss: number;
  /** Multi-label models: metrics over all (example, label) decisions. */
  multiLabel?: MultiLabelReport;
}

export interface MultiLabelReport {
  microPrecision: number;
  microRecall: number;
  microF1: number;
  macroF1: number;
  /** Share of examples whose predicted label set equals the reference set. */
  subsetAccuracy: number;
}

export interface EvaluateOptions {
  /** Which top-k accuracies to report (default [1, 3, 5]). */
  k?: number[];
}

/** Report from an n x K probability matrix and reference labels. */
export function reportFromProbabilities(
  probabilities: Float64Array,
  labels: readonly string[],
  gold: readonly string[],
  opts: EvaluateOptions = {},
): EvaluationReport {
  const K = labels.length;
  const n = gold.length;
  if (probabilities.length !== n * K) throw new RangeError(`probabilities: ${probabilities.length} values for ${n} x ${K}`);
  const ks = opts.k ?? [1, 3, 5];
  const maxK = Math.min(K, Math.max(1, ...ks));
  const ranked: string[][] = [];
  const pred: string[] = [];
  const index = new Map(labels.map((l, i) => [l, i]));
  let nll = 0;
  let known = 0;
  for (let i = 0; i < n; i++) {
    const row = probabilities.subarray(i * K, i * K + K);
    const top = topKIndices(row, K, maxK).map((c) => labels[c]!);
    ranked.push(top);
    pred.push(top[0]!);
    const g = index.get(gold[i]!);
    if (g !== undefined) {
      nll -= Math.log(Math.max(row[g]!, 1e-15));
      known++;
    }
  }
  const report = classificationReport(gold, pred, { labels: [...labels] });
  const topK: Record<string, number> = {};
  for (const k of ks) topK[String(k)] = topKAccuracy(gold, ranked, k);
  return { ...report, topK, logLoss: known === 0 ? 0 : nll / known };
}

/** Multi-label metrics from probabilities, a threshold and reference label sets. */
export function multiLabelReport(
  probabilities: Float64Array,
  labels: readonly string[],
  gold: readonly (readonly string[])[],
  threshold: number,
): MultiLabelReport {
  const K = labels.length;
  const index = new Map(labels.map((l, i) => [l, i]));
  const tp = new Float64Array(K);
  const fp = new Float64Array(K);
  const fn = new Float64Array(K);
  let exact = 0;
  gold.forEach((g, i) => {
    const goldSet = new Set(g.map((l) => index.get(l)).filter((k): k is number => k !== undefined));
    let same = goldSet.size === g.length;
    for (let k = 0; k < K; k++) {
      const p = probabilities[i * K + k]! >= threshold;
      const t = goldSet.has(k);
      if (p && t) tp[k]++;
      else if (p) {
        fp[k]++;
        same = false;
      } else if (t) {
        fn[k]++;
        same = false;
      }
    }
    if (same) exact++;
  });
  const sum = (a: Float64Array): number => a.reduce((s, x) => s + x, 0);
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const TP = sum(tp);
  const microPrecision = ratio(TP, TP + sum(fp));
  const microRecall = ratio(TP, TP + sum(fn));
  let macro = 0;
  for (let k = 0; k < K; k++) macro += ratio(2 * tp[k]!, 2 * tp[k]! + fp[k]! + fn[k]!);
  return {
    microPrecision,
    microRecall,
    microF1: ratio(2 * microPrecision * microRecall, microPrecision + microRecall),
    macroF1: macro / K,
    subsetAccuracy: ratio(exact, gold.length),
  };
}

/** Evaluate a trained model on reference-labeled examples. */
export async function evaluate(model: DistilledClassifier, examples: readonly LabeledExample[], opts: EvaluateOptions = {}): Promise<EvaluationReport> {
  const X = await model.featurizer.transform(examples.map((e) => e.text));
  const P = model.probabilities(X);
  const report = reportFromProbabilities(P, model.labels, examples.map((e) => e.label), opts);
  if (model.meta.multiLabel) {
    report.multiLabel = multiLabelReport(P, model.labels, examples.map((e) => e.labels ?? [e.label]), model.meta.threshold);
  }
  return report;
}
