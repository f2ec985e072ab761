/**
 * Iterative classification (Rakib et al. 2020, "Enhancement of short text clustering by iterative classification"):
 * k-means on dense LSA vectors leaves many short texts on the wrong side of a boundary that the sparse n-gram
 * features draw more sharply. Each round keeps the confident core of every cluster (the members most similar to
 * their cluster's centroid), trains a nearest-centroid classifier on the sparse TF-IDF rows of that core, and
 * re-assigns every text to its best class. Rounds stop when few labels change. No randomness: ties go to the lower
 * cluster index, so the result depends only on the inputs.
 */
import type { CsrMatrix } from '../vectors/sparse/csr.js';

export interface RefineOptions {
  /** Most rounds (default 10). */
  maxRounds?: number;
  /** Share of each cluster, nearest its centroid first, used to train the next round's classifier (default 0.7). */
  core?: number;
  /** 'softmax': multinomial logistic regression by SGD (default); 'centroid': nearest class mean. */
  classifier?: 'softmax' | 'centroid';
  /** SGD epochs over the core per round (default 5). */
  epochs?: number;
  learningRate?: number;
  /** Stop when fewer than this share of texts change label in a round (default 0.002). */
  tol?: number;
}

export interface RefineResult {
  labels: Int32Array;
  /** Rounds run. */
  rounds: number;
  /** Texts whose label changed, per round. */
  changed: number[];
}

/**
 * Refines `labels` (cluster index per row of `x`, 0..k-1) by iterative nearest-centroid classification on the rows
 * of `x` (sparse, L2-normalised). Clusters never vanish: a cluster keeps the member it is most sure of.
 */
export function refineByIterativeClassification(
  x: CsrMatrix,
  initial: ArrayLike<number>,
  k: number,
  opts: RefineOptions = {},
): RefineResult {
  const n = x.rows;
  if (initial.length !== n) throw new RangeError(`refine: ${initial.length} labels for ${n} rows`);
  const maxRounds = opts.maxRounds ?? 10;
  const coreShare = opts.core ?? 0.7;
  if (!(coreShare > 0 && coreShare <= 1)) throw new RangeError(`refine: core must be in (0, 1], got ${coreShare}`);
  const tol = opts.tol ?? 0.002;
  const classifier = opts.classifier ?? 'softmax';
  const epochs = opts.epochs ?? 5;
  const lr0 = opts.learningRate ?? 1;
  const cols = x.cols;
  const labels = Int32Array.from(initial);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!(l >= 0 && l < k)) throw new RangeError(`refine: row ${i} has label ${l}, outside [0, ${k})`);
  }
  // Feature-major centroids (cols x k), so one text's score against every class reads contiguous memory.
  const centroids = new Float64Array(cols * k);
  const scores = new Float64Array(n * k);
  const own = new Float64Array(n);
  const changed: number[] = [];

  const fitCentroids = (keep: (i: number) => boolean): void => {
    centroids.fill(0);
    for (let i = 0; i < n; i++) {
      if (!keep(i)) continue;
      const j = labels[i]!;
      for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) centroids[x.indices[p]! * k + j] += x.data[p]!;
    }
    // Unit length per class: a big cluster must not win by size alone.
    const norm = new Float64Array(k);
    for (let f = 0; f < cols; f++) for (let j = 0; j < k; j++) norm[j] += centroids[f * k + j]! ** 2;
    for (let j = 0; j < k; j++) norm[j] = norm[j]! > 0 ? 1 / Math.sqrt(norm[j]!) : 0;
    for (let f = 0; f < cols; f++) for (let j = 0; j < k; j++) centroids[f * k + j] *= norm[j]!;
  };
  const score = (): void => {
    scores.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * k;
      for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
        const v = x.data[p]!;
        const fo = x.indices[p]! * k;
        for (let j = 0; j < k; j++) scores[o + j] += v * centroids[fo + j]!;
      }
      own[i] = scores[o + labels[i]!]!;
    }
  };

  /**
   * Multinomial logistic regression by plain SGD over the core, in a fixed order that differs per round (a
   * multiplicative hash of the position), warm-started from the current weights.
   */
  const probs = new Float64Array(k);
  const trainSoftmax = (keep: (i: number) => boolean, round: number): void => {
    const order: number[] = [];
    for (let i = 0; i < n; i++) if (keep(i)) order.push(i);
    const salt = (round + 1) * 0x9e3779b1;
    order.sort((a, b) => (Math.imul(a + 1, salt) >>> 0) - (Math.imul(b + 1, salt) >>> 0) || a - b);
    let step = 0;
    const total = epochs * order.length;
    for (let e = 0; e < epochs; e++) {
      for (const i of order) {
        const lr = lr0 * (1 - step++ / total) + 1e-3;
        let max = -Infinity;
        probs.fill(0);
        for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
          const v = x.data[p]!;
          const fo = x.indices[p]! * k;
          for (let j = 0; j < k; j++) probs[j] += v * centroids[fo + j]!;
        }
        for (let j = 0; j < k; j++) if (probs[j]! > max) max = probs[j]!;
        let z = 0;
        for (let j = 0; j < k; j++) z += probs[j] = Math.exp(probs[j]! - max);
        const y = labels[i]!;
        for (let j = 0; j < k; j++) probs[j] = probs[j]! / z - (j === y ? 1 : 0);
        for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
          const g = lr * x.data[p]!;
          const fo = x.indices[p]! * k;
          for (let j = 0; j < k; j++) centroids[fo + j] -= g * probs[j]!;
        }
      }
    }
  };

  fitCentroids(() => true);
  let rounds = 0;
  for (let r = 0; r < maxRounds; r++) {
    score();
    // The core: per cluster, the members most similar to its centroid (ties by position).
    const members: number[][] = Array.from({ length: k }, () => []);
    for (let i = 0; i < n; i++) members[labels[i]!]!.push(i);
    const inCore = new Uint8Array(n);
    for (const m of members) {
      m.sort((a, b) => own[b]! - own[a]! || a - b);
      const keep = Math.max(1, Math.ceil(coreShare * m.length));
      for (let t = 0; t < Math.min(keep, m.length); t++) inCore[m[t]!] = 1;
    }
    if (classifier === 'softmax') trainSoftmax((i) => inCore[i] === 1, r);
    else fitCentroids((i) => inCore[i] === 1);
    score();
    let moved = 0;
    const next = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const o = i * k;
      let best = labels[i]!;
      let bs = scores[o + best]!;
      for (let j = 0; j < k; j++) if (scores[o + j]! > bs) (bs = scores[o + j]!), (best = j);
      next[i] = best;
    }
    // A cluster that would lose every member keeps its most confident one.
    const sizes = new Int32Array(k);
    for (let i = 0; i < n; i++) sizes[next[i]!]!++;
    for (let j = 0; j < k; j++) {
      if (sizes[j]! > 0 || members[j]!.length === 0) continue;
      const keeper = members[j]![0]!;
      sizes[next[keeper]!]!--;
      next[keeper] = j;
      sizes[j] = 1;
    }
    for (let i = 0; i < n; i++) if (next[i] !== labels[i]) moved++;
    labels.set(next);
    rounds++;
    changed.push(moved);
    if (moved < tol * n) break;
    if (classifier === 'centroid') fitCentroids(() => true);
  }
  return { labels, rounds, changed };
}
