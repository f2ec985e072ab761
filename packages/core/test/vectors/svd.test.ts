import { describe, it, expect } from 'vitest';
import { csrFromDense, projectCsr, randomizedSvd, type CsrMatrix } from '../../src/vectors/index.js';
import { createRng } from '../../src/util/random.js';

/** A (rows x cols) = Σ_t s_t u_t v_tᵀ with orthonormal u_t (disjoint row blocks) and v_t (rotations in column pairs). */
function knownMatrix(): { m: CsrMatrix; singular: number[] } {
  const rows = 12;
  const cols = 40;
  const singular = [7, 5, 3, 2];
  const a = new Float64Array(rows * cols);
  singular.forEach((s, t) => {
    // u_t: uniform over rows 3t..3t+2
    const u = 1 / Math.sqrt(3);
    // v_t: (cos θ, sin θ) on columns 10t+1 and 10t+7
    const th = 0.3 + t;
    for (let r = 3 * t; r < 3 * t + 3; r++) {
      a[r * cols + 10 * t + 1] += s * u * Math.cos(th);
      a[r * cols + 10 * t + 7] += s * u * Math.sin(th);
    }
  });
  return { m: csrFromDense(a, rows, cols), singular };
}

describe('randomizedSvd', () => {
  it('finds the singular values of a matrix with a known spectrum', () => {
    const { m, singular } = knownMatrix();
    const svd = randomizedSvd(m, { components: 3, seed: 1 });
    expect(svd.k).toBe(3);
    // only the 8 used columns take part
    expect(Array.from(svd.columns)).toEqual([1, 7, 11, 17, 21, 27, 31, 37]);
    singular.slice(0, 3).forEach((s, i) => expect(svd.singularValues[i]).toBeCloseTo(s, 5));
  });

  it('projects rows so that column norms equal the singular values and components are orthonormal', () => {
    const { m, singular } = knownMatrix();
    const svd = randomizedSvd(m, { components: 4, seed: 2 });
    const x = projectCsr(m, svd);
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let r = 0; r < m.rows; r++) s += x[r * 4 + j]! ** 2;
      expect(Math.sqrt(s)).toBeCloseTo(singular[j]!, 5);
    }
    const d = svd.columns.length;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += svd.weights[c * 4 + i]! * svd.weights[c * 4 + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 5); // float32 storage
      }
    }
  });

  it('captures most energy of a noisy low-rank matrix and is deterministic for a seed', () => {
    const rng = createRng(9);
    const rows = 200;
    const cols = 300;
    const rank = 5;
    const u = Array.from({ length: rank }, () => Array.from({ length: rows }, () => rng.normal()));
    const v = Array.from({ length: rank }, () => Array.from({ length: cols }, () => (rng.next() < 0.1 ? rng.normal() : 0)));
    const a = new Float64Array(rows * cols);
    for (let t = 0; t < rank; t++) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) a[r * cols + c] += u[t]![r]! * v[t]![c]!;
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) a[i] += 0.01 * rng.normal();
    const m = csrFromDense(a, rows, cols);
    const svd = randomizedSvd(m, { components: rank, seed: 4 });
    const x = projectCsr(m, svd);
    let captured = 0;
    for (const val of x) captured += val * val;
    let total = 0;
    for (let p = 0; p < m.data.length; p++) total += m.data[p]! ** 2;
    expect(captured / total).toBeGreaterThan(0.999);
    const again = randomizedSvd(m, { components: rank, seed: 4 });
    expect(Buffer.from(again.weights.buffer).equals(Buffer.from(svd.weights.buffer))).toBe(true);
  });

  it('caps components at the rank bound, normalises projections and rejects bad input', () => {
    const m = csrFromDense(new Float64Array([1, 0, 0, 0, 2, 0]), 2, 3);
    const svd = randomizedSvd(m, { components: 10, seed: 1 });
    expect(svd.k).toBe(2);
    const x = projectCsr(m, svd, { normalize: true });
    expect(Math.hypot(x[0]!, x[1]!)).toBeCloseTo(1, 6);
    expect(() => randomizedSvd(m, { components: 0, seed: 1 })).toThrow(/positive integer/);
    const other = csrFromDense(new Float64Array([1, 0]), 1, 2);
    expect(() => projectCsr(other, svd)).toThrow(/fitted on 3/);
  });
});
