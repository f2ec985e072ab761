/**
 * Small dense linear algebra for the randomized SVD: column orthonormalisation (QR's Q) and the symmetric
 * eigen-decomposition of a small matrix by cyclic Jacobi rotations. Both are exact enough in float64 for the
 * few-hundred-column matrices they see, and have no data-dependent randomness (deterministic).
 */
import { dotAt } from './dense.js';

/**
 * Orthonormalises the columns of a row-major `rows x cols` matrix in place (the Q of a thin QR), by modified
 * Gram-Schmidt applied twice ("twice is enough", Giraud et al.) so the result stays orthogonal to machine precision
 * even for nearly dependent columns (`passes = 1` is plain MGS: half the cost, enough where the result is only
 * an intermediate that is re-orthonormalised later). A column that is (numerically) in the span of the previous ones becomes zero.
 */
export function orthonormalizeColumns(data: Float64Array, rows: number, cols: number, passes = 2): void {
  // Work column-major: each column contiguous, so the inner loops stream through memory.
  const colsArr: Float64Array[] = [];
  for (let j = 0; j < cols; j++) {
    const v = new Float64Array(rows);
    for (let r = 0; r < rows; r++) v[r] = data[r * cols + j]!;
    colsArr.push(v);
  }
  for (let j = 0; j < cols; j++) {
    const v = colsArr[j]!;
    const before = vecNorm(v);
    for (let pass = 0; pass < passes; pass++) {
      for (let i = 0; i < j; i++) {
        const q = colsArr[i]!;
        const d = dotAt(q, 0, v, 0, rows);
        if (d !== 0) for (let r = 0; r < rows; r++) v[r] = v[r]! - d * q[r]!;
      }
    }
    const n = vecNorm(v);
    // Relative threshold: what is left is rounding noise of an already-spanned direction.
    if (n <= 1e-10 * Math.max(before, Number.MIN_VALUE) || n === 0) v.fill(0);
    else for (let r = 0; r < rows; r++) v[r] = v[r]! / n;
  }
  for (let j = 0; j < cols; j++) {
    const v = colsArr[j]!;
    for (let r = 0; r < rows; r++) data[r * cols + j] = v[r]!;
  }
}

function vecNorm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Eigenvectors as columns of a row-major n x n matrix: vectors[r * n + j] is entry r of eigenvector j. */
  vectors: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric n x n matrix (row-major; only read, not modified) by cyclic Jacobi rotations
 * with the classic threshold strategy (Rutishauser). Converges quadratically; a handful of sweeps for n ~ 100.
 */
export function symmetricEigen(matrix: Float64Array, n: number, maxSweeps = 100): SymmetricEigen {
  if (matrix.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n * n} entries, got ${matrix.length}`);
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const d = new Float64Array(n);
  const b = new Float64Array(n);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    d[i] = a[i * n + i]!;
    b[i] = d[i]!;
  }
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) off += Math.abs(a[p * n + q]!);
    if (off === 0) break;
    const thresh = sweep < 3 ? (0.2 * off) / (n * n) : 0;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        const g = 100 * Math.abs(apq);
        if (sweep > 3 && Math.abs(d[p]!) + g === Math.abs(d[p]!) && Math.abs(d[q]!) + g === Math.abs(d[q]!)) {
          a[p * n + q] = 0;
          continue;
        }
        if (Math.abs(apq) <= thresh) continue;
        const h = d[q]! - d[p]!;
        let t: number;
        if (Math.abs(h) + g === Math.abs(h)) t = apq / h;
        else {
          const theta = (0.5 * h) / apq;
          t = 1 / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
          if (theta < 0) t = -t;
        }
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        const tau = s / (1 + c);
        const hh = t * apq;
        z[p] = z[p]! - hh;
        z[q] = z[q]! + hh;
        d[p] = d[p]! - hh;
        d[q] = d[q]! + hh;
        a[p * n + q] = 0;
        // Rotate the rest of the upper triangle (a[i][j] with i < j) and the eigenvector columns p, q.
        for (let j = 0; j < p; j++) rot(a, j * n + p, j * n + q, s, tau);
        for (let j = p + 1; j < q; j++) rot(a, p * n + j, j * n + q, s, tau);
        for (let j = q + 1; j < n; j++) rot(a, p * n + j, q * n + j, s, tau);
        for (let j = 0; j < n; j++) rot(v, j * n + p, j * n + q, s, tau);
      }
    }
    for (let p = 0; p < n; p++) {
      b[p] = b[p]! + z[p]!;
      d[p] = b[p]!;
      z[p] = 0;
    }
  }
  // Sort by eigenvalue, largest first (stable on ties by original index for determinism).
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y]! - d[x]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, j) => {
    values[j] = d[src]!;
    for (let r = 0; r < n; r++) vectors[r * n + j] = v[r * n + src]!;
  });
  return { values, vectors };
}

function rot(a: Float64Array, i: number, j: number, s: number, tau: number): void {
  const g = a[i]!;
  const h = a[j]!;
  a[i] = g - s * (h + g * tau);
  a[j] = h + s * (g - h * tau);
}
