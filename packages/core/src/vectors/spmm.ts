/**
 * Sparse x dense and small dense products for the randomized SVD and the LSA projection, written for V8: the
 * compiler does not vectorise, so the inner loops process four sparse entries (or four dense rows) per pass over the
 * output row. That quarters the loads and stores of the output row, the bottleneck of a one-entry-at-a-time loop,
 * and measured 2-3x faster than it on 100-wide rows. Results are deterministic (a fixed summation order); they
 * differ from a one-at-a-time sum only by rounding.
 */

/** A CSR matrix given by its arrays (columns already compacted or remapped by the caller). */
export interface CsrArrays {
  rows: number;
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array | Float64Array;
}

/** out = M X: M (rows x cols) sparse, X (cols x width) dense row-major, out (rows x width) row-major, overwritten. */
export function sparseTimesDense(m: CsrArrays, x: Float32Array | Float64Array, width: number, out: Float64Array): Float64Array {
  const { rows, indptr, indices, data } = m;
  out.fill(0, 0, rows * width);
  for (let r = 0; r < rows; r++) {
    const yo = r * width;
    let p = indptr[r]!;
    const end = indptr[r + 1]!;
    for (; p + 3 < end; p += 4) {
      const v0 = data[p]!;
      const v1 = data[p + 1]!;
      const v2 = data[p + 2]!;
      const v3 = data[p + 3]!;
      const a0 = indices[p]! * width;
      const a1 = indices[p + 1]! * width;
      const a2 = indices[p + 2]! * width;
      const a3 = indices[p + 3]! * width;
      for (let j = 0; j < width; j++) out[yo + j] = out[yo + j]! + (v0 * x[a0 + j]! + v1 * x[a1 + j]! + (v2 * x[a2 + j]! + v3 * x[a3 + j]!));
    }
    for (; p < end; p++) {
      const v0 = data[p]!;
      const a0 = indices[p]! * width;
      for (let j = 0; j < width; j++) out[yo + j] = out[yo + j]! + v0 * x[a0 + j]!;
    }
  }
  return out;
}

/** The transpose of a CSR matrix with `cols` columns, as CSR (rows x cols -> cols x rows; rows ascending inside). */
export function transposeCsr(m: CsrArrays, cols: number): CsrArrays {
  const { rows, indptr, indices, data } = m;
  const nnz = indptr[rows]!;
  const tptr = new Int32Array(cols + 1);
  for (let p = 0; p < nnz; p++) tptr[indices[p]! + 1]!++;
  for (let c = 0; c < cols; c++) tptr[c + 1] = tptr[c + 1]! + tptr[c]!;
  const fill = tptr.slice(0, cols);
  const tind = new Int32Array(nnz);
  const tdat = new Float64Array(nnz);
  for (let r = 0; r < rows; r++) {
    for (let p = indptr[r]!; p < indptr[r + 1]!; p++) {
      const q = fill[indices[p]!]!++;
      tind[q] = r;
      tdat[q] = data[p]!;
    }
  }
  return { rows: cols, indptr: tptr, indices: tind, data: tdat };
}

/**
 * out = A B: A (rows x inner) and B (inner x width) dense row-major, out (rows x width) overwritten. `bStride` is
 * B's row length when only its first `width` columns are wanted.
 */
export function denseTimesDense(
  a: Float64Array,
  rows: number,
  inner: number,
  b: Float64Array,
  width: number,
  out: Float64Array,
  bStride = width,
): Float64Array {
  out.fill(0, 0, rows * width);
  for (let r = 0; r < rows; r++) {
    const ao = r * inner;
    const oo = r * width;
    let i = 0;
    for (; i + 3 < inner; i += 4) {
      const x0 = a[ao + i]!;
      const x1 = a[ao + i + 1]!;
      const x2 = a[ao + i + 2]!;
      const x3 = a[ao + i + 3]!;
      const b0 = i * bStride;
      const b1 = b0 + bStride;
      const b2 = b1 + bStride;
      const b3 = b2 + bStride;
      for (let j = 0; j < width; j++) out[oo + j] = out[oo + j]! + (x0 * b[b0 + j]! + x1 * b[b1 + j]! + (x2 * b[b2 + j]! + x3 * b[b3 + j]!));
    }
    for (; i < inner; i++) {
      const x0 = a[ao + i]!;
      const b0 = i * bStride;
      for (let j = 0; j < width; j++) out[oo + j] = out[oo + j]! + x0 * b[b0 + j]!;
    }
  }
  return out;
}

/** PᵀP (width x width, symmetric, full) of a dense row-major P (rows x width). */
export function gram(p: Float64Array, rows: number, width: number): Float64Array {
  const g = new Float64Array(width * width);
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const o0 = r * width;
    const o1 = o0 + width;
    const o2 = o1 + width;
    const o3 = o2 + width;
    for (let i = 0; i < width; i++) {
      const x0 = p[o0 + i]!;
      const x1 = p[o1 + i]!;
      const x2 = p[o2 + i]!;
      const x3 = p[o3 + i]!;
      if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
      const go = i * width;
      for (let j = i; j < width; j++) g[go + j] = g[go + j]! + (x0 * p[o0 + j]! + x1 * p[o1 + j]! + (x2 * p[o2 + j]! + x3 * p[o3 + j]!));
    }
  }
  for (; r < rows; r++) {
    const o = r * width;
    for (let i = 0; i < width; i++) {
      const x0 = p[o + i]!;
      if (x0 === 0) continue;
      const go = i * width;
      for (let j = i; j < width; j++) g[go + j] = g[go + j]! + x0 * p[o + j]!;
    }
  }
  for (let i = 0; i < width; i++) for (let j = 0; j < i; j++) g[i * width + j] = g[j * width + i]!;
  return g;
}
