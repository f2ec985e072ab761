import { describe, it, expect } from 'vitest';
import { ClusterModel, ClusterModelError, ClusterPhraseSummarySchema, clusterTaxonomy, containsPhrase, type ClusterProgressEvent } from '../../src/cluster/index.js';
import { ari } from '../../src/evaluate/index.js';
import { stableStringify } from '../../src/util/hash.js';
import { TOPICS, fakeGateway, topicCorpus } from './fixtures.js';

const useCase = 'what the customer needs help with';

describe('clusterTaxonomy (offline)', () => {
  const { records, topic } = topicCorpus(25, 1);

  it('recovers the topics and names them by their distinctive words', async () => {
    const events: ClusterProgressEvent[] = [];
    const res = await clusterTaxonomy(records, { useCase, seed: 7, k: 4, onProgress: (e) => events.push(e) });
    expect(res.k).toBe(4);
    expect(ari(topic, res.assignments.map((a) => a.labelId))).toBe(1);
    const t = res.taxonomy;
    expect(t.method).toBe('cluster');
    expect(t.useCase).toBe(useCase);
    expect(t.id).toMatch(/^tax-[0-9a-f]{16}$/);
    expect(t.labels.map((l) => l.id)).toEqual(['C1', 'C2', 'C3', 'C4']);
    expect(new Set(t.labels.map((l) => l.name.toLowerCase())).size).toBe(4);
    for (const label of t.labels) {
      // the name's words come from one topic's vocabulary: the topic of the label's members
      const members = res.assignments.filter((a) => a.labelId === label.id).map((a) => topic[Number(a.id.slice(1))]!);
      const vocab = TOPICS[members[0]!]!;
      expect(label.name.split(' ').every((w) => vocab.includes(w))).toBe(true);
      expect(label.description).toContain(`(25 of 100, 25.0%)`);
      // named by a phrase its texts use; what the texts share, in the topic's own words, then the most typical text
      expect(res.assignments.some((a) => a.labelId === label.id && containsPhrase(records[Number(a.id.slice(1))]!.text, label.name.split(' ')))).toBe(true);
      const described = /^Texts about "([^"]*)": (.*) \(25 of 100/.exec(label.description);
      expect(described, label.description).not.toBeNull();
      expect(described![1]).toBe(label.name);
      expect(described![2]).toMatch(/^\d+% say it, /u);
      const shared = [...described![2]!.matchAll(/(\d+)% "([^"]*)"/gu)].map((m) => m[2]!);
      expect(shared.length).toBeGreaterThan(0);
      expect(shared.flatMap((t) => t.split(' ')).every((w) => vocab.includes(w))).toBe(true);
      expect(label.description.endsWith(`Most typical: "${label.examples![0]}"`)).toBe(true);
      expect(label.examples).toHaveLength(3);
      expect(res.sizes[label.id]).toBe(25);
      // the phrases the name was chosen from are in the taxonomy, best first, with their scores; the name among them
      const phrases = ClusterPhraseSummarySchema.array().parse((t.metadata!.cluster as { phrases: Record<string, unknown> }).phrases[label.id]);
      expect(phrases.length).toBeGreaterThan(0);
      expect(phrases.map((p) => p.phrase)).toContain(label.name);
      expect(phrases.every((p, i) => Math.abs(p.score - p.coverage * p.precision) < 0.002 && (i === 0 || p.phrase === label.name || p.score <= phrases[i - 1]!.score))).toBe(true);
    }
    expect(res.unvectorized).toEqual([]);
    expect(res.assignments.every((a) => a.distance >= -1e-12 && a.distance <= 1)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['vectorized', 'clustered', 'named']);
  });

  it('is byte-identical for the same seed', async () => {
    const run = async () => {
      const r = await clusterTaxonomy(records, { useCase, seed: 3, k: 4 });
      return stableStringify({ taxonomy: r.taxonomy, assignments: r.assignments, model: r.model.toJSON() });
    };
    const a = await run();
    const b = await run();
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThan(1000);
  });

  it('with umap: clusters a seeded UMAP layout, byte-identical per seed, centroids and the model in the vector space', async () => {
    const run = async (seed: number) => {
      const r = await clusterTaxonomy(records, { useCase, seed, k: 4, umap: true });
      return { r, bytes: stableStringify({ taxonomy: r.taxonomy, assignments: r.assignments, model: r.model.toJSON() }) };
    };
    const a = await run(5);
    expect(ari(topic, a.r.assignments.map((x) => x.labelId))).toBe(1);
    expect((await run(5)).bytes).toBe(a.bytes);
    // the saved model labels the training texts as the clustering did (nearest centroid in the LSA space)
    const assigned = a.r.model.assign(records.map((x) => x.text));
    expect(assigned.map((x) => x.labelId)).toEqual(a.r.assignments.map((x) => x.labelId));
    expect(a.r.assignments.every((x) => x.distance >= -1e-12 && x.distance <= 1)).toBe(true);
  });

  it('chooses k by silhouette when k is not given', async () => {
    const res = await clusterTaxonomy(records, { useCase, seed: 2, kRange: [2, 7] });
    expect(res.k).toBe(4);
    expect(res.kCandidates!.map((c) => c.k)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(res.silhouette).toBe(Math.max(...res.kCandidates!.map((c) => c.silhouette)));
    expect((res.taxonomy.metadata!.cluster as { silhouette: number }).silhouette).toBe(res.silhouette);
  });

  it('rejects bad input with clear errors', async () => {
    await expect(clusterTaxonomy([], { useCase, seed: 1, k: 2 })).rejects.toThrow(/no records/);
    await expect(clusterTaxonomy(records.slice(0, 3), { useCase, seed: 1, k: 4 })).rejects.toThrow(/k = 4 is larger than the number of records \(3\)/);
    const dup = [records[0]!, { ...records[1]!, id: records[0]!.id }];
    await expect(clusterTaxonomy(dup, { useCase, seed: 1, k: 1 })).rejects.toThrow(/record 1: id "r0" repeats record 0/);
    await expect(clusterTaxonomy(records, { useCase, seed: 1, kRange: [200, 300] })).rejects.toThrow(/no candidate k/);
  });
});

describe('ClusterModel', () => {
  const { records, topic } = topicCorpus(20, 5);

  it('above compactAbove records uses the compact vectorizer, still recovering the topics byte-identically per seed', async () => {
    const run = async (compactAbove?: number) => {
      const r = await clusterTaxonomy(records, { useCase, seed: 3, k: 4, ...(compactAbove !== undefined ? { compactAbove } : {}) });
      const model = r.model.toJSON() as { dimensions: number; vectorizer: { featurizer: { config: { blocks: { ngramRange: number[] }[] } } } };
      return { r, model, text: stableStringify({ taxonomy: r.taxonomy, assignments: r.assignments, model }) };
    };
    const rich = await run();
    const compact = await run(50);
    expect(rich.model.vectorizer.featurizer.config.blocks[0]!.ngramRange).toEqual([2, 4]);
    expect(compact.model.vectorizer.featurizer.config.blocks[0]!.ngramRange).toEqual([3, 4]);
    expect(compact.model.dimensions).toBeLessThanOrEqual(64);
    expect(rich.model.dimensions).toBeGreaterThan(64);
    expect(ari(topic, compact.r.assignments.map((a) => a.labelId))).toBe(1);
    expect((await run(50)).text).toBe(compact.text);
  });

  it('round-trips through JSON and labels new texts offline', async () => {
    const res = await clusterTaxonomy(records, { useCase, seed: 1, k: 4 });
    const json = JSON.parse(JSON.stringify(res.model.toJSON()));
    const loaded = ClusterModel.fromJSON(json);
    expect(loaded.taxonomyId).toBe(res.taxonomy.id);
    expect(stableStringify(loaded.toJSON())).toBe(stableStringify(res.model.toJSON()));
    // training texts get their training labels back, bit for bit
    const again = loaded.assign(records.map((r) => r.text));
    expect(again.map((a) => a.labelId)).toEqual(res.assignments.map((a) => a.labelId));
    again.forEach((a, i) => expect(a.similarity).toBeCloseTo(1 - res.assignments[i]!.distance, 10));
    // a new text in a topic's words lands with that topic's records
    const refundLabel = res.assignments[1]!.labelId; // record r1 is a refund text
    const [fresh, unknown] = loaded.assign(['I want my money back, refund the purchase', 'zzz qqq']);
    expect(fresh!.labelId).toBe(refundLabel);
    expect(fresh!.similarity).toBeGreaterThan(0.3);
    expect(unknown).toEqual({ labelId: 'C1', similarity: 0, empty: true });
  });

  it('refuses files of another version or with broken fields', async () => {
    const res = await clusterTaxonomy(records, { useCase, seed: 1, k: 4 });
    const json = res.model.toJSON();
    expect(() => ClusterModel.fromJSON({ ...json, schemaVersion: 2 }, 'm.json')).toThrow(/m.json: schemaVersion 2 is not supported/);
    expect(() => ClusterModel.fromJSON({ ...json, labels: json.labels.slice(1) })).toThrow(ClusterModelError);
    expect(() => ClusterModel.fromJSON({ ...json, labels: json.labels.slice(1) })).toThrow(/3 labels x \d+ dimensions need/);
    const { dimensions: _d, ...noDims } = json;
    expect(() => ClusterModel.fromJSON(noDims)).toThrow(/field "dimensions"/);
    expect(() => ClusterModel.fromJSON({ ...json, kind: 'other' })).toThrow(/not a taxonomist cluster model/);
  });
});

describe('embeddings and LLM naming', () => {
  const { records, topic } = topicCorpus(10, 9);
  const topicNames = Object.keys(TOPICS);

  /** Embeddings that put each text on its topic's axis (plus a little per-text noise). */
  const embeddings = {
    embedDocuments: async (texts: string[]) =>
      texts.map((t, i) => {
        const v = topicNames.map((name) => t.split(' ').filter((w) => TOPICS[name]!.includes(w)).length);
        return [...v, ((i * 7) % 5) / 100];
      }),
    embedQuery: async () => [0, 0, 0, 0, 0],
  };

  it('clusters on given embeddings; the model then needs vectors', async () => {
    const res = await clusterTaxonomy(records, { useCase, seed: 1, k: 4, embeddings: embeddings as never });
    expect(ari(topic, res.assignments.map((a) => a.labelId))).toBe(1);
    expect(res.model.toJSON().vectorizer).toEqual({ kind: 'embeddings', modelId: 'Object' });
    expect(() => res.model.assign(['x'])).toThrow(/built on embeddings "Object"/);
    const viaWith = await res.model.assignWith([records[0]!.text], { embeddings: embeddings as never });
    expect(viaWith[0]!.labelId).toBe(res.assignments[0]!.labelId);
  });

  it('names clusters with the model, re-asking on catch-all names, sampling members with a seed', async () => {
    const { gateway, calls } = fakeGateway((user, attempt) => {
      const terms = /distinctive terms of the group: ([^.]*)\./.exec(user)![1]!.split(', ');
      if (terms.some((t) => TOPICS.refund!.includes(t)) && attempt === 0) return { name: 'Other', description: 'misc' };
      return { name: `About ${terms[0]}`, description: `Texts about ${terms[0]}.` };
    });
    const res = await clusterTaxonomy(records, { useCase, seed: 4, k: 4, nameWith: { gateway, model: 'fake:model', sampleSize: 5 } });
    expect(res.naming).toEqual({ source: 'llm', failures: [] });
    expect(res.taxonomy.labels.every((l) => l.name.startsWith('About '))).toBe(true);
    expect(calls).toHaveLength(5); // 4 clusters + 1 re-ask
    const rejected = calls.find((c) => c.problems.length > 0)!;
    expect(rejected.problems[0]).toMatch(/catch-all/);
    for (const c of calls) {
      expect(c.stage).toBe('cluster');
      expect(c.temperature).toBe(0);
      expect(c.messages[0]!.content).toContain(useCase);
      expect(c.messages[1]!.content).toMatch(/Sample of 5 texts from the group/);
    }
    // same seed -> same prompts
    const second = fakeGateway((user) => ({ name: `About ${/terms of the group: ([^,.]*)/.exec(user)![1]}`, description: 'd' }));
    await clusterTaxonomy(records, { useCase, seed: 4, k: 4, nameWith: { gateway: second.gateway, model: 'fake:model', sampleSize: 5 } });
    expect(second.calls.map((c) => c.messages[1]!.content)).toEqual(calls.filter((c) => c.problems.length === 0).map((c) => c.messages[1]!.content));
  });

  it('falls back to term names on failed calls and reports them, or throws when asked', async () => {
    const { gateway } = fakeGateway((user) =>
      user.includes('password') ? new Error('rate limited') : { name: 'Named by model', description: 'd' },
    );
    const res = await clusterTaxonomy(records, { useCase, seed: 4, k: 4, nameWith: { gateway, model: 'm' } });
    expect(res.naming.failures).toHaveLength(1);
    expect(res.naming.failures[0]!.message).toBe('rate limited');
    const failed = res.taxonomy.labels.find((l) => l.id === res.naming.failures[0]!.labelId)!;
    expect(failed.name.split(' ').some((w) => TOPICS.password!.includes(w))).toBe(true);
    // the three model names collide: made unique
    expect(new Set(res.taxonomy.labels.map((l) => l.name)).size).toBe(4);
    await expect(
      clusterTaxonomy(records, { useCase, seed: 4, k: 4, nameWith: { gateway, model: 'm', onError: 'throw' } }),
    ).rejects.toThrow(/rate limited/);
  });
});
