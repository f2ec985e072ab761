/**
 * Classification metrics: gold labels vs predicted labels (the distilled classifier, the LLM labeler, a human).
 * Definitions follow scikit-learn with `zero_division=0`: a ratio whose denominator is zero counts as 0, and
 * macro averages are taken over every listed label, including labels with no gold support.
 */

export interface PerLabelMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Gold records with this label. */
  support: number;
  /** Records predicted as this label. */
  predicted: number;
}

export interface ConfusionMatrix {
  labels: string[];
  /** matrix[g][p] = records with gold labels[g] predicted as labels[p]. */
  matrix: number[][];
}

export interface Confusion {
  gold: string;
  predicted: string;
  count: number;
}

export interface ClassificationReport {
  n: number;
  accuracy: number;
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  /** Mean per-label F1 weighted by gold support. */
  weightedF1: number;
  /** Cohen's kappa between gold and predicted labels. */
  kappa: number;
  perLabel: PerLabelMetrics[];
  confusion: ConfusionMatrix;
  /** Most frequent (gold, predicted) pairs with gold !== predicted, most frequent first. */
  topConfusions: Confusion[];
}

export interface ClassificationReportOptions {
  /**
   * Labels to report on, in this order (default: sorted union of gold and predicted labels). Labels outside this
   * list still count in `n`, `accuracy`, `kappa` and `topConfusions`, but not in per-label rows, the matrix or the
   * macro/weighted averages (as sklearn's `labels=`).
   */
  labels?: string[];
  /** How many top confusions to list (default 10). */
  topConfusions?: number;
}

function checkPair(gold: readonly string[], pred: readonly string[], what: string): void {
  if (gold.length !== pred.length) {
    throw new RangeError(`${what}: gold has ${gold.length} labels but predictions have ${pred.length}`);
  }
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/** Sorted (by code unit, locale-independent) union of the labels in the given lists. */
export function sortedLabelUnion(...lists: (readonly string[])[]): string[] {
  const set = new Set<string>();
  for (const list of lists) for (const l of list) set.add(l);
  return [...set].sort();
}

/** Share of positions where gold and prediction agree (0 for empty input). */
export function accuracy(gold: readonly string[], pred: readonly string[]): number {
  checkPair(gold, pred, 'accuracy');
  let hit = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === pred[i]) hit++;
  return ratio(hit, gold.length);
}

/**
 * Cohen's kappa: agreement between two raters corrected for chance, (po - pe) / (1 - pe).
 * In the degenerate case pe = 1 (both raters always use the same single label) kappa is undefined; it is
 * reported as 1, since the raters agree on every item (sklearn would give NaN, which does not survive JSON).
 */
export function cohenKappa(a: readonly string[], b: readonly string[]): number {
  checkPair(a, b, 'cohenKappa');
  const n = a.length;
  if (n === 0) return 0;
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  let agree = 0;
  for (let i = 0; i < n; i++) {
    ca.set(a[i]!, (ca.get(a[i]!) ?? 0) + 1);
    cb.set(b[i]!, (cb.get(b[i]!) ?? 0) + 1);
    if (a[i] === b[i]) agree++;
  }
  const po = agree / n;
  let pe = 0;
  for (const [label, count] of ca) pe += (count / n) * ((cb.get(label) ?? 0) / n);
  if (1 - pe <= 1e-12) return po === 1 ? 1 : 0;
  return (po - pe) / (1 - pe);
}

/** Share of records whose gold label is among the first k ranked predictions. */
export function topKAccuracy(gold: readonly string[], rankedPredictions: readonly (readonly string[])[], k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`topKAccuracy: k must be a positive integer, got ${k}`);
  if (gold.length !== rankedPredictions.length) {
    throw new RangeError(
      `topKAccuracy: gold has ${gold.length} labels but rankedPredictions has ${rankedPredictions.length} rows`,
    );
  }
  let hit = 0;
  for (let i = 0; i < gold.length; i++) {
    const row = rankedPredictions[i]!;
    const limit = Math.min(k, row.length);
    for (let j = 0; j < limit; j++) {
      if (row[j] === gold[i]) {
        hit++;
        break;
      }
    }
  }
  return ratio(hit, gold.length);
}

/** Full report: accuracy, per-label and averaged P/R/F1, kappa, confusion matrix and the top confusions. */
export function classificationReport(
  gold: readonly string[],
  pred: readonly string[],
  opts: ClassificationReportOptions = {},
): ClassificationReport {
  checkPair(gold, pred, 'classificationReport');
  const labels = opts.labels ? [...opts.labels] : sortedLabelUnion(gold, pred);
  const index = new Map<string, number>();
  labels.forEach((l, i) => {
    if (index.has(l)) throw new RangeError(`classificationReport: label "${l}" is listed twice in opts.labels`);
    index.set(l, i);
  });
  const m = labels.length;
  const matrix: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const support = new Array<number>(m).fill(0);
  const predicted = new Array<number>(m).fill(0);
  const pairs = new Map<string, Confusion>();
  for (let i = 0; i < gold.length; i++) {
    const g = index.get(gold[i]!);
    const p = index.get(pred[i]!);
    if (g !== undefined) support[g]!++;
    if (p !== undefined) predicted[p]!++;
    if (g !== undefined && p !== undefined) matrix[g]![p]!++;
    if (gold[i] !== pred[i]) {
      // JSON array as key: no separator character can collide with label text.
      const key = JSON.stringify([gold[i], pred[i]]);
      const c = pairs.get(key);
      if (c) c.count++;
      else pairs.set(key, { gold: gold[i]!, predicted: pred[i]!, count: 1 });
    }
  }
  const perLabel: PerLabelMetrics[] = labels.map((label, i) => {
    const tp = matrix[i]![i]!;
    const precision = ratio(tp, predicted[i]!);
    const recall = ratio(tp, support[i]!);
    const f1 = ratio(2 * precision * recall, precision + recall);
    return { label, precision, recall, f1, support: support[i]!, predicted: predicted[i]! };
  });
  const mean = (f: (r: PerLabelMetrics) => number): number => ratio(perLabel.reduce((s, r) => s + f(r), 0), m);
  const totalSupport = support.reduce((s, x) => s + x, 0);
  const weightedF1 = ratio(
    perLabel.reduce((s, r) => s + r.f1 * r.support, 0),
    totalSupport,
  );
  const topConfusions = [...pairs.values()]
    .sort((x, y) => y.count - x.count || cmp(x.gold, y.gold) || cmp(x.predicted, y.predicted))
    .slice(0, opts.topConfusions ?? 10);
  return {
    n: gold.length,
    accuracy: accuracy(gold, pred),
    macroPrecision: mean((r) => r.precision),
    macroRecall: mean((r) => r.recall),
    macroF1: mean((r) => r.f1),
    weightedF1,
    kappa: cohenKappa(gold, pred),
    perLabel,
    confusion: { labels, matrix },
    topConfusions,
  };
}

/** Macro-averaged F1 over the sorted union of labels (or the given labels). */
export function macroF1(gold: readonly string[], pred: readonly string[], opts: { labels?: string[] } = {}): number {
  return classificationReport(gold, pred, { ...opts, topConfusions: 0 }).macroF1;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
