import { describe, it, expect } from 'vitest';
import {
  cosine,
  denseFromRows,
  dot,
  norm,
  normalizeInPlace,
  normalizeRowsInPlace,
  orthonormalizeColumns,
  symmetricEigen,
} from '../../src/vectors/index.js';
import { createRng } from '../../src/util/random.js';

describe('dense helpers', () => {
  it('dot, norm, cosine and normalisation', () => {
    expect(dot([1, 2, 3], new Float64Array([4, 5, 6]))).toBe(32);
    expect(norm(new Float32Array([3, 4]))).toBe(5);
    expect(cosine([1, 0], [0, 2])).toBe(0);
    expect(cosine([1, 1], [2, 2])).toBeCloseTo(1, 12);
    expect(cosine([0, 0], [1, 2])).toBe(0);
    const v = new Float64Array([3, 4]);
    expect(normalizeInPlace(v)).toBe(5);
    expect(Array.from(v)).toEqual([0.6, 0.8]);
    const zero = new Float64Array([0, 0]);
    normalizeInPlace(zero);
    expect(Array.from(zero)).toEqual([0, 0]);
    expect(() => dot([1], [1, 2])).toThrow(/lengths differ/);
  });

  it('builds matrices from rows and normalises rows', () => {
    const m = denseFromRows([
      [3, 4],
      [0, 0],
      [0, 2],
    ]);
    normalizeRowsInPlace(m);
    expect(Array.from(m.data)).toEqual([0.6, 0.8, 0, 0, 0, 1]);
    expect(() => denseFromRows([[1, 2], [3]])).toThrow(/row 1 has 1 dimensions/);
    expect(() => denseFromRows([[1, NaN]])).toThrow(/not a finite number/);
  });
});

describe('orthonormalizeColumns', () => {
  it('returns orthonormal columns spanning the same space', () => {
    const rng = createRng(3);
    const rows = 30;
    const cols = 6;
    const a = new Float64Array(rows * cols).map(() => rng.normal());
    const q = Float64Array.from(a);
    orthonormalizeColumns(q, rows, cols);
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += q[r * cols + i]! * q[r * cols + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
    // Column 0 of Q is column 0 of A scaled.
    const n0 = Math.hypot(...Array.from({ length: rows }, (_, r) => a[r * cols]!));
    for (let r = 0; r < rows; r++) expect(q[r * cols]!).toBeCloseTo(a[r * cols]! / n0, 12);
  });

  it('zeroes a column that depends on earlier ones', () => {
    // columns: e1, 2*e1, e2
    const q = new Float64Array([1, 2, 0, 0, 0, 1, 0, 0, 0]);
    orthonormalizeColumns(q, 3, 3);
    expect(Array.from(q)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0]);
  });
});

describe('symmetricEigen (Jacobi)', () => {
  it('solves [[2,1],[1,2]]: eigenvalues 3 and 1', () => {
    const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[0]!)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[0]! * vectors[2]!).toBeCloseTo(0.5, 12); // (1,1)/√2 up to sign
  });

  it('recovers a spectrum built as Q diag(d) Qᵀ with a Householder Q', () => {
    const n = 7;
    const d = [9, 5, 4, 2.5, 1, -1, -3];
    const v = [1, -2, 0.5, 3, 1, -1, 2];
    const vv = v.reduce((s, x) => s + x * x, 0);
    const q = (i: number, j: number) => (i === j ? 1 : 0) - (2 * v[i]! * v[j]!) / vv;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let t = 0; t < n; t++) a[i * n + j] += q(i, t) * d[t]! * q(j, t);
    const { values, vectors } = symmetricEigen(a, n);
    d.forEach((x, i) => expect(values[i]).toBeCloseTo(x, 10));
    // A v = λ v for each returned pair.
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let t = 0; t < n; t++) s += a[i * n + t]! * vectors[t * n + j]!;
        expect(s).toBeCloseTo(values[j]! * vectors[i * n + j]!, 10);
      }
    }
  });
});
