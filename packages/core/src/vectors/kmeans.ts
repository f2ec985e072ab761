/**
 * k-means on dense vectors: seeded (greedy) k-means++ initialisation, then Lloyd iterations accelerated with Elkan's
 * or Hamerly's triangle-inequality bounds (same result as plain Lloyd, but most distance computations are skipped
 * once clusters settle), several restarts keeping the lowest inertia, and a spherical (cosine) mode for
 * L2-normalised text vectors.
 */
import { createRng, sampleWithoutReplacement, type Rng } from '../util/random.js';
import { sqDistAt, type DenseMatrix } from './dense.js';

export interface KMeansOptions {
  k: number;
  seed: number;
  /** Independent restarts; the one with the lowest inertia wins (default 3). */
  nInit?: number;
  /** Iteration cap per restart (default 300). */
  maxIter?: number;
  /**
   * Convergence tolerance, relative as in sklearn: stop when the summed squared centroid shift is at most
   * tol x the mean per-dimension variance of the data (default 1e-4). Identical assignments also stop.
   */
  tol?: number;
  /**
   * Spherical k-means: points are L2-normalised and centroids re-normalised after each update, so clusters are
   * formed by cosine similarity (the right geometry for TF-IDF/LSA and most embedding models).
   */
  spherical?: boolean;
  /**
   * Candidates tried per k-means++ step, the best kept (greedy k-means++). Default 2 + floor(ln k) as sklearn up to
   * GREEDY_INIT_MAX_POINTS points; above, 1 (plain k-means++): the greedy trials would cost more than Lloyd itself,
   * and the restarts (`nInit`) already guard against a poor start.
   */
  localTrials?: number;
  /** Bounds used to skip distance computations (default 'auto': Elkan unless n x k > ELKAN_MAX_BOUNDS). */
  algorithm?: 'auto' | 'elkan' | 'hamerly';
  /** Start from these centroids (k x dims, row-major) instead of k-means++; then there is a single run. */
  init?: Float64Array;
  /**
   * Run k-means++ on a seeded sample of at most this many points (at least k) instead of all of them; Lloyd then runs
   * on all. The seeding's cost is linear in the points it sees, and its centres only need to cover the clusters, which
   * a few dozen points per cluster do (scikit-learn's MiniBatchKMeans seeds on a sample the same way). Default: all.
   */
  initSample?: number;
}

export interface KMeansRestart {
  inertia: number;
  iterations: number;
  converged: boolean;
  /** Point-centre distances computed (the work the bounds did not save). */
  distanceEvaluations: number;
}

/** Above this many points the default k-means++ is plain (one candidate per step) rather than greedy. */
export const GREEDY_INIT_MAX_POINTS = 20_000;

/** Above this many (point, centre) pairs `algorithm: 'auto'` uses Hamerly's O(n) bounds instead of Elkan's O(n k). */
export const ELKAN_MAX_BOUNDS = 1 << 23;

export interface KMeansResult {
  k: number;
  dims: number;
  /** k x dims, row-major (unit length in spherical mode). */
  centroids: Float64Array;
  /** Cluster index of each point. */
  labels: Int32Array;
  /** Squared Euclidean distance of each point (normalised, in spherical mode) to its centroid. */
  distances: Float64Array;
  /** Sum of `distances` (in spherical mode 2 x the summed cosine distance). */
  inertia: number;
  sizes: Int32Array;
  iterations: number;
  converged: boolean;
  /** Every restart, in order (the chosen one is the first with the lowest inertia). */
  restarts: KMeansRestart[];
}

export function kmeans(points: DenseMatrix, opts: KMeansOptions): KMeansResult {
  const n = points.rows;
  const dims = points.cols;
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`kmeans: k must be a positive integer, got ${k}`);
  if (k > n) throw new RangeError(`kmeans: k = ${k} is larger than the number of points (${n})`);
  const nInit = opts.nInit ?? 3;
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`kmeans: nInit must be a positive integer, got ${nInit}`);
  const maxIter = opts.maxIter ?? 300;
  const spherical = opts.spherical ?? false;
  const x = Float64Array.from(points.data);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw new RangeError(`kmeans: point ${Math.floor(i / dims)} has a non-finite value`);
  }
  if (spherical) normalizeRows(x, n, dims);
  const tolAbs = (opts.tol ?? 1e-4) * meanVariance(x, n, dims);
  if (opts.initSample !== undefined && !(Number.isInteger(opts.initSample) && opts.initSample >= 1)) {
    throw new RangeError(`kmeans: initSample must be a positive integer, got ${opts.initSample}`);
  }
  const seedOn = Math.min(n, Math.max(k, opts.initSample ?? n));
  const trials = opts.localTrials ?? (seedOn <= GREEDY_INIT_MAX_POINTS ? 2 + Math.floor(Math.log(k)) : 1);
  const algorithm = opts.algorithm === 'hamerly' || opts.algorithm === 'elkan' ? opts.algorithm : n * k <= ELKAN_MAX_BOUNDS ? 'elkan' : 'hamerly';

  const base = createRng(opts.seed);
  let best: KMeansResult | undefined;
  const restarts: KMeansRestart[] = [];
  if (opts.init && opts.init.length !== k * dims) {
    throw new RangeError(`kmeans: init has ${opts.init.length} values, expected k x dims = ${k * dims}`);
  }
  const runs = opts.init ? 1 : nInit;
  for (let r = 0; r < runs; r++) {
    const rng = base.fork(r);
    const init = opts.init ? Float64Array.from(opts.init) : seedCenters(x, n, dims, k, rng, trials, seedOn);
    if (opts.init && spherical) normalizeRows(init, k, dims);
    const run = lloyd(x, n, dims, k, init, maxIter, tolAbs, spherical, algorithm);
    restarts.push({
      inertia: run.inertia,
      iterations: run.iterations,
      converged: run.converged,
      distanceEvaluations: run.distanceEvaluations,
    });
    if (!best || run.inertia < best.inertia) {
      const { distanceEvaluations: _unused, ...rest } = run;
      best = rest;
    }
  }
  return { ...best!, restarts };
}

/** Nearest centroid of every point (squared Euclidean); ties go to the lower index. */
export function nearestCentroids(
  points: DenseMatrix,
  centroids: Float64Array,
  k: number,
): { labels: Int32Array; distances: Float64Array } {
  const dims = points.cols;
  if (centroids.length !== k * dims) {
    throw new RangeError(`nearestCentroids: ${k} centroids of ${dims} dims need ${k * dims} values, got ${centroids.length}`);
  }
  const labels = new Int32Array(points.rows);
  const distances = new Float64Array(points.rows);
  for (let i = 0; i < points.rows; i++) {
    let bj = 0;
    let bd = Infinity;
    for (let j = 0; j < k; j++) {
      const dd = sqDistAt(points.data, i * dims, centroids, j * dims, dims);
      if (dd < bd) {
        bd = dd;
        bj = j;
      }
    }
    labels[i] = bj;
    distances[i] = bd;
  }
  return { labels, distances };
}

function normalizeRows(x: Float64Array, n: number, dims: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * dims;
    let s = 0;
    for (let c = 0; c < dims; c++) s += x[o + c]! * x[o + c]!;
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let c = 0; c < dims; c++) x[o + c] = x[o + c]! * inv;
    }
  }
}

function meanVariance(x: Float64Array, n: number, dims: number): number {
  if (n === 0 || dims === 0) return 0;
  let total = 0;
  for (let c = 0; c < dims; c++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * dims + c]!;
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const d = x[i * dims + c]! - mean;
      v += d * d;
    }
    total += v / n;
  }
  return total / dims;
}

/** k-means++ centres from all points, or from a seeded sample of `seedOn` of them (in corpus order). */
function seedCenters(x: Float64Array, n: number, dims: number, k: number, rng: Rng, trials: number, seedOn: number): Float64Array {
  if (seedOn >= n) return kmeansPlusPlus(x, n, dims, k, rng, trials);
  const rows = sampleWithoutReplacement(
    Array.from({ length: n }, (_, i) => i),
    seedOn,
    rng,
  ).sort((a, b) => a - b);
  const sub = new Float64Array(seedOn * dims);
  rows.forEach((i, r) => sub.set(x.subarray(i * dims, (i + 1) * dims), r * dims));
  return kmeansPlusPlus(sub, seedOn, dims, k, rng, trials);
}

/**
 * Greedy k-means++ (Arthur & Vassilvitskii 2007; greedy variant as sklearn): each new centre is sampled with
 * probability proportional to the squared distance to the nearest chosen centre; of `trials` such candidates the
 * one that lowers the potential most is kept. The triangle inequality skips most distance computations: a point
 * whose nearest centre c satisfies d(c, candidate) >= 2 d(point, c) cannot be closer to the candidate.
 */
function kmeansPlusPlus(x: Float64Array, n: number, dims: number, k: number, rng: Rng, trials: number): Float64Array {
  const centers = new Float64Array(k * dims);
  const first = rng.int(n);
  centers.set(x.subarray(first * dims, (first + 1) * dims), 0);
  let closest = new Float64Array(n);
  const owner = new Int32Array(n); // index of the nearest chosen centre
  for (let i = 0; i < n; i++) closest[i] = sqDistAt(x, i * dims, x, first * dims, dims);
  const cum = new Float64Array(n);
  const toCenters = new Float64Array(k);
  let cand = new Float64Array(n);
  let bestBuf = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += closest[i]!;
      cum[i] = acc;
    }
    let bestIdx = -1;
    let bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      // All points already coincide with a centre: any point will do.
      const idx = acc > 0 ? searchCumulative(cum, rng.next() * acc) : rng.int(n);
      const co = idx * dims;
      for (let j = 0; j < c; j++) toCenters[j] = sqDistAt(centers, j * dims, x, co, dims);
      let p = 0;
      for (let i = 0; i < n; i++) {
        const ci = closest[i]!;
        let dd = ci;
        // d(c, cand)^2 >= 4 d(x, c)^2  =>  d(x, cand) >= d(x, c): no need to compute.
        if (toCenters[owner[i]!]! < 4 * ci) {
          const e = sqDistAt(x, i * dims, x, co, dims);
          if (e < ci) dd = e;
        }
        cand[i] = dd;
        p += dd;
      }
      if (p < bestPot) {
        bestPot = p;
        bestIdx = idx;
        const t2 = bestBuf;
        bestBuf = cand;
        cand = t2;
      }
    }
    centers.set(x.subarray(bestIdx * dims, (bestIdx + 1) * dims), c * dims);
    for (let i = 0; i < n; i++) if (bestBuf[i]! < closest[i]!) owner[i] = c;
    const t3 = closest;
    closest = bestBuf;
    bestBuf = t3;
  }
  return centers;
}

/** First index whose cumulative weight exceeds `r` (binary search). */
function searchCumulative(cum: Float64Array, r: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Lloyd's algorithm, accelerated with exact triangle-inequality bounds (same result as plain Lloyd up to exact
 * ties). Elkan (2003) keeps a lower bound per (point, centre): memory n x k, but it prunes well even in the
 * high-dimensional spaces of text vectors, where all distances look alike. Hamerly (2010) keeps one lower bound (to
 * the second-closest centre): memory n, for very large n x k.
 */
function lloyd(
  x: Float64Array,
  n: number,
  dims: number,
  k: number,
  init: Float64Array,
  maxIter: number,
  tolAbs: number,
  spherical: boolean,
  algorithm: 'elkan' | 'hamerly',
): KMeansResult & { distanceEvaluations: number } {
  const elkan = algorithm === 'elkan';
  let centers = Float64Array.from(init);
  let next = new Float64Array(k * dims);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  // Elkan: lower[i * k + j] bounds d(x_i, c_j). Hamerly: lower[i] bounds the distance to every other centre.
  const lower = new Float64Array(elkan ? n * k : n);
  const counts = new Int32Array(k);
  const move = new Float64Array(k);
  const half = new Float64Array(k);
  const cc = new Float64Array(elkan ? k * k : 0);
  let evals = 0;

  const fullScan = (i: number): void => {
    const io = i * dims;
    let b1 = Infinity;
    let b2 = Infinity;
    let j1 = 0;
    for (let j = 0; j < k; j++) {
      const dd = sqDistAt(x, io, centers, j * dims, dims);
      if (elkan) lower[i * k + j] = Math.sqrt(dd);
      if (dd < b1) {
        b2 = b1;
        b1 = dd;
        j1 = j;
      } else if (dd < b2) b2 = dd;
    }
    evals += k;
    labels[i] = j1;
    upper[i] = Math.sqrt(b1);
    if (!elkan) lower[i] = Math.sqrt(b2);
  };
  for (let i = 0; i < n; i++) fullScan(i);

  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    iterations++;
    // Update step: centroids = mean (re-normalised when spherical) of their members.
    next.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = labels[i]!;
      counts[j]!++;
      const io = i * dims;
      const jo = j * dims;
      for (let c = 0; c < dims; c++) next[jo + c] = next[jo + c]! + x[io + c]!;
    }
    let relocated = false;
    for (let j = 0; j < k; j++) {
      if (counts[j]! > 0) continue;
      relocated = true;
      relocateEmpty(x, n, dims, j, labels, counts, next, centers);
    }
    for (let j = 0; j < k; j++) {
      const jo = j * dims;
      const cnt = counts[j]!;
      if (spherical) {
        let s = 0;
        for (let c = 0; c < dims; c++) s += next[jo + c]! * next[jo + c]!;
        if (s > 0) {
          const nrm = Math.sqrt(s);
          for (let c = 0; c < dims; c++) next[jo + c] = next[jo + c]! / nrm;
        } else for (let c = 0; c < dims; c++) next[jo + c] = centers[jo + c]!;
      } else if (cnt === 0) {
        for (let c = 0; c < dims; c++) next[jo + c] = centers[jo + c]!;
      } else {
        for (let c = 0; c < dims; c++) next[jo + c] = next[jo + c]! / cnt;
      }
    }
    let shift = 0;
    let m1 = 0;
    let m2 = 0;
    let mj = -1;
    for (let j = 0; j < k; j++) {
      const dd = sqDistAt(centers, j * dims, next, j * dims, dims);
      shift += dd;
      const d = Math.sqrt(dd);
      move[j] = d;
      if (d > m1) {
        m2 = m1;
        m1 = d;
        mj = j;
      } else if (d > m2) m2 = d;
    }
    const t = centers;
    centers = next;
    next = t;
    if (relocated) {
      // Relocation moved points between clusters: bounds are void, recompute everything.
      for (let i = 0; i < n; i++) fullScan(i);
      continue;
    }
    // Centres moved: loosen the bounds by how far.
    for (let i = 0; i < n; i++) {
      const a = labels[i]!;
      upper[i] = upper[i]! + move[a]!;
      if (elkan) {
        const o = i * k;
        for (let j = 0; j < k; j++) {
          const v = lower[o + j]! - move[j]!;
          lower[o + j] = v > 0 ? v : 0;
        }
      } else lower[i] = lower[i]! - (a === mj ? m2 : m1);
    }
    const small = shift <= tolAbs;
    // Half the distance from each centre to its nearest other centre: a point closer than that to its centre
    // cannot be closer to any other.
    for (let j = 0; j < k; j++) {
      let m = Infinity;
      for (let j2 = 0; j2 < k; j2++) {
        if (j2 === j) continue;
        const dd = elkan && j2 < j ? cc[j2 * k + j]! : Math.sqrt(sqDistAt(centers, j * dims, centers, j2 * dims, dims));
        if (elkan) cc[j * k + j2] = dd;
        if (dd < m) m = dd;
      }
      half[j] = 0.5 * m;
    }
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const a0 = labels[i]!;
      if (upper[i]! <= half[a0]!) continue;
      if (elkan) {
        const o = i * k;
        let a = a0;
        let u = upper[i]!;
        let tight = false;
        for (let j = 0; j < k; j++) {
          if (j === a) continue;
          const lb = lower[o + j]!;
          const h = 0.5 * cc[a * k + j]!;
          if (u <= lb || u <= h) continue;
          if (!tight) {
            u = Math.sqrt(sqDistAt(x, i * dims, centers, a * dims, dims));
            evals++;
            lower[o + a] = u;
            tight = true;
            if (u <= lb || u <= h) continue;
          }
          const dj = Math.sqrt(sqDistAt(x, i * dims, centers, j * dims, dims));
          evals++;
          lower[o + j] = dj;
          if (dj < u) {
            a = j;
            u = dj;
          }
        }
        upper[i] = u;
        if (a !== a0) {
          labels[i] = a;
          changed++;
        }
      } else {
        const bound = Math.max(half[a0]!, lower[i]!);
        if (upper[i]! <= bound) continue;
        upper[i] = Math.sqrt(sqDistAt(x, i * dims, centers, a0 * dims, dims));
        evals++;
        if (upper[i]! <= bound) continue;
        fullScan(i);
        if (labels[i] !== a0) changed++;
      }
    }
    if (changed === 0 || small) {
      converged = true;
      break;
    }
  }
  const distances = new Float64Array(n);
  const sizes = new Int32Array(k);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const dd = sqDistAt(x, i * dims, centers, labels[i]! * dims, dims);
    distances[i] = dd;
    inertia += dd;
    sizes[labels[i]!]!++;
  }
  return {
    k,
    dims,
    centroids: centers,
    labels,
    distances,
    inertia,
    sizes,
    iterations,
    converged,
    restarts: [],
    distanceEvaluations: evals,
  };
}

/**
 * An empty cluster takes the point farthest from its current centre (among clusters with more than one member), as
 * sklearn does; the sums of both clusters are adjusted so the update stays exact.
 */
function relocateEmpty(
  x: Float64Array,
  n: number,
  dims: number,
  j: number,
  labels: Int32Array,
  counts: Int32Array,
  sums: Float64Array,
  centers: Float64Array,
): void {
  let far = -1;
  let farD = -1;
  for (let i = 0; i < n; i++) {
    const a = labels[i]!;
    if (counts[a]! <= 1) continue;
    const dd = sqDistAt(x, i * dims, centers, a * dims, dims);
    if (dd > farD) {
      farD = dd;
      far = i;
    }
  }
  if (far < 0) return; // fewer distinct members than clusters: nothing to move
  const from = labels[far]!;
  const io = far * dims;
  for (let c = 0; c < dims; c++) {
    sums[from * dims + c] = sums[from * dims + c]! - x[io + c]!;
    sums[j * dims + c] = x[io + c]!;
  }
  counts[from]!--;
  counts[j] = 1;
  labels[far] = j;
}
