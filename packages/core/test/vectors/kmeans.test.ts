import { describe, it, expect } from 'vitest';
import { chooseK, denseMatrix, kmeans, nearestCentroids, silhouetteScore, type DenseMatrix } from '../../src/vectors/index.js';
import { ari } from '../../src/evaluate/index.js';
import { createRng } from '../../src/util/random.js';

/** Gaussian blobs around the given centres; returns points and the true blob of each. */
function blobs(centres: number[][], perBlob: number, spread: number, seed: number): { m: DenseMatrix<Float64Array>; truth: string[] } {
  const rng = createRng(seed);
  const dims = centres[0]!.length;
  const m = denseMatrix(centres.length * perBlob, dims);
  const truth: string[] = [];
  let r = 0;
  // Interleave blobs so the order of points says nothing about membership.
  for (let i = 0; i < perBlob; i++) {
    centres.forEach((c, b) => {
      for (let d = 0; d < dims; d++) m.data[r * dims + d] = c[d]! + spread * rng.normal();
      truth.push(String(b));
      r++;
    });
  }
  return { m, truth };
}

/** Plain Lloyd from given centroids: the reference the accelerated implementation must match. */
function naiveLloyd(m: DenseMatrix, init: Float64Array, k: number, iters: number): Int32Array {
  const dims = m.cols;
  const c = Float64Array.from(init);
  let labels: Int32Array = new Int32Array(m.rows);
  for (let it = 0; it < iters; it++) {
    labels = nearestCentroids(m, c, k).labels;
    const sums = new Float64Array(k * dims);
    const counts = new Int32Array(k);
    for (let i = 0; i < m.rows; i++) {
      counts[labels[i]!]!++;
      for (let d = 0; d < dims; d++) sums[labels[i]! * dims + d] += m.data[i * dims + d]!;
    }
    for (let j = 0; j < k; j++) if (counts[j]! > 0) for (let d = 0; d < dims; d++) c[j * dims + d] = sums[j * dims + d]! / counts[j]!;
  }
  return nearestCentroids(m, c, k).labels;
}

describe('kmeans', () => {
  const centres = [
    [0, 0, 0],
    [10, 0, 0],
    [0, 10, 0],
    [0, 0, 10],
  ];

  it('recovers well-separated blobs exactly', () => {
    const { m, truth } = blobs(centres, 50, 1, 1);
    const res = kmeans(m, { k: 4, seed: 7 });
    expect(ari(truth, Array.from(res.labels, String))).toBe(1);
    expect(Array.from(res.sizes)).toEqual([50, 50, 50, 50]);
    expect(res.converged).toBe(true);
    expect(res.restarts).toHaveLength(3);
    // inertia is the sum of the reported squared distances and the best restart's
    expect(res.inertia).toBeCloseTo(res.distances.reduce((s, x) => s + x, 0), 8);
    expect(res.inertia).toBe(Math.min(...res.restarts.map((r) => r.inertia)));
  });

  it('seeds on a sample when told (initSample): still exact on separated blobs, deterministic, and a different start', () => {
    const { m, truth } = blobs(centres, 50, 1, 1);
    const res = kmeans(m, { k: 4, seed: 7, nInit: 1, initSample: 40 });
    expect(ari(truth, Array.from(res.labels, String))).toBe(1);
    const again = kmeans(m, { k: 4, seed: 7, nInit: 1, initSample: 40 });
    expect(Buffer.from(again.centroids.buffer).equals(Buffer.from(res.centroids.buffer))).toBe(true);
    // On ambiguous data the sampled seeding starts elsewhere than the full one (the option is not ignored).
    const fuzzy = blobs(centres, 50, 6, 2).m;
    const full = kmeans(fuzzy, { k: 4, seed: 3, nInit: 1, maxIter: 0 });
    const sampled = kmeans(fuzzy, { k: 4, seed: 3, nInit: 1, maxIter: 0, initSample: 20 });
    expect(Array.from(sampled.centroids)).not.toEqual(Array.from(full.centroids));
    // A sample of n or more is the full seeding.
    expect(Array.from(kmeans(fuzzy, { k: 4, seed: 3, nInit: 1, maxIter: 0, initSample: 10_000 }).centroids)).toEqual(Array.from(full.centroids));
    expect(() => kmeans(m, { k: 4, seed: 7, initSample: 0 })).toThrow(/initSample must be a positive integer/);
  });

  it('matches plain Lloyd from the same start on overlapping data', () => {
    const { m } = blobs(
      [
        [0, 0],
        [2, 0],
        [0, 2],
        [2, 2],
        [1, 1],
      ],
      80,
      0.9,
      5,
    );
    const rng = createRng(11);
    const k = 6;
    const init = new Float64Array(k * 2);
    for (let j = 0; j < k; j++) {
      const i = rng.int(m.rows);
      init[j * 2] = m.data[i * 2]!;
      init[j * 2 + 1] = m.data[i * 2 + 1]!;
    }
    const fast = kmeans(m, { k, seed: 0, init, tol: 0, maxIter: 500 });
    expect(fast.converged).toBe(true);
    expect(Array.from(fast.labels)).toEqual(Array.from(naiveLloyd(m, init, k, fast.iterations + 5)));
    // both kinds of bounds are exact: same clustering, Elkan needing fewer distance computations
    const hamerly = kmeans(m, { k, seed: 0, init, tol: 0, maxIter: 500, algorithm: 'hamerly' });
    const elkan = kmeans(m, { k, seed: 0, init, tol: 0, maxIter: 500, algorithm: 'elkan' });
    expect(Array.from(hamerly.labels)).toEqual(Array.from(fast.labels));
    expect(Array.from(elkan.labels)).toEqual(Array.from(fast.labels));
    const full = m.rows * k * (elkan.iterations + 1);
    expect(elkan.restarts[0]!.distanceEvaluations).toBeLessThan(full);
    expect(hamerly.restarts[0]!.distanceEvaluations).toBeLessThan(full);
  });

  it('is deterministic for a seed and differs across seeds on ambiguous data', () => {
    const { m } = blobs([[0, 0]], 300, 1, 2);
    const a = kmeans(m, { k: 5, seed: 1 });
    const b = kmeans(m, { k: 5, seed: 1 });
    expect(Buffer.from(a.centroids.buffer).equals(Buffer.from(b.centroids.buffer))).toBe(true);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    const c = kmeans(m, { k: 5, seed: 2, nInit: 1 });
    const d = kmeans(m, { k: 5, seed: 3, nInit: 1 });
    expect(Buffer.from(c.centroids.buffer).equals(Buffer.from(d.centroids.buffer))).toBe(false);
  });

  it('spherical mode clusters by direction, whatever the length', () => {
    const rng = createRng(4);
    const dirs = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const m = denseMatrix(90, 3);
    const truth: string[] = [];
    for (let i = 0; i < 90; i++) {
      const b = i % 3;
      const scale = 0.1 + 20 * rng.next(); // lengths vary a lot: Euclidean k-means would split by length
      for (let d = 0; d < 3; d++) m.data[i * 3 + d] = scale * (dirs[b]![d]! + 0.1 * rng.normal());
      truth.push(String(b));
    }
    const res = kmeans(m, { k: 3, seed: 1, spherical: true });
    expect(ari(truth, Array.from(res.labels, String))).toBe(1);
    for (let j = 0; j < 3; j++) expect(Math.hypot(...res.centroids.subarray(j * 3, j * 3 + 3))).toBeCloseTo(1, 10);
  });

  it('handles duplicates (k equal to the number of distinct points) and rejects bad input', () => {
    const m = denseMatrix(6, 1);
    m.data.set([0, 0, 0, 5, 5, 9]);
    const res = kmeans(m, { k: 3, seed: 1 });
    expect(res.inertia).toBe(0);
    expect(new Set(res.labels).size).toBe(3);
    // two identical starting centres: the second gets no point and is re-seeded with the farthest point
    const relocated = kmeans(m, { k: 3, seed: 1, init: new Float64Array([0, 0, 9]) });
    expect(Array.from(relocated.sizes).every((s) => s > 0)).toBe(true);
    expect(relocated.inertia).toBeCloseTo(0, 12);
    expect(() => kmeans(m, { k: 7, seed: 1 })).toThrow(/larger than the number of points/);
    expect(() => kmeans(m, { k: 0, seed: 1 })).toThrow(/positive integer/);
    expect(() => kmeans(m, { k: 2, seed: 1, init: new Float64Array(3) })).toThrow(/init has 3 values/);
  });
});

describe('silhouette and chooseK', () => {
  it('matches the definition on a hand example', () => {
    const m = denseMatrix(4, 1);
    m.data.set([0, 1, 10, 11]);
    // a = 1 for all; b = 10.5, 9.5, 9.5, 10.5 -> mean of (b - a) / b
    const expected = (9.5 / 10.5 + 8.5 / 9.5) / 2;
    expect(silhouetteScore(m, [0, 0, 1, 1])).toBeCloseTo(expected, 6);
    // singleton clusters score 0: [0] alone, [1,10,11]
    // p1: a = (9 + 10)/2 = 9.5, b = 1 -> (1 - 9.5)/9.5; p10: a = (9 + 1)/2 = 5, b = 10 -> 0.5; p11: a = (10+1)/2 = 5.5, b = 11 -> 0.5
    expect(silhouetteScore(m, [0, 1, 1, 1])).toBeCloseTo((0 + -8.5 / 9.5 + 0.5 + 0.5) / 4, 6);
    expect(() => silhouetteScore(m, [0, 0, 0, 0])).toThrow(/needs 2 to 3 clusters/);
  });

  it('chooses the number of blobs', () => {
    const centres = [
      [0, 0],
      [8, 0],
      [0, 8],
      [8, 8],
    ];
    const { m } = blobs(centres, 40, 0.7, 3);
    const res = chooseK(m, { kRange: { min: 2, max: 7 }, seed: 5, sampleSize: 100 });
    expect(res.k).toBe(4);
    expect(res.candidates.map((c) => c.k)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(res.silhouette).toBe(Math.max(...res.candidates.map((c) => c.silhouette)));
    expect(res.result.k).toBe(4);
    expect(() => chooseK(m, { kRange: { values: [1, 3] }, seed: 1 })).toThrow(/integer >= 2/);
  });
});

describe('expandKRange', () => {
  it('expands tuples, stepped ranges and explicit lists, dropping k >= n', async () => {
    const { expandKRange } = await import('../../src/vectors/index.js');
    expect(expandKRange([3, 6], 100)).toEqual([3, 4, 5, 6]);
    expect(expandKRange({ min: 50, max: 100, step: 20 }, 1000)).toEqual([50, 70, 90, 100]);
    expect(expandKRange({ values: [9, 3, 3, 200] }, 100)).toEqual([3, 9]);
    expect(() => expandKRange([5, 2], 100)).toThrow(/must not exceed/);
    expect(() => expandKRange([50, 60], 10)).toThrow(/no candidate k below the number of points \(10\)/);
  });
});
