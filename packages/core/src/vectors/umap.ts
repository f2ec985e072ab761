/**
 * UMAP (McInnes et al. 2018; the `umap-js` implementation) of dense vectors: a low-dimensional layout that keeps each
 * point's nearest neighbours near, used for the report's 2-D map. Rows are compared by cosine (they are L2-normalised
 * first, so umap-js's Euclidean distance ranks neighbours as cosine does). Seeded: umap-js takes every random draw
 * (neighbour search, initial layout, negative sampling) from the given generator, so a seed gives the same layout.
 */
import { UMAP } from 'umap-js';
import { createRng } from '../util/random.js';
import type { DenseMatrix } from './dense.js';

export interface UmapOptions {
  seed: number;
  /** Output dimensions (default 2). */
  dimensions?: number;
  /** Neighbours each point keeps near (default 15, umap-js's). */
  neighbors?: number;
  /** How tightly points may pack (default 0.1). */
  minDist?: number;
  /** Optimisation epochs (default: umap-js's choice, 500 below 10 000 points, else 200). */
  epochs?: number;
}

/** UMAP layout of `m`'s rows; fewer than 3 rows are returned at the origin (nothing to lay out). */
export function umapProject(m: DenseMatrix, opts: UmapOptions): DenseMatrix<Float64Array> {
  const dims = opts.dimensions ?? 2;
  const out: DenseMatrix<Float64Array> = { rows: m.rows, cols: dims, data: new Float64Array(m.rows * dims) };
  if (m.rows < 3) return out;
  const rows: number[][] = [];
  for (let r = 0; r < m.rows; r++) {
    const v = Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols));
    const n = Math.hypot(...v);
    rows.push(n > 0 ? v.map((x) => x / n) : v);
  }
  const rng = createRng(opts.seed);
  const umap = new UMAP({
    nComponents: dims,
    nNeighbors: Math.max(2, Math.min(opts.neighbors ?? 15, m.rows - 1)),
    minDist: opts.minDist ?? 0.1,
    random: () => rng.next(),
    ...(opts.epochs !== undefined ? { nEpochs: opts.epochs } : {}),
  });
  const layout = umap.fit(rows);
  layout.forEach((p, r) => {
    for (let d = 0; d < dims; d++) out.data[r * dims + d] = p[d] ?? 0;
  });
  return out;
}
