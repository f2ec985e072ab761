/**
 * Agreement between a taxonomy's assignments and gold classes, when a user has them (TnT-LLM's external
 * evaluation): NMI, ARI and purity. Label names need not match: only the partition of records matters.
 * Conventions follow scikit-learn (normalized_mutual_info_score with arithmetic normalisation,
 * adjusted_rand_score), including their special cases.
 */

/** Contingency table of two labelings: counts[g][p] = records in gold class g and predicted cluster p. */
export interface Contingency {
  goldLabels: string[];
  predLabels: string[];
  counts: number[][];
  goldSizes: number[];
  predSizes: number[];
  n: number;
}

export function contingency(gold: readonly string[], pred: readonly string[]): Contingency {
  if (gold.length !== pred.length) {
    throw new RangeError(`contingency: gold has ${gold.length} labels but predictions have ${pred.length}`);
  }
  const gi = new Map<string, number>();
  const pi = new Map<string, number>();
  for (const g of gold) if (!gi.has(g)) gi.set(g, gi.size);
  for (const p of pred) if (!pi.has(p)) pi.set(p, pi.size);
  const counts: number[][] = Array.from({ length: gi.size }, () => new Array<number>(pi.size).fill(0));
  const goldSizes = new Array<number>(gi.size).fill(0);
  const predSizes = new Array<number>(pi.size).fill(0);
  for (let i = 0; i < gold.length; i++) {
    const g = gi.get(gold[i]!)!;
    const p = pi.get(pred[i]!)!;
    counts[g]![p]!++;
    goldSizes[g]!++;
    predSizes[p]!++;
  }
  return { goldLabels: [...gi.keys()], predLabels: [...pi.keys()], counts, goldSizes, predSizes, n: gold.length };
}

function entropy(sizes: readonly number[], n: number): number {
  let h = 0;
  for (const s of sizes) if (s > 0) h -= (s / n) * Math.log(s / n);
  return h;
}

/** Mutual information (natural log) of two labelings. */
export function mutualInformation(gold: readonly string[], pred: readonly string[]): number {
  return miOf(contingency(gold, pred));
}

function miOf(c: Contingency): number {
  let mi = 0;
  for (let g = 0; g < c.counts.length; g++) {
    const row = c.counts[g]!;
    for (let p = 0; p < row.length; p++) {
      const nij = row[p]!;
      if (nij === 0) continue;
      mi += (nij / c.n) * Math.log((c.n * nij) / (c.goldSizes[g]! * c.predSizes[p]!));
    }
  }
  // Rounding can make an exactly-zero MI slightly negative.
  return Math.max(0, mi);
}

/**
 * Normalized mutual information, MI / mean(H(gold), H(pred)) (sklearn's default `average_method='arithmetic'`).
 * 1 when both labelings put everything in one class (or the input is empty), 0 when MI is 0.
 */
export function nmi(gold: readonly string[], pred: readonly string[]): number {
  const c = contingency(gold, pred);
  const kg = c.goldLabels.length;
  const kp = c.predLabels.length;
  if ((kg === 1 && kp === 1) || (kg === 0 && kp === 0)) return 1;
  const mi = miOf(c);
  if (mi === 0) return 0;
  const norm = (entropy(c.goldSizes, c.n) + entropy(c.predSizes, c.n)) / 2;
  return Math.min(1, mi / Math.max(norm, Number.EPSILON));
}

const pairs = (x: number): number => (x * (x - 1)) / 2;

/**
 * Adjusted Rand index (Hubert & Arabie): pair-counting agreement corrected for chance; 1 = identical partitions,
 * about 0 for random ones, can be negative. 1 in the degenerate cases where the expected index equals its maximum
 * (both labelings a single class, or both all singletons), as sklearn.
 */
export function ari(gold: readonly string[], pred: readonly string[]): number {
  const c = contingency(gold, pred);
  let index = 0;
  for (const row of c.counts) for (const nij of row) index += pairs(nij);
  const sumA = c.goldSizes.reduce((s, a) => s + pairs(a), 0);
  const sumB = c.predSizes.reduce((s, b) => s + pairs(b), 0);
  const total = pairs(c.n);
  const expected = total === 0 ? 0 : (sumA * sumB) / total;
  const max = (sumA + sumB) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}

/** Purity: each predicted cluster counts its most common gold class; share of records so counted. */
export function purity(gold: readonly string[], pred: readonly string[]): number {
  const c = contingency(gold, pred);
  if (c.n === 0) return 0;
  let sum = 0;
  for (let p = 0; p < c.predLabels.length; p++) {
    let best = 0;
    for (let g = 0; g < c.goldLabels.length; g++) best = Math.max(best, c.counts[g]![p]!);
    sum += best;
  }
  return sum / c.n;
}

/** Inverse purity: each gold class counts its most common predicted cluster (purity with roles swapped). */
export function inversePurity(gold: readonly string[], pred: readonly string[]): number {
  const c = contingency(gold, pred);
  if (c.n === 0) return 0;
  let sum = 0;
  for (const row of c.counts) sum += row.reduce((m, x) => (x > m ? x : m), 0);
  return sum / c.n;
}

/**
 * Harmonic mean of purity and inverse purity. Purity alone rewards many tiny clusters and inverse purity one big
 * cluster; their harmonic mean penalises both.
 */
export function harmonicPurity(gold: readonly string[], pred: readonly string[]): number {
  const p = purity(gold, pred);
  const ip = inversePurity(gold, pred);
  return p + ip === 0 ? 0 : (2 * p * ip) / (p + ip);
}

export interface ClusteringReport {
  n: number;
  goldClasses: number;
  clusters: number;
  nmi: number;
  ari: number;
  purity: number;
  inversePurity: number;
  harmonicPurity: number;
}

/** All gold-class metrics at once. */
export function clusteringReport(gold: readonly string[], pred: readonly string[]): ClusteringReport {
  const c = contingency(gold, pred);
  return {
    n: c.n,
    goldClasses: c.goldLabels.length,
    clusters: c.predLabels.length,
    nmi: nmi(gold, pred),
    ari: ari(gold, pred),
    purity: purity(gold, pred),
    inversePurity: inversePurity(gold, pred),
    harmonicPurity: harmonicPurity(gold, pred),
  };
}
