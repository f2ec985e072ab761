import { describe, it, expect } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { createScriptedChatModel } from '@taxonomist/testing';
import { classificationReport, createPluginHost, definePlugin } from '@taxonomist/core';
import { agreement, coverage, estimate, label, labelToFile, NONE_LABEL } from '../src/index.js';
import { TAXONOMY, answerBy, collect, corpus, gateway, keywordLabel, tempDir } from './helpers.js';

const prices = { 'scripted:scripted-model': { input: 0.15, output: 0.6 } };

describe('estimate()', () => {
  for (const pack of [1, 5]) {
    it(`predicts calls exactly and tokens closely, before any call (pack ${pack})`, async () => {
      const records = corpus(23);
      const model = createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t)!) });
      const g = gateway({ prices });
      const est = await estimate(records, TAXONOMY, { gateway: g, model, pack, rationale: false });
      expect(model.calls).toHaveLength(0);
      const tmp = await tempDir();
      const summary = await labelToFile(records, TAXONOMY, { gateway: g, model, pack, out: `${tmp.dir}/x.jsonl` }).finally(() => tmp.cleanup());
      expect(est.records).toBe(23);
      expect(est.calls).toBe(summary.usage.calls);
      // The scripted model counts the prompt with tiktoken but not the tool schema; the estimate includes the schema
      // (providers bill it), so it may be above the scripted count but not by much.
      const ratio = est.inputTokens / summary.usage.inputTokens;
      expect(ratio).toBeGreaterThan(0.98);
      expect(ratio).toBeLessThan(1.2);
      expect(est.outputTokens / summary.usage.outputTokens).toBeGreaterThan(0.8);
      expect(est.outputTokens / summary.usage.outputTokens).toBeLessThan(1.25);
      expect(est.costUsd).toBeCloseTo((est.inputTokens * 0.15 + est.outputTokens * 0.6) / 1e6, 12);
    });
  }

  it('reads a corpus file as a run does: an empty text is bad input, an unusable line is not a record', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const path = `${dir}/c.jsonl`;
      await writeFile(path, '{"id":"a","text":"card will arrive"}\n{"id":"b","text":""}\nnot json\n{"id":"c","text":"refund"}\n');
      const model = createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t)!) });
      const est = await estimate(path, TAXONOMY, { gateway: gateway({ prices }), model });
      expect(est).toMatchObject({ records: 2, badInput: 1, calls: 2 });
      const s = await labelToFile(path, TAXONOMY, { gateway: gateway({ prices }), model, out: `${dir}/l.jsonl` });
      expect(s).toMatchObject({ ok: est.records, failedByKind: { input: est.badInput }, input: { issues: 1 } });
      expect(s.usage.calls).toBe(est.calls);
    } finally {
      await cleanup();
    }
  });

  it('packing cuts the estimated prompt tokens per record; samples and models multiply calls', async () => {
    const model = createScriptedChatModel({});
    const records = corpus(40);
    const one = await estimate(records, TAXONOMY, { gateway: gateway({ prices }), model, pack: 1 });
    const ten = await estimate(records, TAXONOMY, { gateway: gateway({ prices }), model, pack: 10 });
    expect(ten.calls).toBe(4);
    expect(ten.inputTokens).toBeLessThan(one.inputTokens / 3);
    const sc = await estimate(records, TAXONOMY, { gateway: gateway({ prices }), model, confidence: 'self-consistency', samples: 3 });
    expect(sc.calls).toBe(120);
    const ens = await estimate(records, TAXONOMY, { gateway: gateway({ prices }), models: [{ id: 'a', model }, { id: 'b', model }] });
    expect(ens.calls).toBe(80);
    expect(ens.perModel.map((m) => m.model)).toEqual(['a', 'b']);
  });

  it('skips ids already ok in the output file and counts bad input and truncation', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/l.jsonl`;
      await writeFile(out, `${JSON.stringify({ id: 'r0', status: 'ok', label: 'card arrival' })}\n`);
      const est = await estimate([...corpus(3), { id: 'e', text: '' }, { id: 'long', text: 'word '.repeat(3000) }], TAXONOMY, {
        gateway: gateway({ prices }),
        model: createScriptedChatModel({}),
        out,
        maxTextTokens: 100,
      });
      expect(est).toMatchObject({ records: 3, alreadyOk: 1, badInput: 1, truncated: 1, calls: 3 });
    } finally {
      await cleanup();
    }
  });
});

describe('agreement() and coverage()', () => {
  it('joins by id, wraps classificationReport, and counts what could not be compared', async () => {
    const gold = [
      { id: '1', label: 'a' },
      { id: '2', label: 'a' },
      { id: '3', label: 'b' },
      { id: '4', label: 'b' },
      { id: '5', label: 'c' },
      { id: '6', label: 'c' },
    ];
    const pred = [
      { id: '1', status: 'ok' as const, label: 'a' },
      { id: '2', status: 'ok' as const, label: 'b' },
      { id: '3', status: 'ok' as const, label: 'b' },
      { id: '4', status: 'failed' as const },
      { id: '5', status: 'ok' as const, none: true },
      { id: '7', status: 'ok' as const, label: 'a' },
    ];
    const r = await agreement(gold, pred);
    expect(r).toMatchObject({ compared: 4, onlyInA: 1, onlyInB: 1, unlabeledInA: 0, unlabeledInB: 1 });
    expect(r.report).toEqual(classificationReport(['a', 'a', 'b', 'c'], ['a', 'b', 'b', NONE_LABEL]));
    expect(r.report.accuracy).toBe(0.5);
    const excluded = await agreement(gold, pred, { none: 'exclude' });
    expect(excluded).toMatchObject({ compared: 3, unlabeledInB: 2 });
  });

  it('reads label files and rejects duplicate ids with the file named', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(`${dir}/a.jsonl`, '{"id":"1","label":"x"}\n{"id":"1","label":"y"}\n');
      await expect(agreement(`${dir}/a.jsonl`, [])).rejects.toThrow(`${dir}/a.jsonl: record #2: duplicate id "1"`);
    } finally {
      await cleanup();
    }
  });

  it('coverage: share of ok answers that are not "none of these"', async () => {
    const c = await coverage([
      { id: '1', status: 'ok', label: 'a' },
      { id: '2', status: 'ok', label: 'a' },
      { id: '3', status: 'ok', label: 'b' },
      { id: '4', status: 'ok', none: true },
      { id: '5', status: 'failed' },
    ]);
    expect(c).toMatchObject({ records: 5, ok: 4, failed: 1, none: 1, coverage: 0.75 });
    expect(c.byLabel).toEqual([
      { label: 'a', count: 2, share: 2 / 3 },
      { label: 'b', count: 1, share: 1 / 3 },
    ]);
  });

  it('end to end: labels vs gold', async () => {
    const records = corpus(8).map((r) => ({ ...r, label: TAXONOMY.labels.find((l) => l.id === keywordLabel(r.text))!.name }));
    const model = createScriptedChatModel({ responses: answerBy((t) => (t.includes('refund') ? 'L1' : keywordLabel(t)!)) });
    const labels = await collect(label(records, TAXONOMY, { gateway: gateway(), model }));
    const r = await agreement(records, labels);
    expect(r.compared).toBe(8);
    expect(r.report.accuracy).toBe(0.75);
    expect(r.report.topConfusions[0]).toEqual({ gold: 'refund request', predicted: 'card arrival', count: 2 });
  });
});

describe('plugin host hooks', () => {
  it('a plugin receives typed label:record and label:done events', async () => {
    const ids: string[] = [];
    let done = 0;
    const host = createPluginHost([
      definePlugin({
        name: 'watch',
        hooks: {
          'label:record': ({ assignment }) => {
            ids.push(assignment.id);
          },
          'label:done': (s) => {
            done = s.ok;
          },
        },
      }),
    ]);
    await host.ready();
    const model = createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t)!) });
    await collect(label(corpus(3), TAXONOMY, { gateway: gateway(), model, host }));
    expect(ids.sort()).toEqual(['r0', 'r1', 'r2']);
    expect(done).toBe(3);
  });
});
