import { describe, it, expect } from 'vitest';
import { clusterTaxonomy } from '../../src/cluster/index.js';
import { createRng } from '../../src/util/random.js';
import { denseMatrix, normalizeRowsInPlace } from '../../src/vectors/dense.js';
import { defaultKSpan, searchK } from '../../src/vectors/silhouette.js';
import { topicCorpus } from './fixtures.js';

/** `groups` tight clusters of `per` unit vectors around random directions in `dims` dimensions. */
function blobs(groups: number, per: number, dims: number, seed: number) {
  const rng = createRng(seed);
  const centres = Array.from({ length: groups }, () => Array.from({ length: dims }, () => rng.normal()));
  const m = denseMatrix(groups * per, dims);
  for (let i = 0; i < groups * per; i++) {
    const c = centres[i % groups]!;
    for (let d = 0; d < dims; d++) m.data[i * dims + d] = c[d]! + 0.15 * rng.normal();
  }
  normalizeRowsInPlace(m);
  return m;
}

describe('choice of k', () => {
  it('spans up to about 2 sqrt(n), not a fixed 25', () => {
    expect(defaultKSpan(3080)).toEqual({ min: 2, max: 111 });
    expect(defaultKSpan(100)).toEqual({ min: 2, max: 20 });
    expect(defaultKSpan(12)).toEqual({ min: 2, max: 10 });
    expect(defaultKSpan(5)).toEqual({ min: 2, max: 4 });
  });

  it('finds a k beyond 25 coarse-to-fine, says why, and is not at the edge', () => {
    const points = blobs(40, 20, 16, 1);
    const span = defaultKSpan(points.rows);
    const res = searchK(points, { ...span, seed: 5, spherical: true, nInit: 3, tolerance: 0 });
    expect(res.k).toBe(40);
    expect(res.atEdge).toBeUndefined();
    // coarse grid plus a finer pass: far fewer runs than every k of the span
    expect(res.candidates.length).toBeLessThan(20);
    expect(res.candidates.map((c) => c.k)).toEqual([...res.candidates.map((c) => c.k)].sort((a, b) => a - b));
    expect(res.reason).toMatch(new RegExp(`^k = 40: highest silhouette \\(0\\.\\d{3}\\) of ${res.candidates.length} values tried over k = 2\\.\\.${span.max}$`));
  });

  it('keeps the smallest k within the tolerance of the best silhouette, and says so', () => {
    const points = blobs(40, 20, 16, 1);
    const res = searchK(points, { min: 2, max: 57, seed: 5, spherical: true, nInit: 3, tolerance: 0.1 });
    const top = Math.max(...res.candidates.map((c) => c.silhouette));
    const within = res.candidates.filter((c) => c.silhouette >= 0.9 * top).map((c) => c.k);
    expect(res.k).toBe(Math.min(...within));
    expect(res.k).toBeLessThan(40);
    expect(res.reason).toMatch(/^k = \d+: smallest k whose silhouette \(0\.\d{3}\) is within 10% of the highest \(0\.\d{3} at k = 40\)/);
  });

  it('says when the choice hits the edge of its range', () => {
    const points = blobs(40, 12, 16, 1);
    const res = searchK(points, { min: 2, max: 20, seed: 5, spherical: true, nInit: 1 });
    expect(res.k).toBe(20);
    expect(res.atEdge).toBe('max');
    expect(res.reason).toContain('largest k tried');
  });

  it('is reported by the engine: chosen with its reason, or given', async () => {
    const { records } = topicCorpus(25, 1);
    const chosen = await clusterTaxonomy(records, { useCase: 'u', seed: 2 });
    expect(chosen.kChoice.source).toBe('silhouette');
    expect(chosen.kChoice.max).toBe(20);
    expect(chosen.kChoice.reason).toMatch(new RegExp(`^k = ${chosen.k}: highest silhouette`));
    expect(chosen.silhouette).toBe(Math.max(...chosen.kCandidates!.map((c) => c.silhouette)));
    expect((chosen.taxonomy.metadata!.cluster as { kChoice: string }).kChoice).toBe(chosen.kChoice.reason);
    const given = await clusterTaxonomy(records, { useCase: 'u', seed: 2, k: 4 });
    expect(given.kChoice).toEqual({ source: 'given', reason: 'k = 4: given' });
  });
});
