/**
 * Seeded randomized truncated SVD of a sparse CSR matrix (Halko, Martinsson & Tropp 2011, as sklearn's
 * TruncatedSVD(algorithm='randomized')): a Gaussian range finder with a few power iterations, re-orthonormalised
 * after every product, then the exact SVD of the small projected matrix through the eigen-decomposition of B Bᵀ.
 *
 * Only columns that occur in the matrix take part: a hashed featurizer may have 2^20 columns of which a few
 * thousand are used, and the random test matrix and the components are sized by the used columns only.
 */
import { createRng } from '../util/random.js';
import type { CsrMatrix } from './sparse/csr.js';
import { orthonormalizeColumns, symmetricEigen } from './linalg.js';
import { denseTimesDense, gram, sparseTimesDense, transposeCsr, type CsrArrays } from './spmm.js';

export interface TruncatedSvdOptions {
  /** Number of components (capped at min(rows, used columns)). */
  components: number;
  seed: number;
  /** Extra random directions for the range finder (default 10). */
  oversample?: number;
  /** Power iterations; more sharpen the spectrum for slowly decaying singular values (default 2). */
  powerIterations?: number;
}

/**
 * The fitted projection. Components are stored feature-major (one row of `k` weights per used input column), the
 * layout a sparse row is projected with, and rounded to float32 so a saved model projects bit-identically.
 */
export interface TruncatedSvd {
  /** Number of components kept. */
  k: number;
  /** Number of columns of the input space. */
  inputCols: number;
  /** The input columns that carry weight, ascending. */
  columns: Int32Array;
  /** columns.length x k, row-major: weight of used column i on component j at [i * k + j]. */
  weights: Float32Array;
  /** Singular values, largest first. */
  singularValues: Float64Array;
}

export function randomizedSvd(m: CsrMatrix, opts: TruncatedSvdOptions): TruncatedSvd {
  if (!Number.isInteger(opts.components) || opts.components < 1) {
    throw new RangeError(`randomizedSvd: components must be a positive integer, got ${opts.components}`);
  }
  const { rows, indptr, indices, data } = m;
  const nnz = indptr[rows]!;
  // Compact the used columns.
  const used = new Uint8Array(m.cols);
  for (let p = 0; p < nnz; p++) used[indices[p]!] = 1;
  const colList: number[] = [];
  const compact = new Int32Array(m.cols).fill(-1);
  for (let c = 0; c < m.cols; c++) if (used[c]) compact[c] = colList.push(c) - 1;
  const d = colList.length;
  const cidx = new Int32Array(nnz);
  for (let p = 0; p < nnz; p++) cidx[p] = compact[indices[p]!]!;

  const k = Math.max(0, Math.min(opts.components, rows, d));
  const l = Math.min(k + (opts.oversample ?? 10), rows, d);
  const power = opts.powerIterations ?? 2;
  if (k === 0) {
    return { k: 0, inputCols: m.cols, columns: Int32Array.from(colList), weights: new Float32Array(0), singularValues: new Float64Array(0) };
  }

  const rng = createRng(opts.seed);
  // Both products gather rows of the dense operand (A x through A's rows, Aᵀ q through the rows of Aᵀ), the access
  // pattern sparseTimesDense is fast for.
  const a: CsrArrays = { rows, indptr, indices: cidx, data };
  const at = transposeCsr(a, d);
  const mulA = (x: Float64Array): Float64Array => sparseTimesDense(a, x, l, new Float64Array(rows * l));
  const mulAt = (q: Float64Array): Float64Array => sparseTimesDense(at, q, l, new Float64Array(d * l));

  // Orthonormalisation costs (length x l²), so it is only done on the short side of the matrix: the range finder
  // runs on A (basis of length rows) when rows < d, else on Aᵀ (basis of length d). The long-side intermediate of a
  // power iteration is not normalised: it is a product with an orthonormal basis, so its conditioning is that of A,
  // and the short-side basis is re-orthonormalised right after. Intermediate bases get one Gram-Schmidt pass; the
  // final one two, since the result assumes it orthonormal to machine precision.
  const onRows = rows < d;
  const shortLen = onRows ? rows : d;
  const toLong = onRows ? mulAt : mulA;
  const toShort = onRows ? mulA : mulAt;
  const omega = new Float64Array((onRows ? d : rows) * l);
  for (let i = 0; i < omega.length; i++) omega[i] = rng.normal();
  let q = toShort(omega);
  orthonormalizeColumns(q, shortLen, l, power === 0 ? 2 : 1);
  for (let it = 0; it < power; it++) {
    q = toShort(toLong(q));
    orthonormalizeColumns(q, shortLen, l, it === power - 1 ? 2 : 1);
  }
  // P = (long side) x l; G = Pᵀ P = Qᵀ A Aᵀ Q (onRows) or Qᵀ Aᵀ A Q; its eigenvectors W rotate Q into singular vectors.
  const longLen = onRows ? d : rows;
  const g = gram(toLong(q), longLen, l);
  const eig = symmetricEigen(g, l);

  const singularValues = new Float64Array(k);
  const weights64 = new Float64Array(d * k);
  const sMax = Math.sqrt(Math.max(eig.values[0]!, 0));
  const keep = new Float64Array(k); // per-component scale; 0 drops a component
  for (let j = 0; j < k; j++) {
    const sigma = Math.sqrt(Math.max(eig.values[j]!, 0));
    singularValues[j] = sigma;
    // Directions with no energy (rank below k) are left as zero rather than amplified noise.
    if (sigma <= 1e-10 * sMax || sigma === 0) continue;
    keep[j] = onRows ? 1 / sigma : 1;
  }
  // Right singular vectors as weights (d x k). Range of Aᵀ: V = Q W. Range of A: V = Aᵀ (Q W) Σ⁻¹, computed through
  // the small U = Q W (rows x k) and one sparse product, cheaper than P W when d is large. Loops are ordered for
  // contiguous access.
  const len = onRows ? rows : d;
  const small = denseTimesDense(q, len, l, eig.vectors, k, onRows ? new Float64Array(rows * k) : weights64, l);
  if (onRows) sparseTimesDense(at, small, k, weights64);
  for (let c = 0; c < d; c++) for (let j = 0; j < k; j++) weights64[c * k + j] = weights64[c * k + j]! * keep[j]!;

  // Sign convention (as sklearn's svd_flip on V): the largest-magnitude weight of each component is positive,
  // so the output does not depend on the arbitrary sign the eigen-solver picked.
  for (let j = 0; j < k; j++) {
    let best = 0;
    for (let c = 0; c < d; c++) if (Math.abs(weights64[c * k + j]!) > Math.abs(best)) best = weights64[c * k + j]!;
    if (best < 0) for (let c = 0; c < d; c++) weights64[c * k + j] = -weights64[c * k + j]!;
  }
  return { k, inputCols: m.cols, columns: Int32Array.from(colList), weights: Float32Array.from(weights64), singularValues };
}

/**
 * Projects the rows of a CSR matrix onto the components: `rows x k` dense, row-major (X V). Columns the SVD never
 * saw contribute nothing. Rows are optionally scaled to unit length (the usual LSA pipeline normalises).
 */
export function projectCsr(m: CsrMatrix, svd: TruncatedSvd, opts: { normalize?: boolean } = {}): Float64Array {
  if (m.cols !== svd.inputCols) {
    throw new RangeError(`projectCsr: matrix has ${m.cols} columns but the SVD was fitted on ${svd.inputCols}`);
  }
  const { k, weights } = svd;
  const lookup = columnLookup(svd);
  // Rows with their columns mapped to rows of `weights`; columns the SVD never saw are dropped.
  const nnz = m.indptr[m.rows]!;
  const indptr = new Int32Array(m.rows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let w = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const ci = lookup(m.indices[p]!);
      if (ci < 0) continue;
      indices[w] = ci;
      data[w++] = m.data[p]!;
    }
    indptr[r + 1] = w;
  }
  const out = sparseTimesDense({ rows: m.rows, indptr, indices, data }, weights, k, new Float64Array(m.rows * k));
  if (opts.normalize) {
    for (let r = 0; r < m.rows; r++) {
      const oo = r * k;
      let s = 0;
      for (let j = 0; j < k; j++) s += out[oo + j]! * out[oo + j]!;
      if (s > 0) {
        const inv = 1 / Math.sqrt(s);
        for (let j = 0; j < k; j++) out[oo + j] = out[oo + j]! * inv;
      }
    }
  }
  return out;
}

const lookups = new WeakMap<TruncatedSvd, (col: number) => number>();

/** Input column -> row of `weights` (or -1); built once per SVD object. */
function columnLookup(svd: TruncatedSvd): (col: number) => number {
  let f = lookups.get(svd);
  if (!f) {
    const table = new Int32Array(svd.inputCols).fill(-1);
    svd.columns.forEach((c, i) => (table[c] = i));
    f = (col: number) => table[col]!;
    lookups.set(svd, f);
  }
  return f;
}
