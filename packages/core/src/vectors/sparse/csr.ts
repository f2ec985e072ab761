/**
 * Compressed sparse row (CSR) matrices on typed arrays: the shared currency between featurizers, classifiers and
 * clustering. Row r holds columns `indices[indptr[r] .. indptr[r+1])` with values `data[...]` at the same positions.
 * Column indices inside a row are sorted ascending and unique when built by the helpers here.
 */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

export function csrNnz(m: CsrMatrix): number {
  return m.indptr[m.rows]!;
}

/** Checks the structural invariants; throws a descriptive error (used on deserialised or user-built matrices). */
export function assertCsr(m: CsrMatrix, name = 'matrix'): void {
  if (m.indptr.length !== m.rows + 1) throw new Error(`${name}: indptr has ${m.indptr.length} entries, expected ${m.rows + 1}`);
  if (m.indptr[0] !== 0) throw new Error(`${name}: indptr[0] must be 0`);
  const nnz = m.indptr[m.rows]!;
  if (m.indices.length < nnz || m.data.length < nnz) throw new Error(`${name}: indices/data shorter than nnz ${nnz}`);
  for (let r = 0; r < m.rows; r++) {
    const a = m.indptr[r]!;
    const b = m.indptr[r + 1]!;
    if (b < a) throw new Error(`${name}: indptr decreases at row ${r}`);
    for (let p = a; p < b; p++) {
      const c = m.indices[p]!;
      if (c < 0 || c >= m.cols) throw new Error(`${name}: row ${r} has column ${c} outside [0, ${m.cols})`);
      if (p > a && c <= m.indices[p - 1]!) throw new Error(`${name}: row ${r} columns not strictly ascending`);
    }
  }
}

/** Incremental CSR builder: push rows of (sorted, unique) column/value pairs, then `build()`. */
export class CsrBuilder {
  private indptr: number[] = [0];
  private indices: Int32Array;
  private data: Float32Array;
  private nnz = 0;

  constructor(
    readonly cols: number,
    capacity = 1024,
  ) {
    this.indices = new Int32Array(Math.max(16, capacity));
    this.data = new Float32Array(Math.max(16, capacity));
  }

  get rows(): number {
    return this.indptr.length - 1;
  }

  /** Append a row given `n` entries of `idx`/`val` (typed or plain arrays). */
  pushRow(idx: ArrayLike<number>, val: ArrayLike<number>, n: number = idx.length): void {
    this.ensure(this.nnz + n);
    for (let i = 0; i < n; i++) {
      this.indices[this.nnz + i] = idx[i]!;
      this.data[this.nnz + i] = val[i]!;
    }
    this.nnz += n;
    this.indptr.push(this.nnz);
  }

  build(): CsrMatrix {
    return {
      rows: this.rows,
      cols: this.cols,
      indptr: Int32Array.from(this.indptr),
      indices: this.indices.slice(0, this.nnz),
      data: this.data.slice(0, this.nnz),
    };
  }

  private ensure(n: number): void {
    if (n <= this.indices.length) return;
    let cap = this.indices.length;
    while (cap < n) cap *= 2;
    const i2 = new Int32Array(cap);
    i2.set(this.indices.subarray(0, this.nnz));
    const d2 = new Float32Array(cap);
    d2.set(this.data.subarray(0, this.nnz));
    this.indices = i2;
    this.data = d2;
  }
}

/** CSR from a dense row-major array (`rows` x `cols`); zeros are dropped. */
export function csrFromDense(values: ArrayLike<number>, rows: number, cols: number): CsrMatrix {
  if (values.length !== rows * cols) throw new Error(`csrFromDense: got ${values.length} values for ${rows}x${cols}`);
  const b = new CsrBuilder(cols, rows * cols);
  const idx = new Int32Array(cols);
  const val = new Float32Array(cols);
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c]!;
      if (v !== 0) {
        idx[n] = c;
        val[n++] = v;
      }
    }
    b.pushRow(idx, val, n);
  }
  return b.build();
}

/** CSR from rows of dense vectors (e.g. embeddings). */
export function csrFromDenseRows(rows: ReadonlyArray<ArrayLike<number>>, cols?: number): CsrMatrix {
  const d = cols ?? (rows.length > 0 ? rows[0]!.length : 0);
  const flat = new Float32Array(rows.length * d);
  rows.forEach((row, r) => {
    if (row.length !== d) throw new Error(`csrFromDenseRows: row ${r} has ${row.length} values, expected ${d}`);
    flat.set(Array.from(row), r * d);
  });
  return csrFromDense(flat, rows.length, d);
}

/** Whether the matrix lives in shared memory (every array on a SharedArrayBuffer). */
export function csrIsShared(m: CsrMatrix): boolean {
  return [m.indptr, m.indices, m.data].every((a) => a.buffer instanceof SharedArrayBuffer);
}

/**
 * The same matrix in shared memory (SharedArrayBuffer), or `m` itself when it already is: worker threads given it
 * read the same bytes instead of each receiving a structured-clone copy. Values are copied exactly.
 */
export function csrToShared(m: CsrMatrix): CsrMatrix {
  if (csrIsShared(m)) return m;
  const share = <T extends Int32Array | Float32Array>(a: T, Ctor: new (b: SharedArrayBuffer) => T): T => {
    const out = new Ctor(new SharedArrayBuffer(a.length * a.BYTES_PER_ELEMENT));
    out.set(a);
    return out;
  };
  return { rows: m.rows, cols: m.cols, indptr: share(m.indptr, Int32Array), indices: share(m.indices, Int32Array), data: share(m.data, Float32Array) };
}

/** Dense row-major Float64Array copy (for tests and small matrices). */
export function csrToDense(m: CsrMatrix): Float64Array {
  const out = new Float64Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) out[r * m.cols + m.indices[p]!] += m.data[p]!;
  }
  return out;
}

/**
 * The rows listed in `rowIds`, in that order (repeats allowed). `{ shared: true }` builds the result in shared memory
 * (SharedArrayBuffer), for worker threads to read without a copy each.
 */
export function csrSelectRows(m: CsrMatrix, rowIds: ArrayLike<number>, options: { shared?: boolean } = {}): CsrMatrix {
  let nnz = 0;
  for (let i = 0; i < rowIds.length; i++) {
    const r = rowIds[i]!;
    if (r < 0 || r >= m.rows) throw new RangeError(`csrSelectRows: row ${r} outside [0, ${m.rows})`);
    nnz += m.indptr[r + 1]! - m.indptr[r]!;
  }
  const alloc = <T>(n: number, Ctor: { new (n: number): T; new (b: SharedArrayBuffer): T }, bytes: number): T =>
    options.shared ? new Ctor(new SharedArrayBuffer(n * bytes)) : new Ctor(n);
  const indptr = alloc(rowIds.length + 1, Int32Array, 4);
  const indices = alloc(nnz, Int32Array, 4);
  const data = alloc(nnz, Float32Array, 4);
  let q = 0;
  for (let i = 0; i < rowIds.length; i++) {
    const r = rowIds[i]!;
    const a = m.indptr[r]!;
    const b = m.indptr[r + 1]!;
    indices.set(m.indices.subarray(a, b), q);
    data.set(m.data.subarray(a, b), q);
    q += b - a;
    indptr[i + 1] = q;
  }
  return { rows: rowIds.length, cols: m.cols, indptr, indices, data };
}

/** Side-by-side concatenation [A | B | ...]; all blocks must have the same number of rows. */
export function csrHStack(blocks: readonly CsrMatrix[], weights?: readonly number[]): CsrMatrix {
  if (blocks.length === 0) throw new Error('csrHStack: no blocks');
  const rows = blocks[0]!.rows;
  let cols = 0;
  let nnz = 0;
  for (const [i, b] of blocks.entries()) {
    if (b.rows !== rows) throw new Error(`csrHStack: block ${i} has ${b.rows} rows, expected ${rows}`);
    cols += b.cols;
    nnz += csrNnz(b);
  }
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let q = 0;
  for (let r = 0; r < rows; r++) {
    let offset = 0;
    blocks.forEach((b, bi) => {
      const w = weights?.[bi] ?? 1;
      for (let p = b.indptr[r]!; p < b.indptr[r + 1]!; p++) {
        indices[q] = b.indices[p]! + offset;
        data[q++] = b.data[p]! * w;
      }
      offset += b.cols;
    });
    indptr[r + 1] = q;
  }
  return { rows, cols, indptr, indices, data };
}

/** Squared L2 norm of each row. */
export function csrRowSquaredNorms(m: CsrMatrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) s += m.data[p]! * m.data[p]!;
    out[r] = s;
  }
  return out;
}

/** Scales every non-zero row to unit L2 norm, in place. Returns the matrix for chaining. */
export function csrL2NormalizeRows(m: CsrMatrix): CsrMatrix {
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) s += m.data[p]! * m.data[p]!;
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) m.data[p] = m.data[p]! * inv;
    }
  }
  return m;
}

/** Dot product of row `r` with a dense vector (length >= cols). */
export function csrRowDot(m: CsrMatrix, r: number, dense: ArrayLike<number>): number {
  let s = 0;
  for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) s += m.data[p]! * dense[m.indices[p]!]!;
  return s;
}

/**
 * X (rows x cols, sparse) times W (cols x k, dense row-major: W[c * k + j]) into a dense rows x k row-major result.
 * Row-per-feature layout keeps the k weights of one feature contiguous, which is what makes sparse scoring fast.
 */
export function csrMultiplyDense(m: CsrMatrix, w: ArrayLike<number>, k: number, out?: Float64Array): Float64Array {
  if (w.length < m.cols * k) throw new Error(`csrMultiplyDense: weights have ${w.length} values, need ${m.cols * k}`);
  const res = out ?? new Float64Array(m.rows * k);
  if (res.length < m.rows * k) throw new Error('csrMultiplyDense: output too small');
  res.fill(0, 0, m.rows * k);
  for (let r = 0; r < m.rows; r++) {
    const o = r * k;
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const v = m.data[p]!;
      const base = m.indices[p]! * k;
      for (let j = 0; j < k; j++) res[o + j] += v * w[base + j]!;
    }
  }
  return res;
}

/** Transpose (cols x rows), with sorted column indices per output row. */
export function csrTranspose(m: CsrMatrix): CsrMatrix {
  const nnz = csrNnz(m);
  const counts = new Int32Array(m.cols + 1);
  for (let p = 0; p < nnz; p++) counts[m.indices[p]! + 1]++;
  for (let c = 0; c < m.cols; c++) counts[c + 1] += counts[c]!;
  const indptr = counts.slice();
  const next = counts.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const c = m.indices[p]!;
      const q = next[c]!++;
      indices[q] = r;
      data[q] = m.data[p]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, data };
}
