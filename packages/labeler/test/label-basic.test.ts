import { describe, it, expect } from 'vitest';
import { createScriptedChatModel } from '@taxonomist/testing';
import { LabelAssignmentSchema, normalizeTaxonomy, parseTaxonomyJson, taxonomyId, taxonomyToJson } from '@taxonomist/core';
import { label, labelToFile, LabelSummarySchema } from '../src/index.js';
import { TAXONOMY, answerBy, collect, corpus, gateway, keywordLabel, labelingMessage, readLines, tempDir, textsOf } from './helpers.js';

describe('label(): one model', () => {
  it('labels every record with a name and id from the taxonomy and reports counts', async () => {
    const model = createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t)!) });
    const records = corpus(12);
    const run = label(records, TAXONOMY, { gateway: gateway(), model });
    const out = await collect(run);
    const summary = await run.summary;
    expect(out).toHaveLength(12);
    expect(new Set(out.map((a) => a.id))).toEqual(new Set(records.map((r) => r.id)));
    for (const a of out) {
      expect(LabelAssignmentSchema.safeParse(a).success).toBe(true);
      const r = records.find((x) => x.id === a.id)!;
      const id = keywordLabel(r.text)!;
      expect(a).toMatchObject({ status: 'ok', labelId: id, label: TAXONOMY.labels.find((l) => l.id === id)!.name });
      expect(a.mapped).toBeUndefined();
    }
    expect(LabelSummarySchema.parse(summary)).toMatchObject({ status: 'done', ok: 12, failed: 0, notAttempted: 0 });
    expect(summary.usage.calls).toBe(12);
    expect(model.calls).toHaveLength(12);
    // The static part (instructions + taxonomy) comes first and is the same for every call; the text comes last.
    const systems = new Set(model.calls.map((c) => c.messages[0]!.content));
    expect(systems.size).toBe(1);
    expect([...systems][0]).toContain('L3: lost or stolen card');
    expect(model.calls[0]!.messages.at(-1)!.content.endsWith(JSON.stringify({ text: records.find((r) => model.calls[0]!.messages.at(-1)!.content.includes(r.text))!.text }))).toBe(true);
  });

  it('maps near misses (flagged) and fails answers outside the taxonomy with the raw answer kept', async () => {
    const model = createScriptedChatModel({
      responses: answerBy((t) => {
        if (t.includes('arrive')) return 'Card Arrival';
        if (t.includes('rate')) return 'l2';
        if (t.includes('lost')) return 'L3';
        return 'HACKED';
      }),
    });
    const records = corpus(4);
    const run = label(records, TAXONOMY, { gateway: gateway(), model, maxRepairs: 1 });
    const out = await collect(run);
    const byId = new Map(out.map((a) => [a.id, a]));
    expect(byId.get('r0')).toMatchObject({ status: 'ok', labelId: 'L1', mapped: [{ from: 'Card Arrival', to: 'L1' }] });
    expect(byId.get('r1')).toMatchObject({ status: 'ok', labelId: 'L2', mapped: [{ from: 'l2', to: 'L2' }] });
    expect(byId.get('r2')).toMatchObject({ status: 'ok', labelId: 'L3' });
    expect(byId.get('r2')!.mapped).toBeUndefined();
    const bad = byId.get('r3')!;
    expect(bad).toMatchObject({ status: 'failed', error: { kind: 'out_of_taxonomy' } });
    expect(bad.error!.raw).toContain('HACKED');
    expect(bad.label).toBeUndefined();
    const summary = await run.summary;
    expect(summary).toMatchObject({ ok: 3, failed: 1, mapped: 2, failedByKind: { out_of_taxonomy: 1 } });
    // The bad answer was re-asked once (maxRepairs 1) with the allowed ids in the repair message.
    const calls = model.calls.filter((c) => c.messages.some((m) => m.content.includes('#3)')));
    expect(calls).toHaveLength(2);
    expect(calls[1]!.messages.at(-1)!.content).toContain('L1, L2, L3, L4');
  });

  it('turns bad input records into failed "input" lines without calling the model', async () => {
    const model = createScriptedChatModel({ responses: answerBy(() => 'L1') });
    const records = [
      { id: 'a', text: 'When will it arrive' },
      { id: 'b', text: '   ' },
      { id: 'c', text: 42 as unknown as string },
      { id: 'a', text: 'duplicate id' },
    ];
    const run = label(records, TAXONOMY, { gateway: gateway(), model });
    const out = await collect(run);
    expect(out.map((a) => [a.id, a.status, a.error?.kind])).toEqual([
      ['b', 'failed', 'input'],
      ['c', 'failed', 'input'],
      ['a', 'ok', undefined],
    ]);
    expect(out.find((a) => a.id === 'c')!.error!.message).toContain('field "text": expected a string, got number');
    const summary = await run.summary;
    expect(summary.input).toMatchObject({ records: 4, duplicateIds: 1 });
    expect(summary).toMatchObject({ ok: 1, failed: 2, failedByKind: { input: 2 } });
    expect(model.calls).toHaveLength(1);
  });

  it('every line carries the taxonomy id core gives the taxonomy (the one taxonomy.json and models carry)', async () => {
    const model = () => createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t)!) });
    const records = [...corpus(2), { id: 'empty', text: '' }];
    // Without an id (built in memory): core's content id, i.e. what taxonomyToJson would write.
    const run = label(records, TAXONOMY, { gateway: gateway(), model: model() });
    const lines = await collect(run);
    const expected = normalizeTaxonomy(TAXONOMY).id!;
    expect(expected).toBe(taxonomyId(TAXONOMY));
    expect(lines.map((a) => a.taxonomyId)).toEqual([expected, expected, expected]);
    expect((await run.summary).taxonomyId).toBe(expected);
    // Read back from taxonomy.json: the same id.
    const fromJson = parseTaxonomyJson(taxonomyToJson(TAXONOMY));
    const again = await collect(label(records, fromJson, { gateway: gateway(), model: model() }));
    expect(new Set(again.map((a) => a.taxonomyId))).toEqual(new Set([expected]));
    // A taxonomy that states its id keeps it (it is the id its file and models were written with).
    const stated = await collect(label(records.slice(0, 1), { ...TAXONOMY, id: 'tax-given' }, { gateway: gateway(), model: model() }));
    expect(stated[0]!.taxonomyId).toBe('tax-given');
  });

  it('rejects records without an id with an error naming the record', async () => {
    const run = label([{ id: 'ok', text: 'x' }, { text: 'no id' } as never], TAXONOMY, {
      gateway: gateway(),
      model: createScriptedChatModel({ responses: answerBy(() => 'L1') }),
    });
    await expect(collect(run)).rejects.toThrow('corpus record #1: field "id": expected a non-empty string, got undefined');
    await expect(run.summary).rejects.toThrow(/corpus record #1/);
  });

  it('truncates long texts by tokens with a marker and records it', async () => {
    const model = createScriptedChatModel({ responses: answerBy(() => 'L4') });
    const long = `refund ${'please give my money back '.repeat(200)}`;
    const out = await collect(label([{ id: 'long', text: long }, { id: 'short', text: 'refund' }], TAXONOMY, {
      gateway: gateway(),
      model,
      maxTextTokens: 50,
      truncationMarker: ' [cut]',
    }));
    const a = out.find((x) => x.id === 'long')!;
    expect(a.truncated!.keptTokens).toBeLessThanOrEqual(50);
    expect(a.truncated!.originalTokens).toBeGreaterThan(1000);
    expect(out.find((x) => x.id === 'short')!.truncated).toBeUndefined();
    const sent = model.calls.map((c) => textsOf(c.messages.at(-1)!.content)[0]!.text).find((t) => t.startsWith('refund please'))!;
    expect(sent.endsWith(' [cut]')).toBe(true);
    expect(sent.length).toBeLessThan(400);
  });

  it('multi and both modes, rationale and "none of these"', async () => {
    const model = createScriptedChatModel({
      responses: (call) => {
        const t = textsOf(labelingMessage(call))[0]!.text;
        if (t.includes('weather')) return { rationale: 'not banking', label: 'none', labels: ['none'] };
        return { rationale: 'card and refund', label: 'L4', labels: ['L1', 'L4'] };
      },
    });
    const out = await collect(label([{ id: 'x', text: 'refund my card' }, { id: 'y', text: 'nice weather' }], TAXONOMY, {
      gateway: gateway(),
      model,
      mode: 'both',
      rationale: true,
      allowNone: true,
      ordered: true,
    }));
    expect(out[0]).toEqual({
      id: 'x',
      status: 'ok',
      label: 'refund request',
      labelId: 'L4',
      labels: ['refund request', 'card arrival'],
      labelIds: ['L4', 'L1'],
      rationale: 'card and refund',
      model: 'scripted:scripted-model',
      taxonomyId: out[0]!.taxonomyId,
    });
    expect(out[1]).toMatchObject({ id: 'y', status: 'ok', none: true, rationale: 'not banking' });
    expect(out[1]!.label).toBeUndefined();
    expect(LabelAssignmentSchema.safeParse(out[1]).success).toBe(true);
    const schema = model.calls[0]!.schema as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(['rationale', 'label', 'labels']);
  });

  it('labelToFile writes one line per record and returns the summary', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/labels.jsonl`;
      const summary = await labelToFile(corpus(7), TAXONOMY, {
        gateway: gateway(),
        model: createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t)!) }),
        out,
        concurrency: 3,
      });
      const lines = await readLines(out);
      expect(lines).toHaveLength(7);
      expect(summary.out).toMatchObject({ path: out, lines: 7, ok: 7, failed: 0, compacted: false });
    } finally {
      await cleanup();
    }
  });
});
