/**
 * Silhouette score on a seeded sample, and the choice of k by silhouette. The pairwise distances of the sample are
 * computed once and reused for every candidate k, so trying a range of k costs one k-means run per k plus O(s²).
 */
import { createRng, hashString32, sampleWithoutReplacement } from '../util/random.js';
import { sqDistAt, type DenseMatrix } from './dense.js';
import { kmeans, type KMeansOptions, type KMeansResult } from './kmeans.js';

/** Euclidean distances among a sample of points, to score several labelings of the same points. */
export interface SilhouetteSample {
  /** Indices of the sampled points, ascending. */
  indices: Int32Array;
  /** Mean silhouette of the sampled points under `labels` (labels of all points, indexed like the matrix). */
  score(labels: ArrayLike<number>): number;
}

export function silhouetteSample(points: DenseMatrix, opts: { sampleSize?: number; seed: number }): SilhouetteSample {
  const n = points.rows;
  const dims = points.cols;
  const size = Math.min(n, opts.sampleSize ?? 2000);
  const all = Array.from({ length: n }, (_, i) => i);
  const picked = size >= n ? all : sampleWithoutReplacement(all, size, createRng(opts.seed));
  const indices = Int32Array.from(picked).sort();
  const s = indices.length;
  const dist = new Float32Array(s * s);
  for (let a = 0; a < s; a++) {
    for (let b = a + 1; b < s; b++) {
      const d = Math.sqrt(sqDistAt(points.data, indices[a]! * dims, points.data, indices[b]! * dims, dims));
      dist[a * s + b] = d;
      dist[b * s + a] = d;
    }
  }
  return {
    indices,
    score(labels: ArrayLike<number>): number {
      if (labels.length !== n) throw new RangeError(`silhouette: ${labels.length} labels for ${n} points`);
      // Re-index the clusters present in the sample to 0..m-1.
      const remap = new Map<number, number>();
      const lab = new Int32Array(s);
      for (let a = 0; a < s; a++) {
        const l = labels[indices[a]!]!;
        let r = remap.get(l);
        if (r === undefined) remap.set(l, (r = remap.size));
        lab[a] = r;
      }
      const m = remap.size;
      if (m < 2 || m >= s) {
        throw new RangeError(`silhouette: needs 2 to ${s - 1} clusters among the ${s} sampled points, got ${m}`);
      }
      const sizes = new Int32Array(m);
      for (let a = 0; a < s; a++) sizes[lab[a]!]!++;
      const sums = new Float64Array(m);
      let total = 0;
      for (let a = 0; a < s; a++) {
        sums.fill(0);
        const o = a * s;
        for (let b = 0; b < s; b++) sums[lab[b]!] = sums[lab[b]!]! + dist[o + b]!;
        const own = lab[a]!;
        // A point alone in its cluster scores 0 (Rousseeuw's convention, as sklearn).
        if (sizes[own]! <= 1) continue;
        const ai = sums[own]! / (sizes[own]! - 1);
        let bi = Infinity;
        for (let c = 0; c < m; c++) if (c !== own && sums[c]! / sizes[c]! < bi) bi = sums[c]! / sizes[c]!;
        const den = Math.max(ai, bi);
        if (den > 0) total += (bi - ai) / den;
      }
      return total / s;
    },
  };
}

/** Mean silhouette coefficient (Euclidean) of a labeling, on a seeded sample of at most `sampleSize` points. */
export function silhouetteScore(
  points: DenseMatrix,
  labels: ArrayLike<number>,
  opts: { sampleSize?: number; seed?: number } = {},
): number {
  return silhouetteSample(points, { sampleSize: opts.sampleSize, seed: opts.seed ?? 0 }).score(labels);
}

/**
 * Candidate values of k: `[min, max]` (every integer in between, inclusive), `{ min, max, step }` (every step-th
 * from min, plus max), or `{ values: [...] }` (exactly these).
 */
export type KRange = readonly [number, number] | { min: number; max: number; step?: number } | { values: readonly number[] };

export interface ChooseKOptions extends Omit<KMeansOptions, 'k'> {
  kRange: KRange;
  /** Points the silhouette is computed on (default 2000). */
  sampleSize?: number;
}

export interface ChooseKCandidate {
  k: number;
  silhouette: number;
  inertia: number;
}

export interface ChooseKResult {
  k: number;
  silhouette: number;
  result: KMeansResult;
  candidates: ChooseKCandidate[];
}

/** The candidate values of k, ascending and unique, each in [2, n - 1]. */
export function expandKRange(range: KRange, n: number): number[] {
  let ks: number[];
  // Arrays have a `values` method, so test for the tuple form first.
  if (!Array.isArray(range) && 'values' in range) ks = [...(range as { values: readonly number[] }).values];
  else {
    let min: number;
    let max: number;
    let step = 1;
    if (Array.isArray(range)) {
      if (range.length !== 2) throw new RangeError(`kRange: a tuple must be [min, max], got ${range.length} values`);
      [min, max] = range as readonly [number, number];
    } else {
      const r = range as { min: number; max: number; step?: number };
      ({ min, max } = r);
      step = r.step ?? 1;
    }
    if (!(step >= 1) || !Number.isInteger(step)) throw new RangeError(`kRange.step must be a positive integer, got ${step}`);
    if (!(min <= max)) throw new RangeError(`kRange: min (${min}) must not exceed max (${max})`);
    ks = [];
    for (let k = min; k <= max; k += step) ks.push(k);
    if (ks[ks.length - 1] !== max) ks.push(max);
  }
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 2) throw new RangeError(`kRange: every k must be an integer >= 2, got ${k}`);
  }
  const valid = [...new Set(ks)].filter((k) => k < n).sort((a, b) => a - b);
  if (valid.length === 0) throw new RangeError(`kRange: no candidate k below the number of points (${n})`);
  return valid;
}

/**
 * Runs k-means for every k of the range and keeps the one with the highest silhouette (the smaller k on ties).
 * Each k gets its own seed derived from (seed, k), so its clustering does not depend on which other k were tried.
 */
export function chooseK(points: DenseMatrix, opts: ChooseKOptions): ChooseKResult {
  const ks = expandKRange(opts.kRange, points.rows);
  const sample = silhouetteSample(points, { sampleSize: opts.sampleSize, seed: opts.seed });
  const candidates: ChooseKCandidate[] = [];
  let best: ChooseKResult | undefined;
  for (const k of ks) {
    const result = kmeans(points, { ...opts, k, seed: kSeed(opts.seed, k) });
    const silhouette = sample.score(result.labels);
    candidates.push({ k, silhouette, inertia: result.inertia });
    if (!best || silhouette > best.silhouette) best = { k, silhouette, result, candidates };
  }
  return { ...best!, candidates };
}

/** Seed for the k-means run of a given k inside `chooseK` (exported so a caller can reproduce one run). */
export function kSeed(seed: number, k: number): number {
  return hashString32(`${seed}:k=${k}`);
}

/**
 * The default candidates' span for `n` points: from 2 up to about 2 sqrt(n) (at least 10, below n), so the search
 * can reach the scale of real data (77 intents in 3 080 texts -> up to 111) instead of stopping at a fixed cap.
 */
export function defaultKSpan(n: number): { min: number; max: number } {
  const max = Math.max(2, Math.min(n - 1, Math.max(10, Math.round(2 * Math.sqrt(n)))));
  return { min: Math.min(2, max), max };
}

export interface SearchKOptions extends Omit<KMeansOptions, 'k'> {
  min: number;
  max: number;
  /** Values tried on the first, coarse pass (geometric grid, default 8). */
  coarse?: number;
  /** Points the silhouette is computed on (default 2000). */
  sampleSize?: number;
  /** The smallest k whose silhouette is within this share of the best is chosen (default 0.02). */
  tolerance?: number;
  /** Clustering of one candidate (default: `kmeans` with these options and seed `kSeed(seed, k)`). */
  fit?: (k: number, seed: number) => KMeansResult;
}

export interface ChooseKWithReason extends ChooseKResult {
  /** The chosen k is the smallest or largest value that could be tried: a better k may lie outside the range. */
  atEdge: 'min' | 'max' | undefined;
  /** One sentence: which k and why. */
  reason: string;
}

/**
 * Coarse-to-fine choice of k by silhouette: a geometric grid over [min, max], then the span between the best grid
 * point's neighbours on a finer grid (at most `coarse` more runs), then steps halved around the best value down to
 * its immediate neighbours. Candidates are returned in ascending k; each
 * k uses the seed `kSeed(seed, k)`, as `chooseK`, so a k's clustering does not depend on the others tried.
 */
export function searchK(points: DenseMatrix, opts: SearchKOptions): ChooseKWithReason {
  const n = points.rows;
  const min = Math.max(2, opts.min);
  const max = Math.min(n - 1, opts.max);
  if (!(Number.isInteger(min) && Number.isInteger(max)) || min > max) {
    throw new RangeError(`k search: needs integers 2 <= min <= max < number of points (${n}), got [${opts.min}, ${opts.max}]`);
  }
  const coarse = Math.max(2, opts.coarse ?? 8);
  const sample = silhouetteSample(points, { sampleSize: opts.sampleSize, seed: opts.seed });
  const tried = new Map<number, { silhouette: number; result: KMeansResult; inertia: number }>();
  const { min: _a, max: _b, coarse: _c, sampleSize: _d, tolerance: _e, fit, ...km } = opts;
  const tryK = (k: number): void => {
    if (tried.has(k)) return;
    const result = fit ? fit(k, kSeed(opts.seed, k)) : kmeans(points, { ...km, k, seed: kSeed(opts.seed, k) });
    tried.set(k, { silhouette: sample.score(result.labels), result, inertia: result.inertia });
  };
  const grid = (lo: number, hi: number, count: number): number[] => {
    const out = new Set<number>([lo, hi]);
    for (let t = 1; t < count - 1; t++) out.add(Math.round(lo * (hi / lo) ** (t / (count - 1))));
    return [...out].sort((a, b) => a - b);
  };
  const bestK = (): number => {
    let b = -1;
    let bs = -Infinity;
    for (const k of [...tried.keys()].sort((x, y) => x - y)) if (tried.get(k)!.silhouette > bs) (bs = tried.get(k)!.silhouette), (b = k);
    return b;
  };
  const first = grid(min, max, Math.min(coarse, max - min + 1));
  for (const k of first) tryK(k);
  const c = bestK();
  const at = first.indexOf(c);
  const lo = first[Math.max(0, at - 1)]!;
  const hi = first[Math.min(first.length - 1, at + 1)]!;
  const stepFine = Math.max(1, Math.ceil((hi - lo) / coarse));
  for (let k = lo; k <= hi; k += stepFine) tryK(k);
  // Then halve the step around the best value until neighbouring k are compared.
  for (let step = stepFine; step > 1; ) {
    step = Math.ceil(step / 2);
    const b = bestK();
    if (b - step >= min) tryK(b - step);
    if (b + step <= max) tryK(b + step);
  }
  // Silhouettes of neighbouring k differ by less than the noise of one k-means run: of the values within `tolerance`
  // of the best, the smallest k is kept (parsimony, like the one-standard-error rule).
  const top = bestK();
  const tolerance = opts.tolerance ?? 0.02;
  const topScore = tried.get(top)!.silhouette;
  const k = [...tried.keys()].sort((a, b) => a - b).find((kk) => tried.get(kk)!.silhouette >= topScore - tolerance * Math.abs(topScore))!;
  const best = tried.get(k)!;
  const candidates = [...tried.entries()].sort((a, b) => a[0] - b[0]).map(([kk, v]) => ({ k: kk, silhouette: v.silhouette, inertia: v.inertia }));
  const atEdge = k === max && max > min ? 'max' : k === min && max > min ? 'min' : undefined;
  const edge =
    atEdge === 'max'
      ? '; it is the largest k tried, so more clusters may fit better: pass a larger range or force k'
      : atEdge === 'min'
        ? '; it is the smallest k tried: pass a smaller range or force k'
        : '';
  const why =
    k === top
      ? `highest silhouette (${best.silhouette.toFixed(3)})`
      : `smallest k whose silhouette (${best.silhouette.toFixed(3)}) is within ${+(100 * tolerance).toFixed(1)}% of the highest (${topScore.toFixed(3)} at k = ${top})`;
  const reason = `k = ${k}: ${why} of ${candidates.length} values tried over k = ${min}..${max}${edge}`;
  return { k, silhouette: best.silhouette, result: best.result, candidates, atEdge, reason };
}
