import { describe, it, expect } from 'vitest';
import { clusterTaxonomy } from '../../src/cluster/index.js';
import { ari } from '../../src/evaluate/index.js';
import { createRng } from '../../src/util/random.js';
import { stableStringify } from '../../src/util/hash.js';
import { denseMatrix, normalizeRowsInPlace } from '../../src/vectors/dense.js';
import { kmeans } from '../../src/vectors/kmeans.js';
import { miniBatchKmeans } from '../../src/vectors/minibatch-kmeans.js';
import { topicCorpus } from '../cluster/fixtures.js';

function blobs(groups: number, per: number, dims: number, seed: number) {
  const rng = createRng(seed);
  const centres = Array.from({ length: groups }, () => Array.from({ length: dims }, () => rng.normal()));
  const m = denseMatrix(groups * per, dims);
  const truth: number[] = [];
  for (let i = 0; i < groups * per; i++) {
    const c = centres[i % groups]!;
    truth.push(i % groups);
    for (let d = 0; d < dims; d++) m.data[i * dims + d] = c[d]! + 0.3 * rng.normal();
  }
  normalizeRowsInPlace(m);
  return { m, truth };
}

describe('miniBatchKmeans', () => {
  const { m, truth } = blobs(20, 150, 24, 3);

  it('recovers well-separated groups, close to full k-means in inertia', () => {
    const mb = miniBatchKmeans(m, { k: 20, seed: 1, spherical: true, batchSize: 256 });
    const full = kmeans(m, { k: 20, seed: 1, spherical: true });
    expect(ari(truth.map(String), Array.from(mb.labels, String))).toBeGreaterThan(0.9);
    expect(mb.inertia).toBeLessThan(1.05 * full.inertia);
    expect(mb.sizes.reduce((a, b) => a + b, 0)).toBe(m.rows);
  });

  it('is deterministic under a seed, and the seed matters', () => {
    const a = miniBatchKmeans(m, { k: 20, seed: 4, spherical: true, batchSize: 128, batches: 20 });
    const b = miniBatchKmeans(m, { k: 20, seed: 4, spherical: true, batchSize: 128, batches: 20 });
    const c = miniBatchKmeans(m, { k: 20, seed: 5, spherical: true, batchSize: 128, batches: 20 });
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    expect(Array.from(a.centroids)).not.toEqual(Array.from(c.centroids));
  });

  it('is used by the engine above miniBatchAbove, with the same quality and determinism', async () => {
    const { records, topic } = topicCorpus(25, 1);
    const run = () => clusterTaxonomy(records, { useCase: 'u', seed: 3, k: 4, miniBatchAbove: 50 });
    const a = await run();
    const b = await run();
    expect(ari(topic, a.assignments.map((x) => x.labelId))).toBe(1);
    expect(stableStringify(a.model.toJSON())).toBe(stableStringify(b.model.toJSON()));
    // the saved model gives the training texts their training labels
    expect(a.model.assign(records.map((r) => r.text)).map((x) => x.labelId)).toEqual(a.assignments.map((x) => x.labelId));
  });
});
