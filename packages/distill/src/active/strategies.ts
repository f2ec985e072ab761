/**
 * Built-in selection strategies of the active-learning loop: which unlabeled records to send to the LLM next.
 * A strategy is a plain object with a `select` hook; it returns candidate positions, most wanted first. Every tie is
 * broken by pool position and every random choice comes from `ctx.rng`, so the same inputs and seed give the same
 * picks.
 */
import type { Rng } from '@taxonomist/core';

export interface SelectionContext {
  /** Pool positions of the unlabeled candidates, ascending. */
  candidates: Int32Array;
  /** candidates.length x K calibrated probabilities of the current classifier (row-major). */
  probabilities: Float64Array;
  /** Labels the classifier knows (columns of `probabilities`). */
  K: number;
  /** How many to pick. */
  size: number;
  /** Seeded generator for this round. */
  rng: Rng;
  /** Stratum (offline cluster) of every pool position, computed once per run on first use. */
  strata(): Int32Array;
  round: number;
  /** Training labels the classifier learned per column of `probabilities` (length K; absent in hand-built contexts). */
  labelCounts?: Float64Array;
}

export interface SelectionStrategy {
  name: string;
  description: string;
  /** Up to `ctx.size` candidate positions (pool positions, not candidate indices), most wanted first. */
  select(ctx: SelectionContext): Int32Array | number[];
}

/** Uncertainty of each candidate: 1 - (p1 - p2), higher = less sure (margin sampling). */
export function marginUncertainty(P: Float64Array, K: number): Float64Array {
  const n = K > 0 ? P.length / K : 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let p1 = -1;
    let p2 = -1;
    for (let k = 0; k < K; k++) {
      const p = P[i * K + k]!;
      if (p > p1) {
        p2 = p1;
        p1 = p;
      } else if (p > p2) p2 = p;
    }
    out[i] = 1 - (p1 - Math.max(p2, 0));
  }
  return out;
}

/** Shannon entropy (nats) of each candidate's predicted distribution. */
export function entropyUncertainty(P: Float64Array, K: number): Float64Array {
  const n = K > 0 ? P.length / K : 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let h = 0;
    for (let k = 0; k < K; k++) {
      const p = P[i * K + k]!;
      if (p > 0) h -= p * Math.log(p);
    }
    out[i] = h;
  }
  return out;
}

/** Candidate indices sorted by descending score, ties by ascending position. */
function rankByScore(scores: Float64Array, candidates: Int32Array): Int32Array {
  const idx = Int32Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((a, b) => scores[b]! - scores[a]! || candidates[a]! - candidates[b]!);
}

function topByScore(scores: Float64Array, ctx: SelectionContext): Int32Array {
  const order = rankByScore(scores, ctx.candidates);
  return Int32Array.from(order.subarray(0, Math.min(ctx.size, order.length)), (i) => ctx.candidates[i]!);
}

/** Seeded partial Fisher-Yates: `size` distinct positions drawn uniformly from `candidates`. */
export function randomPick(candidates: Int32Array, size: number, rng: Rng): Int32Array {
  const a = Int32Array.from(candidates);
  const m = Math.min(size, a.length);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(a.length - i);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a.slice(0, m);
}

export const randomStrategy: SelectionStrategy = {
  name: 'random',
  description: 'uniform random sample of the unlabeled pool (the baseline: what sampling before labeling does)',
  select: (ctx) => randomPick(ctx.candidates, ctx.size, ctx.rng),
};

export const marginStrategy: SelectionStrategy = {
  name: 'margin',
  description: 'smallest gap between the two most probable labels first',
  select: (ctx) => topByScore(marginUncertainty(ctx.probabilities, ctx.K), ctx),
};

export const entropyStrategy: SelectionStrategy = {
  name: 'entropy',
  description: 'highest entropy of the predicted label distribution first',
  select: (ctx) => topByScore(entropyUncertainty(ctx.probabilities, ctx.K), ctx),
};

/**
 * Margin uncertainty within strata (offline k-means clusters of the pool): the batch is shared among strata in
 * proportion to their summed uncertainty (largest remainders, ties by stratum index), and each stratum gives its
 * most uncertain records. Pure margin sampling tends to fill a batch with near-duplicates around one decision
 * boundary; spreading it over the clusters keeps it informative and covers themes the classifier has not seen.
 */
export const diverseStrategy: SelectionStrategy = {
  name: 'diverse',
  description: 'margin uncertainty spread over k-means strata of the pool (no batch piled on one boundary)',
  select(ctx) {
    const u = marginUncertainty(ctx.probabilities, ctx.K);
    const strata = ctx.strata();
    let S = 0;
    for (const p of ctx.candidates) S = Math.max(S, strata[p]! + 1);
    const members: number[][] = Array.from({ length: S }, () => []);
    const mass = new Float64Array(S);
    ctx.candidates.forEach((p, i) => {
      members[strata[p]!]!.push(i);
      mass[strata[p]!] += u[i]!;
    });
    for (const m of members) m.sort((a, b) => u[b]! - u[a]! || ctx.candidates[a]! - ctx.candidates[b]!);
    const size = Math.min(ctx.size, ctx.candidates.length);
    const quota = allocate(mass, members.map((m) => m.length), size);
    const picked: { i: number; u: number }[] = [];
    members.forEach((m, s) => m.slice(0, quota[s]).forEach((i) => picked.push({ i, u: u[i]! })));
    picked.sort((a, b) => b.u - a.u || ctx.candidates[a.i]! - ctx.candidates[b.i]!);
    return Int32Array.from(picked, (x) => ctx.candidates[x.i]!);
  },
};

/**
 * Share `size` slots among groups in proportion to `weight`, at most `cap[g]` each (largest remainders; slots a
 * full group cannot take go round again to the others).
 */
export function allocate(weight: Float64Array, cap: readonly number[], size: number): number[] {
  const G = weight.length;
  const quota = new Array<number>(G).fill(0);
  let left = Math.min(size, cap.reduce((a, b) => a + b, 0));
  while (left > 0) {
    const open = [...Array(G).keys()].filter((g) => quota[g]! < cap[g]!);
    let total = open.reduce((a, g) => a + weight[g]!, 0);
    // All remaining weight zero (every open candidate fully certain): share by how many candidates are open.
    const w = (g: number): number => (total > 0 ? weight[g]! : cap[g]! - quota[g]!);
    if (total <= 0) total = open.reduce((a, g) => a + w(g), 0);
    const want = open.map((g) => ({ g, exact: (left * w(g)) / total }));
    let given = 0;
    for (const { g, exact } of want) {
      const add = Math.min(Math.floor(exact), cap[g]! - quota[g]!);
      quota[g] += add;
      given += add;
    }
    const rest = want
      .filter(({ g }) => quota[g]! < cap[g]!)
      .sort((a, b) => (b.exact % 1) - (a.exact % 1) || b.exact - a.exact || a.g - b.g);
    for (const { g } of rest) {
      if (given >= left) break;
      quota[g]++;
      given++;
    }
    if (given === 0) break;
    left -= given;
  }
  return quota;
}

export const BUILTIN_STRATEGIES: readonly SelectionStrategy[] = [randomStrategy, marginStrategy, entropyStrategy, diverseStrategy];
