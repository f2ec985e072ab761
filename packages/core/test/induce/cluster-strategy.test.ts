import { describe, expect, it } from 'vitest';
import { induceTaxonomy, InductionResultSchema, nmi, taxonomyToJson } from '../../src/index.js';
import { createFakeGateway } from './fake-gateway.js';
import { makeCorpus, topicOf } from './scenario.js';

describe("induceTaxonomy({ strategy: 'cluster' })", () => {
  it('is the default without a model and returns the same result type, deterministically', async () => {
    const corpus = makeCorpus(180);
    const options = { useCase: 'the intent of banking support chats', seed: 4, cluster: { k: 6 }, validationFraction: 0.1 };
    const a = await induceTaxonomy(corpus, options);
    const b = await induceTaxonomy(corpus, options);
    expect(a.strategy).toBe('cluster');
    expect(InductionResultSchema.parse(a)).toBeTruthy();
    expect(a.taxonomy.method).toBe('cluster');
    expect(a.taxonomy.labels).toHaveLength(6);
    expect(a.taxonomy.id).toMatch(/^tax-/);
    expect(a.history).toEqual([]);
    expect(a.cluster!.naming).toBe('terms');
    // Every training record is assigned, nothing else.
    expect(a.cluster!.assignments.map((x) => x.id).sort()).toEqual([...a.sample.trainingIds].sort());
    expect(a.sample.validationIds).toHaveLength(18);
    expect(taxonomyToJson(b.taxonomy)).toBe(taxonomyToJson(a.taxonomy));
    expect(JSON.stringify(b.cluster)).toBe(JSON.stringify(a.cluster));
    // The six synthetic topics are well separated: clusters should recover them closely.
    const text = new Map(corpus.map((r) => [r.id, r.text]));
    const gold = a.cluster!.assignments.map((x) => topicOf(text.get(x.id)!)!.name);
    expect(nmi(gold, a.cluster!.assignments.map((x) => x.labelId))).toBeGreaterThan(0.8);
  });

  it('names clusters with the model when one is given, with the run options', async () => {
    const gateway = createFakeGateway((call) => {
      const members = call.messages.map((m) => m.content).join('\n');
      const topic = topicOf(members.split('\n').find((l) => topicOf(l)) ?? '');
      return { name: `Named ${topic?.keyword ?? 'x'}`, description: 'Named by the model.' };
    });
    const result = await induceTaxonomy(makeCorpus(120), {
      useCase: 'intents',
      strategy: 'cluster',
      model: 'fake:namer',
      gateway,
      cluster: { k: 6 },
      instructions: 'NAME-INSTRUCTION',
    });
    expect(result.cluster!.naming).toBe('llm');
    expect(gateway.calls.length).toBeGreaterThanOrEqual(6);
    expect(gateway.calls[0]!.messages.some((m) => m.content.includes('NAME-INSTRUCTION'))).toBe(true);
    expect(result.taxonomy.labels.every((l) => l.name.startsWith('Named '))).toBe(true);
  });
});
