/**
 * Information-density weighting (Settles & Craven 2008) for the 'diverse' strategy: margin uncertainty times the
 * cosine of a record to its stratum's centroid, so typical uncertain records go before uncertain outliers (which
 * teach the classifier little about the rest of the pool).
 */
import type { CsrMatrix } from '@taxonomist/core';
import { diverseSelect, type SelectionStrategy } from './strategies.js';

/** Cosine of every pool row to the (sum) centroid of its stratum. */
export function centrality(X: CsrMatrix, stratum: Int32Array): Float64Array {
  let S = 0;
  for (const s of stratum) S = Math.max(S, s + 1);
  const cent: Map<number, number>[] = Array.from({ length: S }, () => new Map());
  for (let p = 0; p < X.rows; p++) {
    const c = cent[stratum[p]!]!;
    for (let j = X.indptr[p]!; j < X.indptr[p + 1]!; j++) c.set(X.indices[j]!, (c.get(X.indices[j]!) ?? 0) + X.data[j]!);
  }
  const norm = cent.map((c) => Math.sqrt([...c.values()].reduce((a, v) => a + v * v, 0)) || 1);
  const out = new Float64Array(X.rows);
  for (let p = 0; p < X.rows; p++) {
    const c = cent[stratum[p]!]!;
    let dot = 0;
    let xx = 0;
    for (let j = X.indptr[p]!; j < X.indptr[p + 1]!; j++) {
      dot += X.data[j]! * (c.get(X.indices[j]!) ?? 0);
      xx += X.data[j]! * X.data[j]!;
    }
    out[p] = xx > 0 ? dot / (Math.sqrt(xx) * norm[stratum[p]!]!) : 0;
  }
  return out;
}

const cache = new WeakMap<CsrMatrix, Float64Array>();

export const denseStrategy: SelectionStrategy = {
  name: 'diverse-dense',
  description: "'diverse' with each record's uncertainty weighted by its closeness to its stratum's centroid",
  select(ctx) {
    if (!ctx.features) throw new Error('selection strategy "diverse-dense" needs the pool features (ctx.features)');
    const X = ctx.features();
    let c = cache.get(X);
    if (!c) cache.set(X, (c = centrality(X, ctx.strata())));
    const w = c;
    return diverseSelect(ctx, (u, i) => u * w[ctx.candidates[i]!]!);
  },
};
