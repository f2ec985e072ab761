import { describe, it, expect } from 'vitest';
import { createScriptedChatModel, reply } from '@taxonomist/testing';
import { MemoryCacheStore } from '@taxonomist/core';
import { label } from '../src/index.js';
import { TAXONOMY, collect, gateway, keywordLabel, labelingMessage, textsOf } from './helpers.js';

describe('confidence', () => {
  it('self-consistency: n samples at temperature > 0, majority label, vote share; samples are distinct cache entries', async () => {
    const perText = new Map<string, number>();
    const sequence: Record<string, string[]> = {
      a: ['L1', 'L1', 'L2', 'L1', 'L3'],
      b: ['L2', 'L4', 'L2', 'L2', 'L2'],
    };
    const model = createScriptedChatModel({
      responses: (call) => {
        const text = textsOf(labelingMessage(call))[0]!.text;
        const n = perText.get(text) ?? 0;
        perText.set(text, n + 1);
        return { label: sequence[text]![n]! };
      },
    });
    const g = gateway({ cache: new MemoryCacheStore() });
    const opts = { gateway: g, model, confidence: 'self-consistency' as const, samples: 5, ordered: true };
    const records = [{ id: 'a', text: 'a' }, { id: 'b', text: 'b' }];
    const run = label(records, TAXONOMY, opts);
    const out = await collect(run);
    expect(out[0]).toMatchObject({ labelId: 'L1', confidence: 0.6, confidenceMethod: 'self-consistency' });
    expect(out[1]).toMatchObject({ labelId: 'L2', confidence: 0.8, confidenceMethod: 'self-consistency' });
    expect(model.calls).toHaveLength(10);
    expect((await run.summary).confidence).toEqual({ method: 'self-consistency', missing: 0 });
    // A second run is served from the cache: the salts made 5 distinct entries per text.
    const again = await collect(label(records, TAXONOMY, opts));
    expect(model.calls).toHaveLength(10);
    expect(again).toEqual(out);
  });

  it('logprobs: probability of the label tokens, for single and packed answers', async () => {
    const lp = (parts: [string, number][]) => parts.map(([token, p]) => ({ token, logprob: Math.log(p) }));
    const model = createScriptedChatModel({
      structuredMethod: 'jsonSchema',
      responses: (call) => {
        const texts = textsOf(labelingMessage(call));
        if (texts.length === 1 && texts[0]!.key === undefined) {
          return reply.text('{"label":"L2"}', { logprobs: lp([['{"label":"', 1], ['L', 0.8], ['2', 0.5], ['"}', 1]]) });
        }
        const body = '{"answers":[{"id":"t1","label":"L1"},{"id":"t2","label":"L3"}]}';
        const tokens = lp([
          ['{"answers":[{"id":"t1","label":"', 1],
          ['L1', 0.9],
          ['"},{"id":"t2","label":"', 1],
          ['L3', 0.3],
          ['"}]}', 1],
        ]);
        return reply.text(body, { logprobs: tokens });
      },
    });
    const ref = { id: 'lp-model', model, supportsLogprobs: true };
    const single = await collect(label([{ id: 'x', text: 'rate' }], TAXONOMY, { gateway: gateway(), model: ref, confidence: 'auto' }));
    expect(single[0]!.confidence).toBeCloseTo(0.4, 10);
    expect(single[0]!.confidenceMethod).toBe('logprobs');
    expect(model.calls[0]!.options.logprobs).toBe(true);
    const packed = await collect(
      label([{ id: 'p', text: 'arrive' }, { id: 'q', text: 'lost' }], TAXONOMY, { gateway: gateway(), model: ref, confidence: 'logprobs', pack: 2, ordered: true }),
    );
    expect(packed.map((a) => [a.labelId, a.confidence?.toFixed(2)])).toEqual([['L1', '0.90'], ['L3', '0.30']]);
  });

  it('logprobs asked from a provider that returns none: no made-up confidence, counted as missing', async () => {
    const model = createScriptedChatModel({ responses: (call) => ({ label: keywordLabel(textsOf(labelingMessage(call))[0]!.text)! }) });
    const run = label([{ id: 'x', text: 'rate' }], TAXONOMY, { gateway: gateway(), model, confidence: 'logprobs' });
    const out = await collect(run);
    expect(out[0]!.confidence).toBeUndefined();
    expect(out[0]!.confidenceMethod).toBeUndefined();
    expect((await run.summary).confidence).toEqual({ method: 'logprobs', missing: 1 });
  });

  it("'auto' picks self-consistency when the model has no logprobs", async () => {
    const model = createScriptedChatModel({ responses: () => ({ label: 'L1' }) });
    const run = label([{ id: 'x', text: 'y' }], TAXONOMY, { gateway: gateway(), model, confidence: 'auto', samples: 3 });
    const out = await collect(run);
    expect(out[0]).toMatchObject({ confidence: 1, confidenceMethod: 'self-consistency' });
    expect(model.calls).toHaveLength(3);
  });
});

describe('ensembles', () => {
  it('combine models by vote, ties to the first-listed model, and report agreement', async () => {
    const by = (f: (t: string) => string | Error) =>
      createScriptedChatModel({
        id: `m-${Math.random()}`,
        responses: (call) => {
          const r = f(textsOf(labelingMessage(call))[0]!.text);
          return r instanceof Error ? r : { label: r };
        },
      });
    const a = { id: 'A', model: by((t) => keywordLabel(t)!) };
    const b = { id: 'B', model: by((t) => (t.includes('rate') ? 'L4' : keywordLabel(t)!)) };
    // A per-record failure (a 400): an auth error would stop the whole run instead.
    const c = { id: 'C', model: by((t) => (t.includes('refund') ? Object.assign(new Error('Bad request'), { status: 400 }) : 'L1')) };
    const records = [
      { id: 'arrive', text: 'arrive' },
      { id: 'rate', text: 'rate' },
      { id: 'lost', text: 'lost' },
      { id: 'refund', text: 'refund' },
    ];
    const run = label(records, TAXONOMY, { gateway: gateway(), models: [a, b, c], ordered: true });
    const out = await collect(run);
    expect(out.map((x) => [x.id, x.labelId, x.confidence?.toFixed(3), x.confidenceMethod])).toEqual([
      ['arrive', 'L1', '1.000', 'vote'],
      ['rate', 'L2', '0.333', 'vote'], // three-way tie: model A (listed first) decides
      ['lost', 'L3', '0.667', 'vote'],
      ['refund', 'L4', '1.000', 'vote'], // C failed: A and B vote
    ]);
    expect(out[0]!.model).toBe('A+B+C');
    const summary = await run.summary;
    expect(summary.ensemble).toMatchObject({ models: ['A', 'B', 'C'], records: 4, allAnswered: 3, unanimous: 1, partial: 1 });
    const ab = summary.ensemble!.pairwise.find((p) => p.a === 'A' && p.b === 'B')!;
    expect(ab).toMatchObject({ n: 4, agreement: 0.75 });
    // Reversing the order makes C the tie-breaker for the three-way tie.
    const reversed = await collect(label([records[1]!], TAXONOMY, { gateway: gateway(), models: [c, b, a] }));
    expect(reversed[0]!.labelId).toBe('L1');
    // confidence 'none': the vote decides, no share reported.
    const quiet = await collect(label([records[2]!], TAXONOMY, { gateway: gateway(), models: [a, b, c], confidence: 'none' }));
    expect(quiet[0]).toMatchObject({ labelId: 'L3' });
    expect(quiet[0]!.confidence).toBeUndefined();
  });

  it('fails a record only when every model failed', async () => {
    const failing = (id: string) => ({
      id,
      model: createScriptedChatModel({ id, responses: () => Object.assign(new Error('Bad request'), { status: 400 }) }),
    });
    const out = await collect(label([{ id: 'x', text: 'rate' }], TAXONOMY, { gateway: gateway(), models: [failing('A'), failing('B')] }));
    expect(out[0]).toMatchObject({ status: 'failed', error: { kind: 'bad_request' }, model: 'A' });
  });

  it('rejects confidence methods that do not fit the number of models', async () => {
    const m = createScriptedChatModel({});
    await expect(collect(label([], TAXONOMY, { gateway: gateway(), models: [m, m], confidence: 'logprobs' }))).rejects.toThrow(/vote share/);
    await expect(collect(label([], TAXONOMY, { gateway: gateway(), model: m, confidence: 'vote' }))).rejects.toThrow(/several models/);
    await expect(
      collect(label([], TAXONOMY, { gateway: gateway(), models: [{ id: 'x', model: m }, { id: 'x', model: m }] })),
    ).rejects.toThrow(/listed twice/);
  });
});
