import { describe, it, expect } from 'vitest';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { createScriptedChatModel } from '@taxonomist/testing';
import type { LabelAssignment } from '@taxonomist/core';
import { label, labelToFile } from '../src/index.js';
import type { LabelProgress } from '../src/index.js';
import { TAXONOMY, answerBy, collect, corpus, gateway, keywordLabel, labelingMessage, readLines, tempDir, textsOf } from './helpers.js';

const keyword = () => createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t)!) });
const sortById = (xs: LabelAssignment[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** A model whose answers come back in a scrambled order (small, deterministic per-text delays). */
function scrambled() {
  return createScriptedChatModel({
    responses: async (call) => {
      const texts = textsOf(labelingMessage(call));
      const n = Number(/#(\d+)/.exec(texts[0]!.text)?.[1] ?? 0);
      await new Promise((r) => setTimeout(r, (n * 7) % 5));
      return answerBy((t) => keywordLabel(t)!)(call);
    },
  });
}

describe('output file, ordering, resume', () => {
  it('ordered mode writes in input order and is byte-identical across runs; unordered has the same content', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const records = corpus(30);
      for (const name of ['a', 'b']) {
        await labelToFile(records, TAXONOMY, { gateway: gateway(), model: scrambled(), out: `${dir}/${name}.jsonl`, ordered: true, concurrency: 6, pack: 2 });
      }
      const a = await readFile(`${dir}/a.jsonl`, 'utf8');
      expect(await readFile(`${dir}/b.jsonl`, 'utf8')).toBe(a);
      expect((await readLines(`${dir}/a.jsonl`)).map((x) => x.id)).toEqual(records.map((r) => r.id));
      await labelToFile(records, TAXONOMY, { gateway: gateway(), model: scrambled(), out: `${dir}/c.jsonl`, concurrency: 6, pack: 2 });
      expect(sortById(await readLines(`${dir}/c.jsonl`))).toEqual(sortById(await readLines(`${dir}/a.jsonl`)));
    } finally {
      await cleanup();
    }
  });

  it('without ordered mode the file still ends in input order: byte-identical whatever the concurrency or interruptions', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const records = corpus(30);
      await labelToFile(records, TAXONOMY, { gateway: gateway(), model: scrambled(), out: `${dir}/ref.jsonl`, ordered: true, concurrency: 1 });
      const ref = await readFile(`${dir}/ref.jsonl`, 'utf8');
      // Written in completion order when asked to keep it: the scrambled model does reorder lines.
      const raw = await labelToFile(records, TAXONOMY, { gateway: gateway(), model: scrambled(), out: `${dir}/raw.jsonl`, concurrency: 6, sortOutput: false });
      expect(raw.out?.compacted).toBe(false);
      expect(await readFile(`${dir}/raw.jsonl`, 'utf8')).not.toBe(ref);
      for (const concurrency of [2, 7]) {
        await labelToFile(records, TAXONOMY, { gateway: gateway(), model: scrambled(), out: `${dir}/c${concurrency}.jsonl`, concurrency, pack: 2 });
        expect(await readFile(`${dir}/c${concurrency}.jsonl`, 'utf8')).toBe(ref);
      }
      // Interrupted after 11 lines (completion order, no compaction), then resumed with another concurrency.
      const out = `${dir}/resumed.jsonl`;
      const run = label(records, TAXONOMY, { gateway: gateway(), model: scrambled(), out, concurrency: 5 });
      let n = 0;
      for await (const _ of run) if (++n === 11) break;
      expect((await run.summary).status).toBe('aborted');
      expect(await readFile(out, 'utf8')).not.toBe(ref);
      await labelToFile(records, TAXONOMY, { gateway: gateway(), model: scrambled(), out, concurrency: 3 });
      expect(await readFile(out, 'utf8')).toBe(ref);
    } finally {
      await cleanup();
    }
  });

  it('resume skips ids already ok, retries failed ones, repairs a torn line and compacts to one line per id', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/labels.jsonl`;
      const records = corpus(6);
      const okLine = { id: 'r0', status: 'ok', label: 'card arrival', labelId: 'L1', model: 'earlier', taxonomyId: 't' };
      const failedLine = { id: 'r1', status: 'failed', error: { kind: 'rate_limit', message: '429' } };
      await writeFile(out, `${JSON.stringify(okLine)}\n${JSON.stringify(failedLine)}\n{"id":"r2","status":"o`);
      const model = keyword();
      const summary = await labelToFile(records, TAXONOMY, { gateway: gateway(), model, out, ordered: true });
      expect(summary.input).toMatchObject({ records: 6, alreadyOk: 1 });
      expect(summary).toMatchObject({ status: 'done', ok: 5, failed: 0 });
      expect(summary.out).toMatchObject({ lines: 6, ok: 6, failed: 0, compacted: true });
      expect(summary.out!.repairedBytes).toBeGreaterThan(0);
      expect(model.calls).toHaveLength(5); // r0 not asked again
      const lines = await readLines(out);
      expect(lines.map((l) => l.id)).toEqual(records.map((r) => r.id)); // input order after compaction
      expect(lines[0]).toEqual(okLine); // kept byte for byte
      expect(lines[1]).toMatchObject({ id: 'r1', status: 'ok', labelId: 'L2' });
      // Nothing left to do: a third run calls nothing and leaves the file as it is.
      const before = await readFile(out, 'utf8');
      const again = await labelToFile(records, TAXONOMY, { gateway: gateway(), model, out });
      expect(again).toMatchObject({ ok: 0, failed: 0, input: { alreadyOk: 6 } });
      expect(model.calls).toHaveLength(5);
      expect(await readFile(out, 'utf8')).toBe(before);
    } finally {
      await cleanup();
    }
  });

  it('a failed line followed by an ok line for the same id (killed before compaction) counts as done', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/labels.jsonl`;
      await writeFile(
        out,
        [
          { id: 'r0', status: 'failed', error: { kind: 'server', message: '500' } },
          { id: 'r0', status: 'ok', label: 'card arrival', labelId: 'L1' },
          { id: 'r1', status: 'failed', error: { kind: 'server', message: '500' } },
        ].map((x) => `${JSON.stringify(x)}\n`).join(''),
      );
      const model = keyword();
      const summary = await labelToFile(corpus(2), TAXONOMY, { gateway: gateway(), model, out });
      expect(model.calls).toHaveLength(1);
      const lines = await readLines(out);
      expect(lines.map((l) => [l.id, l.status])).toEqual([['r0', 'ok'], ['r1', 'ok']]);
      expect(summary.out).toMatchObject({ lines: 2, compacted: true });
    } finally {
      await cleanup();
    }
  });

  it('overwrite starts over', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/labels.jsonl`;
      await writeFile(out, `${JSON.stringify({ id: 'r0', status: 'ok', label: 'x' })}\n`);
      await labelToFile(corpus(2), TAXONOMY, { gateway: gateway(), model: keyword(), out, overwrite: true });
      expect((await readLines(out)).map((l) => l.labelId).sort()).toEqual(['L1', 'L2']);
    } finally {
      await cleanup();
    }
  });
});

describe('budget', () => {
  it('stops cleanly when the next call would exceed the cap, then a resume finishes the job', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/labels.jsonl`;
      const records = corpus(10);
      // 1000 USD per 1M tokens: about 0.3 USD per call of ~300 tokens.
      const prices = { 'scripted:scripted-model': { input: 1000, output: 1000 } };
      const first = await labelToFile(records, TAXONOMY, { gateway: gateway({ prices }), model: keyword(), out, budget: 1.5, concurrency: 1 });
      expect(first.status).toBe('stopped');
      expect(first.stopReason).toBe('budget');
      expect(first.ok).toBeGreaterThan(0);
      expect(first.ok).toBeLessThan(10);
      expect(first.failed).toBe(0);
      expect(first.notAttempted).toBe(10 - first.ok);
      expect(first.usage.costUsd).toBeLessThanOrEqual(1.5);
      const lines = await readLines(out);
      expect(lines).toHaveLength(first.ok); // records not attempted are NOT written as failed
      expect(lines.every((l) => l.status === 'ok')).toBe(true);

      const second = await labelToFile(records, TAXONOMY, { gateway: gateway({ prices }), model: keyword(), out, budget: 100 });
      expect(second).toMatchObject({ status: 'done', ok: 10 - first.ok, notAttempted: 0, input: { alreadyOk: first.ok } });
      const all = await readLines(out);
      expect(sortById(all).map((l) => l.id)).toEqual(sortById(records.map((r) => ({ id: r.id }) as LabelAssignment)).map((r) => r.id));
    } finally {
      await cleanup();
    }
  });

  it('failed calls spend too: their answered attempts count in usage and against the budget', async () => {
    // A model that never answers within the taxonomy: every call fails (out_of_taxonomy) after one re-ask.
    const hopeless = () => createScriptedChatModel({ responses: answerBy(() => 'HACKED'), usage: { inputTokens: 300, outputTokens: 10 } });
    const prices = { 'scripted:scripted-model': { input: 1000, output: 1000 } };
    const perCall = (2 * (300 + 10) * 1000) / 1e6; // two answered attempts per failed call: 0.62 USD

    const { dir, cleanup } = await tempDir();
    try {
      const gw = gateway({ prices });
      const unbounded = await labelToFile(corpus(4), TAXONOMY, { gateway: gw, model: hopeless(), out: `${dir}/x.jsonl`, maxRepairs: 1, concurrency: 1 });
      expect(unbounded).toMatchObject({ failed: 4, failedByKind: { out_of_taxonomy: 4 } });
      expect(unbounded.usage).toMatchObject({ calls: 0, failedCalls: 4, inputTokens: 4 * 600, outputTokens: 4 * 20 });
      expect(unbounded.usage.costUsd).toBeCloseTo(4 * perCall, 9);
      // The run's figures agree with the gateway's ledger, which is authoritative.
      expect(gw.usage().total).toMatchObject({ failedCalls: 4, inputTokens: 4 * 600, outputTokens: 4 * 20 });
      expect(unbounded.usage.costUsd).toBeCloseTo(gw.usage().total.costUsd, 9);

      // With a budget of 2 USD the run must stop: failed calls are not free.
      const capped = await labelToFile(corpus(10), TAXONOMY, {
        gateway: gateway({ prices }),
        model: hopeless(),
        out: `${dir}/y.jsonl`,
        maxRepairs: 1,
        concurrency: 1,
        budget: 2,
      });
      expect(capped).toMatchObject({ status: 'stopped', stopReason: 'budget', ok: 0 });
      expect(capped.failed).toBeGreaterThan(0);
      expect(capped.failed).toBeLessThan(10);
      expect(capped.notAttempted).toBe(10 - capped.failed);
      expect(capped.usage.costUsd).toBeCloseTo(capped.failed * perCall, 9);
    } finally {
      await cleanup();
    }
  });

  it("the gateway's budget (shared with induction) stops labeling the same way: records not attempted, never overspent", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/labels.jsonl`;
      const records = corpus(10);
      const prices = { 'scripted:scripted-model': { input: 1000, output: 1000 } };
      const gw = gateway({ prices, budget: 1.5 });
      // No `budget` option: only the gateway's cap applies; concurrency 4 so several packs race for the last dollars.
      const first = await labelToFile(records, TAXONOMY, { gateway: gw, model: keyword(), out, concurrency: 4 });
      expect(first).toMatchObject({ status: 'stopped', stopReason: 'budget', failed: 0 });
      expect(first.ok).toBeGreaterThan(0);
      expect(first.ok + first.notAttempted).toBe(10);
      expect(gw.budget!()!.spentUsd).toBeLessThanOrEqual(1.5);
      expect(first.usage.costUsd).toBeCloseTo(gw.budget!()!.spentUsd, 9);
      expect(await readLines(out)).toHaveLength(first.ok);
    } finally {
      await cleanup();
    }
  });

  it('refuses a budget when the model has no price', async () => {
    await expect(collect(label(corpus(1), TAXONOMY, { gateway: gateway(), model: keyword(), budget: 1 }))).rejects.toThrow(/no price for model "scripted:scripted-model"/);
  });
});

describe('stopping early', () => {
  it('breaking out of the loop aborts: nothing in flight is written as failed, a resume completes', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/labels.jsonl`;
      const records = corpus(20);
      const run = label(records, TAXONOMY, { gateway: gateway(), model: scrambled(), out, concurrency: 3 });
      let seen = 0;
      for await (const _ of run) if (++seen === 4) break;
      const summary = await run.summary;
      expect(summary.status).toBe('aborted');
      expect(summary.stopReason).toBe('consumer');
      // The whole corpus is accounted for, not only the records read before the stop.
      expect(summary.input.records).toBe(20);
      expect(summary.ok + summary.failed + summary.notAttempted).toBe(20);
      const lines = await readLines(out);
      expect(lines.length).toBe(summary.ok + summary.failed);
      expect(lines.every((l) => l.status === 'ok')).toBe(true);
      const rest = await labelToFile(records, TAXONOMY, { gateway: gateway(), model: keyword(), out });
      expect(rest.ok).toBe(20 - lines.length);
      const all = await readLines(out);
      expect(new Set(all.map((l) => l.id)).size).toBe(20);
      expect(all).toHaveLength(20);
    } finally {
      await cleanup();
    }
  });

  it('an abort signal stops the run; progress callbacks and hooks see every record', async () => {
    const controller = new AbortController();
    const progress: LabelProgress[] = [];
    const events: { name: string; payload: unknown }[] = [];
    const host = {
      emit: async (name: string, payload: unknown) => {
        events.push({ name, payload });
      },
    };
    const run = label(corpus(30), TAXONOMY, {
      gateway: gateway(),
      model: scrambled(),
      concurrency: 2,
      signal: controller.signal,
      host,
      onProgress: (p) => {
        progress.push(p);
        if (p.done === 5) controller.abort();
      },
    });
    const out = await collect(run);
    const summary = await run.summary;
    expect(summary).toMatchObject({ status: 'aborted', stopReason: 'signal' });
    expect(out.length).toBeGreaterThanOrEqual(5);
    expect(out.length).toBeLessThan(30);
    // ok + failed + not attempted = every record of the corpus (issue 9: it said "ok 6, not attempted 6" for 847).
    expect(summary.input.records).toBe(30);
    expect(summary.ok + summary.failed + summary.notAttempted).toBe(30);
    expect(summary.ok).toBe(out.length);
    expect(events.filter((e) => e.name === 'label:record')).toHaveLength(out.length);
    expect(events.filter((e) => e.name === 'label:done')).toHaveLength(1);
    expect(progress.at(-1)).toMatchObject({ done: out.length, ok: out.length });
  });
});

describe('stopping early from a corpus file', () => {
  it('an abort signal counts the unread rest of the file as not attempted; a resume labels exactly those', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const corpusPath = `${dir}/corpus.jsonl`;
      const out = `${dir}/labels.jsonl`;
      await writeFile(corpusPath, corpus(200).map((r) => `${JSON.stringify(r)}\n`).join(''));
      const controller = new AbortController();
      const first = await labelToFile(corpusPath, TAXONOMY, {
        gateway: gateway(),
        model: scrambled(),
        out,
        concurrency: 2,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done === 6) controller.abort();
        },
      });
      expect(first).toMatchObject({ status: 'aborted', stopReason: 'signal' });
      expect(first.input.records).toBe(200);
      expect(first.ok + first.failed + first.notAttempted).toBe(200);
      expect(first.notAttempted).toBeGreaterThan(150);
      const second = await labelToFile(corpusPath, TAXONOMY, { gateway: gateway(), model: keyword(), out });
      expect(second).toMatchObject({ status: 'done', notAttempted: 0, input: { records: 200, alreadyOk: first.ok } });
      expect(second.ok).toBe(first.notAttempted + first.failed);
      const lines = await readLines(out);
      expect(lines).toHaveLength(200);
      expect(new Set(lines.map((l) => l.id)).size).toBe(200);
    } finally {
      await cleanup();
    }
  });
});

describe('iteration', () => {
  it('run.abort() stops an ordered run; what was written stays consistent', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/l.jsonl`;
      const run = label(corpus(40), TAXONOMY, { gateway: gateway(), model: scrambled(), out, ordered: true, concurrency: 4 });
      const got: string[] = [];
      for await (const a of run) {
        got.push(a.id);
        if (got.length === 6) run.abort();
      }
      const s = await run.summary;
      expect(s).toMatchObject({ status: 'aborted', stopReason: 'consumer' });
      expect(got.slice(0, 6)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
      expect((await readLines(out)).map((l) => l.id)).toEqual(got);
      expect(s.ok + s.notAttempted).toBe(s.input.records);
      expect(s.input.records).toBe(40);
    } finally {
      await cleanup();
    }
  });

  it('a run can be iterated once', async () => {
    const run = label(corpus(1), TAXONOMY, { gateway: gateway(), model: keyword() });
    await collect(run);
    expect(() => run[Symbol.asyncIterator]()).toThrow(/only once/);
  });
  it('appends to a file opened by an earlier run without touching its lines', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/l.jsonl`;
      await labelToFile(corpus(2), TAXONOMY, { gateway: gateway(), model: keyword(), out });
      await appendFile(out, '');
      const s = await labelToFile(corpus(4), TAXONOMY, { gateway: gateway(), model: keyword(), out });
      expect(s).toMatchObject({ ok: 2, input: { alreadyOk: 2 }, out: { lines: 4, compacted: false } });
    } finally {
      await cleanup();
    }
  });
});

describe('corpus files', () => {
  it('reads a JSONL corpus through readCorpus: an empty text gets a failed input line, unusable lines are reported', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const path = `${dir}/corpus.jsonl`;
      await writeFile(
        path,
        [
          '{"id":"a","text":"card will arrive"}',
          '{"id":"b","text":""}',
          'not json',
          '{"id":"a","text":"duplicate"}',
          '{"id":"c","text":"refund me"}',
          '{"body":"no text field"}',
          '{"text":"   "}',
          '',
        ].join('\n'),
      );
      const out = `${dir}/labels.jsonl`;
      const run = label(path, TAXONOMY, { gateway: gateway(), model: keyword(), out, ordered: true });
      const got = await collect(run);
      const s = await run.summary;
      const blankId = got[3]!.id;
      expect(got.map((a) => [a.id, a.status, a.labelId ?? a.error?.kind])).toEqual([
        ['a', 'ok', 'L1'],
        ['b', 'failed', 'input'],
        ['c', 'ok', 'L4'],
        [blankId, 'failed', 'input'],
      ]);
      expect(blankId).toMatch(/^r[0-9a-f]{16}$/); // the reader's generated id
      // The failed line names the file and line the record came from.
      expect(got[1]!.error!.message).toBe(`${path}:2: field "text": empty`);
      expect(got[3]!.error!.message).toBe(`${path}:7: field "text": only whitespace`);
      // One line per record in the file, none for lines without a usable record.
      expect((await readLines(out)).map((a) => a.id)).toEqual(['a', 'b', 'c', blankId]);
      expect(s).toMatchObject({ ok: 2, failed: 2, failedByKind: { input: 2 }, out: { lines: 4, ok: 2, failed: 2 } });
      expect(s.input).toEqual({
        records: 4,
        alreadyOk: 0,
        duplicateIds: 0,
        issues: 3,
        issuesByKind: { malformed: 1, duplicate_id: 1, missing_field: 1 },
        issueExamples: [
          expect.stringContaining('corpus.jsonl:3: invalid JSON'),
          expect.stringContaining('corpus.jsonl:4: field "id": duplicate id "a"'),
          expect.stringContaining('corpus.jsonl:6: field "text": missing'),
        ],
      });
      expect(s.input.records).toBe(s.input.alreadyOk + s.input.duplicateIds + s.ok + s.failed + s.notAttempted);

      // A resumed run retries the failed input lines (still failed) and keeps one line per record.
      const again = await labelToFile(path, TAXONOMY, { gateway: gateway(), model: keyword(), out });
      expect(again).toMatchObject({ ok: 0, failed: 2, input: { records: 4, alreadyOk: 2, issues: 3 }, out: { lines: 4, compacted: true } });
    } finally {
      await cleanup();
    }
  });

  it('corpusOptions.keepEmptyTexts: false skips empty texts as reader issues (the caller opted out)', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const path = `${dir}/corpus.jsonl`;
      await writeFile(path, '{"id":"a","text":"card will arrive"}\n{"id":"b","text":""}\n');
      const seen: string[] = [];
      const run = label(path, TAXONOMY, { gateway: gateway(), model: keyword(), corpusOptions: { keepEmptyTexts: false, onIssue: (i) => seen.push(i.kind) } });
      expect((await collect(run)).map((a) => a.id)).toEqual(['a']);
      expect((await run.summary).input).toMatchObject({ records: 1, issues: 1, issuesByKind: { empty_text: 1 } });
      expect(seen).toEqual(['empty_text']);
    } finally {
      await cleanup();
    }
  });
});
