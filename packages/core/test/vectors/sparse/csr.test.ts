import { describe, expect, it } from 'vitest';
import {
  CsrBuilder,
  Uint32HashMap,
  assertCsr,
  base64ToFloat32,
  base64ToUint32,
  csrFromDense,
  csrHStack,
  csrL2NormalizeRows,
  csrMultiplyDense,
  csrRowDot,
  csrRowSquaredNorms,
  csrSelectRows,
  csrToDense,
  csrTranspose,
  float32ToBase64,
  uint32ToBase64,
} from '../../../src/vectors/sparse/index.js';

const A = [1, 0, 2, 0, 0, 0, 0, 3, 4];

describe('CSR matrices', () => {
  it('round-trips through dense form and keeps the structure valid', () => {
    const m = csrFromDense(A, 3, 3);
    expect(Array.from(m.indptr)).toEqual([0, 2, 2, 4]);
    expect(Array.from(m.indices)).toEqual([0, 2, 1, 2]);
    expect(Array.from(csrToDense(m))).toEqual(A);
    expect(() => assertCsr(m)).not.toThrow();
  });

  it('assertCsr rejects unsorted columns and out-of-range indices', () => {
    const bad = { rows: 1, cols: 3, indptr: Int32Array.from([0, 2]), indices: Int32Array.from([2, 1]), data: Float32Array.from([1, 1]) };
    expect(() => assertCsr(bad)).toThrow(/ascending/);
    const out = { ...bad, indices: Int32Array.from([1, 3]) };
    expect(() => assertCsr(out)).toThrow(/outside/);
  });

  it('selects rows (with repeats) and stacks blocks side by side with weights', () => {
    const m = csrFromDense(A, 3, 3);
    expect(Array.from(csrToDense(csrSelectRows(m, [2, 0, 2])))).toEqual([0, 3, 4, 1, 0, 2, 0, 3, 4]);
    const b = csrFromDense([5, 0, 6], 3, 1);
    const h = csrHStack([m, b], [1, 2]);
    expect(h.cols).toBe(4);
    expect(Array.from(csrToDense(h))).toEqual([1, 0, 2, 10, 0, 0, 0, 0, 0, 3, 4, 12]);
    expect(() => csrHStack([m, csrFromDense([1], 1, 1)])).toThrow(/rows/);
  });

  it('computes norms, normalises rows, dots and products', () => {
    const m = csrFromDense(A, 3, 3);
    expect(Array.from(csrRowSquaredNorms(m))).toEqual([5, 0, 25]);
    expect(csrRowDot(m, 2, [1, 1, 2])).toBe(11);
    // W is 3x2 row-major
    const W = [1, 2, 3, 4, 5, 6];
    expect(Array.from(csrMultiplyDense(m, W, 2))).toEqual([11, 14, 0, 0, 29, 36]);
    csrL2NormalizeRows(m);
    expect(Array.from(csrRowSquaredNorms(m)).map((x) => Math.round(x * 1e6) / 1e6)).toEqual([1, 0, 1]);
  });

  it('transposes', () => {
    const t = csrTranspose(csrFromDense(A, 3, 3));
    expect(Array.from(csrToDense(t))).toEqual([1, 0, 0, 0, 0, 3, 2, 0, 4]);
    assertCsr(t);
  });

  it('builder grows past its initial capacity', () => {
    const b = new CsrBuilder(100, 1);
    for (let r = 0; r < 50; r++) b.pushRow([r, r + 1], [1, 2]);
    const m = b.build();
    expect(m.rows).toBe(50);
    expect(m.indptr[50]).toBe(100);
    assertCsr(m);
  });
});

describe('Uint32HashMap', () => {
  it('stores and finds many keys across growth, -1 when absent', () => {
    const map = new Uint32HashMap(4);
    for (let i = 1; i <= 5000; i++) map.set((i * 2654435761) >>> 0 || 1, i);
    expect(map.size).toBe(5000);
    for (let i = 1; i <= 5000; i++) expect(map.get((i * 2654435761) >>> 0 || 1)).toBe(i);
    expect(map.get(123456789)).toBe(-1);
    expect(map.getOrInsert(0xffffffff, 7)).toBe(7);
    expect(map.getOrInsert(0xffffffff, 9)).toBe(7);
  });
});

describe('typed arrays as base64', () => {
  it('round-trips exactly', () => {
    const f = Float32Array.from([0, -1.5, 3.25, 1e-30, Number.POSITIVE_INFINITY]);
    expect(Array.from(base64ToFloat32(float32ToBase64(f)))).toEqual(Array.from(f));
    const u = Uint32Array.from([0, 1, 0xffffffff]);
    expect(Array.from(base64ToUint32(uint32ToBase64(u)))).toEqual([0, 1, 0xffffffff]);
    expect(() => base64ToFloat32('AAA=')).toThrow(/multiple of 4/);
  });

  it('writes little-endian bytes of exactly the array, also of a view into a larger buffer', () => {
    // 1.0f = 0x3f800000 -> bytes 00 00 80 3f; -2.0f = 0xc0000000 -> 00 00 00 c0.
    expect(float32ToBase64(Float32Array.of(1, -2))).toBe(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]).toString('base64'));
    expect(uint32ToBase64(Uint32Array.of(0x01020304))).toBe(Buffer.from([4, 3, 2, 1]).toString('base64'));
    const big = Float32Array.from([9, 1, -2, 9]);
    expect(float32ToBase64(big.subarray(1, 3))).toBe(float32ToBase64(Float32Array.of(1, -2)));
    const shared = new Float32Array(new SharedArrayBuffer(16)).fill(0.5);
    expect(float32ToBase64(shared)).toBe(float32ToBase64(Float32Array.of(0.5, 0.5, 0.5, 0.5)));
    // The decoded array owns its memory (not a view of a pooled Buffer).
    const back = base64ToFloat32(float32ToBase64(Float32Array.of(1, -2)));
    expect(back.byteOffset).toBe(0);
    expect(back.buffer.byteLength).toBe(8);
  });
});
