/**
 * Class-balanced selection: at 10-20 labels per class, the labels a class gets matter as much as where they fall, and
 * uncertainty alone (or a random sample of an imbalanced pool) leaves some classes with a handful. `diverse-balanced`
 * (half the batch by `diverse`, half by `balanced`) beat `diverse` on banking77 (distill README, lever table).
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

/** `a` picks `shareA` of the batch, then `b` the rest among the candidates `a` left. */
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

/** Half the batch by `diverse` (uncertainty over the strata), the other half by `balanced` (labels short of an equal share). */
export const diverseBalancedStrategy: SelectionStrategy = mixStrategies('diverse-balanced', diverseStrategy, balancedStrategy);
