/**
 * Mini-batch k-means (Sculley 2010, as scikit-learn's MiniBatchKMeans) for large corpora: centres are seeded by full
 * k-means++ on a seeded sample (cheap seeding: the sample, not the corpus, pays for it), then moved by small random
 * batches with a per-centre learning rate of 1 / (points it has absorbed), and every point is assigned once at the
 * end. Far cheaper than Lloyd on 50k+ points, at a small cost in inertia. Deterministic under a seed.
 */
import { createRng, sampleWithoutReplacement } from '../util/random.js';
import { sqDistAt, type DenseMatrix } from './dense.js';
import { kmeans, type KMeansResult } from './kmeans.js';

export interface MiniBatchKMeansOptions {
  k: number;
  seed: number;
  /** Points per batch (default 1024). */
  batchSize?: number;
  /** Batches (default: about 3 passes over the data, at least 50, at most 500; the engine polishes with Lloyd steps). */
  batches?: number;
  /** Points the centres are seeded on (default max(10 k, 3 batchSize), at most n). */
  initSize?: number;
  /** Unit vectors and re-normalised centres (cosine geometry). */
  spherical?: boolean;
}

export function miniBatchKmeans(points: DenseMatrix, opts: MiniBatchKMeansOptions): KMeansResult {
  const n = points.rows;
  const dims = points.cols;
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`miniBatchKmeans: k must be a positive integer, got ${k}`);
  if (k > n) throw new RangeError(`miniBatchKmeans: k = ${k} is larger than the number of points (${n})`);
  const batchSize = Math.min(n, opts.batchSize ?? 1024);
  const batches = opts.batches ?? Math.min(500, Math.max(50, Math.ceil((3 * n) / batchSize)));
  const spherical = opts.spherical ?? false;
  const rng = createRng(opts.seed);
  const x = points.data;

  // Seeding: k-means (3 k-means++ starts, the best kept) on a sample.
  const initSize = Math.min(n, Math.max(k, opts.initSize ?? Math.max(10 * k, 3 * batchSize)));
  const sample = sampleWithoutReplacement(Array.from({ length: n }, (_, i) => i), initSize, rng.fork(1)).sort((a, b) => a - b);
  const sub = new Float64Array(initSize * dims);
  sample.forEach((i, r) => sub.set(x.subarray(i * dims, (i + 1) * dims), r * dims));
  const init = kmeans({ rows: initSize, cols: dims, data: sub }, { k, seed: opts.seed, nInit: 3, spherical, maxIter: 50 });
  const centers = Float64Array.from(init.centroids);
  const absorbed = new Float64Array(k);
  for (let j = 0; j < k; j++) absorbed[j] = init.sizes[j]!;

  const nearest = (i: number): number => {
    let bj = 0;
    let bd = Infinity;
    for (let j = 0; j < k; j++) {
      const d = sqDistAt(x, i * dims, centers, j * dims, dims);
      if (d < bd) (bd = d), (bj = j);
    }
    return bj;
  };
  const batchRng = rng.fork(2);
  const batch = new Int32Array(batchSize);
  const owner = new Int32Array(batchSize);
  for (let b = 0; b < batches; b++) {
    for (let t = 0; t < batchSize; t++) batch[t] = batchRng.int(n);
    for (let t = 0; t < batchSize; t++) owner[t] = nearest(batch[t]!);
    for (let t = 0; t < batchSize; t++) {
      const j = owner[t]!;
      const eta = 1 / ++absorbed[j]!;
      const io = batch[t]! * dims;
      const jo = j * dims;
      for (let c = 0; c < dims; c++) centers[jo + c] = centers[jo + c]! + eta * (x[io + c]! - centers[jo + c]!);
    }
    if (spherical) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let c = 0; c < dims; c++) s += centers[j * dims + c]! ** 2;
        if (s > 0) for (let c = 0; c < dims; c++) centers[j * dims + c] = centers[j * dims + c]! / Math.sqrt(s);
      }
    }
  }

  const labels = new Int32Array(n);
  const distances = new Float64Array(n);
  const sizes = new Int32Array(k);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const j = nearest(i);
    labels[i] = j;
    distances[i] = sqDistAt(x, i * dims, centers, j * dims, dims);
    inertia += distances[i]!;
    sizes[j]!++;
  }
  return { k, dims, centroids: centers, labels, distances, inertia, sizes, iterations: batches, converged: true, restarts: [] };
}
