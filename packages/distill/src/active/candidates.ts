/**
 * Selection strategies screened against `diverse` on banking77 (see the distill README's lever table).
 */
import { allocate, diverseStrategy, marginUncertainty, type SelectionContext, type SelectionStrategy } from './strategies.js';

function argmaxRows(P: Float64Array, K: number): Int32Array {
  const n = K > 0 ? P.length / K : 0;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (P[i * K + k]! > P[i * K + best]!) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * Class-balanced margin: slots go to the predicted labels in proportion to how far each is below an equal share of
 * the labels bought after this batch, and each label's slots to its most uncertain candidates.
 */
export const balancedStrategy: SelectionStrategy = {
  name: 'balanced',
  description: 'margin uncertainty, the batch shared among predicted labels that have the fewest training labels',
  select(ctx) {
    const counts = ctx.labelCounts;
    if (!counts) throw new Error('selection strategy "balanced" needs ctx.labelCounts');
    const u = marginUncertainty(ctx.probabilities, ctx.K);
    const pred = argmaxRows(ctx.probabilities, ctx.K);
    const members: number[][] = Array.from({ length: ctx.K }, () => []);
    pred.forEach((k, i) => members[k]!.push(i));
    for (const m of members) m.sort((a, b) => u[b]! - u[a]! || ctx.candidates[a]! - ctx.candidates[b]!);
    const total = counts.reduce((a, b) => a + b, 0) + ctx.size;
    const deficit = Float64Array.from(counts, (c) => Math.max(0, total / ctx.K - c));
    const quota = allocate(deficit, members.map((m) => m.length), Math.min(ctx.size, ctx.candidates.length));
    const picked: { i: number; u: number }[] = [];
    members.forEach((m, k) => m.slice(0, quota[k]).forEach((i) => picked.push({ i, u: u[i]! })));
    picked.sort((a, b) => b.u - a.u || ctx.candidates[a.i]! - ctx.candidates[b.i]!);
    return Int32Array.from(picked, (x) => ctx.candidates[x.i]!);
  },
};

/**
 * Margin then core-set: the `POOL_FACTOR x size` most uncertain candidates, from which greedy k-center (in the LSA
 * space) takes the one farthest from everything bought or picked, `size` times.
 */
const POOL_FACTOR = 5;
export const marginCoresetStrategy: SelectionStrategy = {
  name: 'margin-coreset',
  description: 'the most uncertain candidates, thinned by greedy k-center in the LSA space',
  select(ctx) {
    if (!ctx.vectors || !ctx.labeled) throw new Error('selection strategy "margin-coreset" needs ctx.vectors and ctx.labeled');
    const V = ctx.vectors();
    const d = V.cols;
    const u = marginUncertainty(ctx.probabilities, ctx.K);
    const order = Int32Array.from({ length: u.length }, (_, i) => i).sort((a, b) => u[b]! - u[a]! || ctx.candidates[a]! - ctx.candidates[b]!);
    const top = Array.from(order.subarray(0, Math.min(order.length, POOL_FACTOR * ctx.size)), (i) => ctx.candidates[i]!);
    return kCenter(V.data, d, top, ctx.labeled, ctx.size);
  },
};

/** Greedy k-center: repeatedly the candidate with the largest cosine distance to its nearest chosen/labeled point. */
export function kCenter(V: Float64Array, d: number, candidates: readonly number[], labeled: ArrayLike<number>, size: number): number[] {
  const minDist = new Float64Array(candidates.length).fill(Infinity);
  const update = (q: number): void => {
    candidates.forEach((p, i) => {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += V[p * d + c]! * V[q * d + c]!;
      const dist = 1 - dot;
      if (dist < minDist[i]!) minDist[i] = dist;
    });
  };
  for (let j = 0; j < labeled.length; j++) update(labeled[j]!);
  const taken = new Uint8Array(candidates.length);
  const out: number[] = [];
  while (out.length < Math.min(size, candidates.length)) {
    let best = -1;
    for (let i = 0; i < candidates.length; i++) if (!taken[i] && (best < 0 || minDist[i]! > minDist[best]!)) best = i;
    taken[best] = 1;
    out.push(candidates[best]!);
    update(candidates[best]!);
  }
  return out;
}

/** `diverse` for half the batch, `balanced` for the other half. */
export function mixStrategies(name: string, a: SelectionStrategy, b: SelectionStrategy, shareA = 0.5): SelectionStrategy {
  return {
    name,
    description: `${a.name} and ${b.name} mixed`,
    select(ctx: SelectionContext) {
      const na = Math.round(ctx.size * shareA);
      const first = Array.from(a.select({ ...ctx, size: na }));
      const taken = new Set(first);
      const keep: number[] = [];
      ctx.candidates.forEach((p, i) => !taken.has(p) && keep.push(i));
      const K = ctx.K;
      const P = new Float64Array(keep.length * K);
      keep.forEach((i, j) => P.set(ctx.probabilities.subarray(i * K, i * K + K), j * K));
      const second = Array.from(b.select({ ...ctx, candidates: Int32Array.from(keep, (i) => ctx.candidates[i]!), probabilities: P, size: ctx.size - first.length }));
      return [...first, ...second];
    },
  };
}

export const diverseBalancedStrategy: SelectionStrategy = mixStrategies('diverse-balanced', diverseStrategy, balancedStrategy);
