/**
 * BADGE-like selection (Ash et al. 2020, "Deep batch active learning by diverse, uncertain gradient lower bounds"):
 * each candidate is embedded as the gradient of the cross-entropy loss w.r.t. a linear last layer at its predicted
 * label, g = (p - onehot(argmax p)) (x) x, whose norm grows with uncertainty; k-means++ seeding on these embeddings
 * then picks records that are both uncertain and unlike each other, so a batch is not piled on one boundary.
 *
 * The outer product is never built: <g_i, g_j> = <u_i, u_j> * <x_i, x_j> with u = p - onehot, so one k-means++ step
 * costs one sparse dot and one K-dot per candidate.
 */
import type { CsrMatrix } from '@taxonomist/core';
import type { SelectionContext, SelectionStrategy } from './strategies.js';

export function badgePick(ctx: SelectionContext, X: CsrMatrix): Int32Array {
  const { candidates: cand, probabilities: P, K } = ctx;
  const m = cand.length;
  const size = Math.min(ctx.size, m);
  if (size === 0) return new Int32Array(0);
  const U = new Float64Array(m * K);
  const norm2 = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (P[i * K + k]! > P[i * K + best]!) best = k;
    let uu = 0;
    for (let k = 0; k < K; k++) {
      const u = P[i * K + k]! - (k === best ? 1 : 0);
      U[i * K + k] = u;
      uu += u * u;
    }
    const p = cand[i]!;
    let xx = 0;
    for (let j = X.indptr[p]!; j < X.indptr[p + 1]!; j++) xx += X.data[j]! * X.data[j]!;
    norm2[i] = uu * xx;
  }
  const dense = new Float64Array(X.cols);
  const D = new Float64Array(m).fill(Infinity);
  const chosen = new Uint8Array(m);
  const out: number[] = [];
  // First center: the largest gradient (the most uncertain, weighted by feature mass); ties by pool position.
  let c = 0;
  for (let i = 1; i < m; i++) if (norm2[i]! > norm2[c]!) c = i;
  for (;;) {
    chosen[c] = 1;
    out.push(cand[c]!);
    if (out.length >= size) break;
    const pc = cand[c]!;
    for (let j = X.indptr[pc]!; j < X.indptr[pc + 1]!; j++) dense[X.indices[j]!] = X.data[j]!;
    let total = 0;
    for (let i = 0; i < m; i++) {
      if (chosen[i]) {
        D[i] = 0;
        continue;
      }
      const p = cand[i]!;
      let xd = 0;
      for (let j = X.indptr[p]!; j < X.indptr[p + 1]!; j++) xd += X.data[j]! * dense[X.indices[j]!]!;
      let ud = 0;
      if (xd !== 0) for (let k = 0; k < K; k++) ud += U[i * K + k]! * U[c * K + k]!;
      const d = Math.max(0, norm2[i]! + norm2[c]! - 2 * ud * xd);
      if (d < D[i]!) D[i] = d;
      total += D[i]!;
    }
    for (let j = X.indptr[pc]!; j < X.indptr[pc + 1]!; j++) dense[X.indices[j]!] = 0;
    // D^2 sampling (seeded); with every distance zero (all candidates certain), the first unchosen one in pool order.
    let next = -1;
    if (total > 0) {
      let r = ctx.rng.next() * total;
      for (let i = 0; i < m; i++) {
        if (chosen[i] || D[i]! <= 0) continue;
        next = i;
        r -= D[i]!;
        if (r < 0) break;
      }
    }
    if (next < 0) next = chosen.indexOf(0);
    if (next < 0) break;
    c = next;
  }
  return Int32Array.from(out);
}

export const badgeStrategy: SelectionStrategy = {
  name: 'badge',
  description: 'k-means++ on gradient embeddings (uncertainty x features): uncertain records unlike each other',
  select: (ctx) => {
    if (!ctx.features) throw new Error('selection strategy "badge" needs the pool features (ctx.features)');
    return badgePick(ctx, ctx.features());
  },
};
