/**
 * Batch labeling end to end: the labeler builds batch requests, the OpenAI plugin uploads them to the local server's
 * files + batches endpoints, and results are collected into labels.jsonl. Checks the same one-line-per-record
 * contract as online labeling (byte-identical output for the same answers), resumability (abort after submit, a
 * re-collect after a kill between writing lines and recording it), nothing submitted twice, and batch faults.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, createPluginHost, type Gateway, type PriceTable } from '@taxonomist/core';
import { faultAnswer, startOpenAIServer, type ChatRequestInfo, type OpenAIServer, type OpenAIServerOptions } from '@taxonomist/testing';
import { createOpenAIBatchClient, openaiPlugin, resolveOpenAISettings } from '@taxonomist/openai';
import { labelBatchToFile, labelToFile, readBatchState, batchStatePath, type BatchLabelOptions } from '@taxonomist/labeler';
import { TAXONOMY, corpus, keywordLabel, readLines, textsOf } from '../packages/labeler/test/helpers.js';

const MODEL = 'openai:gpt-4o-mini';
const KEY = 'sk-batch-test-key-0123456789';

function script(request: ChatRequestInfo): object {
  const texts = textsOf(request.messages.find((m) => m.role === 'user' && /Texts? to label/.test(m.content))!.content);
  if (texts.length === 1 && texts[0]!.key === undefined) return { label: keywordLabel(texts[0]!.text)! };
  return { answers: texts.map((t) => ({ id: t.key!, label: keywordLabel(t.text)! })) };
}

let server: OpenAIServer;
let dir: string;

async function start(options: OpenAIServerOptions = {}): Promise<void> {
  await server?.close();
  server = await startOpenAIServer({ script, batchPollsPerStep: 0, apiKey: KEY, ...options });
}

async function makeGateway(prices?: PriceTable): Promise<Gateway> {
  const host = createPluginHost([openaiPlugin({ apiKey: KEY, baseURL: server.url })]);
  await host.ready();
  return createGateway({ resolver: host, retry: { baseDelayMs: 1, maxDelayMs: 2, jitter: false }, ...(prices ? { prices } : {}) });
}

async function writeCorpus(n: number, name = 'corpus.jsonl'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, corpus(n).map((r) => `${JSON.stringify(r)}\n`).join(''));
  return path;
}

async function batchOptions(out: string, extra: Partial<BatchLabelOptions> = {}): Promise<BatchLabelOptions> {
  return { gateway: extra.gateway ?? (await makeGateway()), model: MODEL, out, pack: 3, pollIntervalMs: 0, sleep: async () => undefined, ...extra };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labeler-batch-'));
  await start();
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('labelBatchToFile against the local OpenAI server', () => {
  it('labels every record through one batch, byte-identical to online labeling with the same answers', async () => {
    const corpusPath = await writeCorpus(10);
    const out = join(dir, 'batch.jsonl');
    const summary = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out));
    expect(summary).toMatchObject({ status: 'done', ok: 10, failed: 0, notAttempted: 0, out: { lines: 10, ok: 10, compacted: true } });
    expect(summary.batch).toMatchObject({ batches: 1, submittedBatches: 1, submittedRecords: 10, pending: 0, priceFactor: 0.5 });
    expect(server.batches).toHaveLength(1);
    expect(server.batches[0]!.customIds).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(server.count('chat')).toBe(0);

    const online = join(dir, 'online.jsonl');
    await labelToFile(corpusPath, TAXONOMY, { gateway: await makeGateway(), model: MODEL, out: online, pack: 3 });
    expect(await readFile(out, 'utf8')).toBe(await readFile(online, 'utf8'));
    const lines = await readLines(out);
    expect(lines.map((l) => l.id)).toEqual(corpus(10).map((r) => r.id));
    expect(lines.every((l) => l.labelId === keywordLabel(corpus(10).find((r) => r.id === l.id)!.text))).toBe(true);
    // The usage is the batch's, at the batch price.
    expect(summary.usage.calls).toBe(4);
    expect(summary.usage.inputTokens).toBeGreaterThan(0);
  });

  it('sends the same messages and schema as the online chat calls', async () => {
    const corpusPath = await writeCorpus(4);
    await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(join(dir, 'b.jsonl'), { pack: 2 }));
    // Capture what the batch lines asked by running them through the script recorder.
    const asked: unknown[] = [];
    await start({ script: (r) => (asked.push({ messages: r.body.messages, response_format: r.body.response_format, temperature: r.body.temperature }), script(r)) });
    await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(join(dir, 'b2.jsonl'), { pack: 2 }));
    const online: unknown[] = [];
    await start({ script: (r) => (online.push({ messages: r.body.messages, response_format: r.body.response_format, temperature: r.body.temperature }), script(r)) });
    await labelToFile(corpusPath, TAXONOMY, { gateway: await makeGateway(), model: MODEL, out: join(dir, 'o.jsonl'), pack: 2, concurrency: 1 });
    expect(asked).toHaveLength(2);
    expect(asked).toEqual(online);
  });

  it('a re-run after everything was collected submits nothing and leaves the file as it is', async () => {
    const corpusPath = await writeCorpus(7);
    const out = join(dir, 'labels.jsonl');
    await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out));
    const before = await readFile(out, 'utf8');
    const again = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out));
    expect(again).toMatchObject({ status: 'done', ok: 0, failed: 0, input: { records: 7, alreadyOk: 7 } });
    expect(again.batch.submittedBatches).toBe(0);
    expect(server.batches).toHaveLength(1);
    expect(await readFile(out, 'utf8')).toBe(before);
  });

  it('aborted right after submit: the batch id is on disk, the re-run attaches to it and submits nothing again', async () => {
    const corpusPath = await writeCorpus(9);
    const out = join(dir, 'labels.jsonl');
    const controller = new AbortController();
    const first = await labelBatchToFile(
      corpusPath,
      TAXONOMY,
      await batchOptions(out, { signal: controller.signal, onBatchEvent: (e) => e.type === 'submitted' && controller.abort() }),
    );
    expect(first).toMatchObject({ status: 'aborted', stopReason: 'signal', ok: 0 });
    expect(first.batch).toMatchObject({ submittedRecords: 9, pending: 9 });
    const state = await readBatchState(batchStatePath(out));
    expect(state!.batches.map((b) => [b.id, b.collected])).toEqual([['batch_1', false]]);

    const events: string[] = [];
    const second = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { onBatchEvent: (e) => events.push(e.type) }));
    expect(second).toMatchObject({ status: 'done', ok: 9, failed: 0 });
    expect(second.batch).toMatchObject({ submittedBatches: 0, attachedRecords: 9, pending: 0 });
    expect(events[0]).toBe('attached');
    expect(server.batches).toHaveLength(1);
    expect((await readLines(out)).map((l) => l.id)).toEqual(corpus(9).map((r) => r.id));
  });

  it('a batch created but never recorded (the answer to its create call lost, as in a kill there): the re-run finds it by key, attaches, never submits it twice', async () => {
    await start({ batchFaults: [{ fault: { kind: 'lost_response' }, at: 1 }] });
    const corpusPath = await writeCorpus(10);
    const out = join(dir, 'labels.jsonl');
    // pack 2, at most 2 requests a batch: 5 requests in 3 batches; the second one's create answer is lost.
    const client = createOpenAIBatchClient('gpt-4o-mini', resolveOpenAISettings({ apiKey: KEY, baseURL: server.url }), { limits: { maxRequests: 2, maxBytes: 1_000_000 } });
    await expect(labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { pack: 2, batchClient: client }))).rejects.toThrow(/POST \/batches/);
    expect(server.batches.map((b) => b.id)).toEqual(['batch_1', 'batch_2']); // created on the server ...
    const cut = await readBatchState(batchStatePath(out));
    expect(cut!.batches.map((b) => b.id)).toEqual(['batch_1']); // ... but only the first recorded
    expect(cut!.submitting!.requests.map((r) => r.customId)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(server.batches[1]!.metadata).toEqual({ taxonomist_submission: cut!.submitting!.key, taxonomist_start: '2', taxonomist_count: '2' });

    const events: string[] = [];
    const second = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { pack: 2, batchClient: client, onBatchEvent: (e) => events.push(`${e.type}:${e.batchId}`) }));
    expect(second).toMatchObject({ status: 'done', ok: 10, failed: 0 });
    expect(second.batch).toMatchObject({ recoveredBatches: 1, attachedRecords: 8, submittedRecords: 2 });
    expect(events.slice(0, 3)).toEqual(['recovered:batch_2', 'attached:batch_1', 'attached:batch_2']);
    // Three batches in all: the found one was not submitted again; only the records never created went out.
    expect(server.batches.map((b) => b.id)).toEqual(['batch_1', 'batch_2', 'batch_3']);
    const state = await readBatchState(batchStatePath(out));
    expect(state!.submitting).toBeUndefined();
    const submittedIds = state!.batches.flatMap((b) => b.requests.flatMap((r) => r.records.map((x) => x.id)));
    expect([...submittedIds].sort()).toEqual(corpus(10).map((r) => r.id).sort());
    expect((await readLines(out)).map((l) => l.id)).toEqual(corpus(10).map((r) => r.id));
  });

  it('a stop inside submit before anything was created: the re-run finds nothing by the key and submits everything once', async () => {
    const corpusPath = await writeCorpus(4);
    const out = join(dir, 'labels.jsonl');
    const client = createOpenAIBatchClient('gpt-4o-mini', resolveOpenAISettings({ apiKey: KEY, baseURL: server.url }));
    const failing = { ...client, submit: async () => Promise.reject(new Error('killed before the upload')) };
    await expect(labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { batchClient: failing }))).rejects.toThrow(/killed before the upload/);
    expect((await readBatchState(batchStatePath(out)))!.submitting).toBeDefined();
    const second = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { batchClient: client }));
    expect(second).toMatchObject({ status: 'done', ok: 4, batch: { recoveredBatches: 0, submittedRecords: 4 } });
    expect(server.batches).toHaveLength(1);
  });

  it('refuses to attach to batches submitted with other settings, naming the state file', async () => {
    const corpusPath = await writeCorpus(4);
    const out = join(dir, 'labels.jsonl');
    await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { submitOnly: true }));
    await expect(labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { pack: 2 }))).rejects.toThrow(/labels\.jsonl\.batch\.json: its batches were submitted with other settings/);
    expect(server.batches).toHaveLength(1);
  });

  it('submitOnly submits and returns; the next run collects', async () => {
    const corpusPath = await writeCorpus(5);
    const out = join(dir, 'labels.jsonl');
    const first = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { submitOnly: true }));
    expect(first).toMatchObject({ status: 'aborted', stopReason: 'consumer', ok: 0, batch: { submittedRecords: 5, pending: 5 } });
    expect(server.batches[0]!.polls).toBe(0);
    const second = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out));
    expect(second).toMatchObject({ status: 'done', ok: 5, batch: { submittedBatches: 0, pending: 0 } });
    expect(server.batches).toHaveLength(1);
  });

  it('aborted while polling, then a kill between writing the lines and recording the collect: still one line per record', async () => {
    await start({ batchPollsPerStep: 2 });
    const corpusPath = await writeCorpus(6);
    const out = join(dir, 'labels.jsonl');
    const controller = new AbortController();
    let polls = 0;
    const first = await labelBatchToFile(
      corpusPath,
      TAXONOMY,
      await batchOptions(out, { signal: controller.signal, onBatchEvent: (e) => e.type === 'polled' && ++polls === 2 && controller.abort() }),
    );
    expect(first.status).toBe('aborted');
    await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out));
    const complete = await readFile(out, 'utf8');
    // Simulate the kill: lines written (twice now, after the duplicate append below), state not marked collected.
    const statePath = batchStatePath(out);
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { batches: { collected: boolean }[] };
    state.batches[0]!.collected = false;
    await writeFile(statePath, JSON.stringify(state));
    const third = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out));
    expect(third).toMatchObject({ status: 'done', out: { lines: 6, ok: 6, compacted: true } });
    expect(server.batches).toHaveLength(1);
    expect(await readFile(out, 'utf8')).toBe(complete);
  });

  it('a partly failed batch: every record accounted for, the failed one with the reason from the error file', async () => {
    await start({ batchFaults: [{ fault: { kind: 'partial', lines: [1] } }] });
    const corpusPath = await writeCorpus(5);
    const out = join(dir, 'labels.jsonl');
    const summary = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { pack: 1 }));
    expect(summary).toMatchObject({ status: 'done', ok: 4, failed: 1, failedByKind: { server: 1 }, out: { lines: 5 } });
    const lines = await readLines(out);
    expect(lines.map((l) => l.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(lines[1]).toMatchObject({ id: 'r1', status: 'failed', error: { kind: 'server', message: expect.stringMatching(/HTTP 500/) } });
    // A re-run does nothing; retryFailed submits exactly the failed record again.
    const rerun = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { pack: 1 }));
    expect(rerun.batch).toMatchObject({ submittedBatches: 0, alreadyFailed: 1 });
    server.setBatchFaults([]);
    const retry = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { pack: 1, retryFailed: true }));
    expect(retry).toMatchObject({ ok: 1, failed: 0, out: { lines: 5, ok: 5, failed: 0 } });
    expect(server.batches.map((b) => b.customIds.length)).toEqual([5, 1]);
    expect((await readLines(out)).map((l) => l.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('expired, cancelled and failed batches fail their unanswered records with the reason', async () => {
    await start({
      batchFaults: [
        { at: 0, fault: { kind: 'expired', completed: 1 } },
        { at: 1, fault: { kind: 'cancelled' } },
        { at: 2, fault: { kind: 'failed', message: 'model not found' } },
      ],
    });
    const corpusPath = await writeCorpus(6);
    const gateway = await makeGateway();
    const limits = { maxRequests: 2, maxBytes: 1_000_000 };
    const client = { ...(await gateway.resolveBatch!(MODEL)) };
    const { createOpenAIBatchClient, resolveOpenAISettings } = await import('@taxonomist/openai');
    const small = createOpenAIBatchClient('gpt-4o-mini', resolveOpenAISettings({ apiKey: KEY, baseURL: server.url }), { limits });
    expect(client.limits.maxRequests).toBe(50_000);
    const out = join(dir, 'labels.jsonl');
    const summary = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { gateway, pack: 1, batchClient: small }));
    expect(server.batches.map((b) => b.status)).toEqual(['expired', 'cancelled', 'failed']);
    expect(summary).toMatchObject({ status: 'done', ok: 1, failed: 5, failedByKind: { timeout: 1, aborted: 2, unknown: 2 } });
    const lines = await readLines(out);
    expect(lines.map((l) => [l.id, l.status, l.error?.kind])).toEqual([
      ['r0', 'ok', undefined],
      ['r1', 'failed', 'timeout'],
      ['r2', 'failed', 'aborted'],
      ['r3', 'failed', 'aborted'],
      ['r4', 'failed', 'unknown'],
      ['r5', 'failed', 'unknown'],
    ]);
    expect(lines[1]!.error!.message).toMatch(/batch_expired/);
    expect(lines[4]!.error!.message).toMatch(/batch batch_3 failed: invalid_request \(line 1\): model not found/);
  });

  it('results listed out of order give the same file; invalid answers fail with the reason', async () => {
    const corpusPath = await writeCorpus(8);
    const inOrder = join(dir, 'a.jsonl');
    await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(inOrder, { pack: 1 }));
    await start({ batchResultOrder: 'shuffled', seed: 3 });
    const shuffled = join(dir, 'b.jsonl');
    await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(shuffled, { pack: 1 }));
    expect(await readFile(shuffled, 'utf8')).toBe(await readFile(inOrder, 'utf8'));

    let n = 0;
    await start({
      script: (r) => {
        n++;
        if (n === 2) return faultAnswer({ kind: 'truncated_json' });
        if (n === 3) return { label: 'L9' };
        if (n === 4) return faultAnswer({ kind: 'refusal' });
        return script(r);
      },
    });
    const bad = join(dir, 'c.jsonl');
    const summary = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(bad, { pack: 1 }));
    expect(summary).toMatchObject({ ok: 5, failed: 3, failedByKind: { invalid_output: 1, out_of_taxonomy: 1, refusal: 1 } });
    const lines = await readLines(bad);
    expect(lines[1]!.error).toMatchObject({ kind: 'invalid_output', message: 'the answer is not valid JSON' });
    expect(lines[2]!.error).toMatchObject({ kind: 'out_of_taxonomy', message: expect.stringMatching(/L9/) });
  });

  it('a packed answer missing a text fails only that record', async () => {
    await start({ script: (r) => {
      const s = script(r) as { answers?: { id: string; label: string }[] };
      return s.answers ? { answers: s.answers.slice(1) } : s;
    } });
    const corpusPath = await writeCorpus(3);
    const out = join(dir, 'labels.jsonl');
    const summary = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out));
    expect(summary).toMatchObject({ ok: 2, failed: 1, pack: { packedCalls: 1, missing: 1 } });
    expect((await readLines(out))[0]).toMatchObject({ id: 'r0', status: 'failed', error: { kind: 'invalid_output', message: expect.stringMatching(/no answer for text "t1"/) } });
  });

  it('the budget applies at the batch price: half price submits about twice as many packs', async () => {
    const prices: PriceTable = { 'openai:gpt-4o-mini': { input: 1000, output: 1000 } };
    const corpusPath = await writeCorpus(24);
    const gateway = await makeGateway(prices);
    const full = { ...(await gateway.resolveBatch!(MODEL)), priceFactor: 1 };
    // A budget that fits a few packs at list price.
    const onePack = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(join(dir, 'probe.jsonl'), { gateway, batchClient: full, budget: 1e9 }));
    const perPackUsd = onePack.usage.costUsd / 8;
    const budget = perPackUsd * 3.2;
    const atList = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(join(dir, 'list.jsonl'), { gateway, batchClient: full, budget }));
    const atBatch = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(join(dir, 'half.jsonl'), { gateway: await makeGateway(prices), budget }));
    expect(atList.status).toBe('stopped');
    expect(atList.stopReason).toBe('budget');
    expect(atList.batch.submittedRecords).toBeGreaterThan(0);
    expect(atBatch.batch.submittedRecords).toBeGreaterThanOrEqual(2 * atList.batch.submittedRecords - 3);
    expect(atBatch.batch.submittedRecords + atBatch.notAttempted).toBe(24);
    expect(atBatch.usage.costUsd).toBeLessThanOrEqual(budget);
    // The billed cost is the list price of the tokens times the discount.
    const listCost = gateway.cost(MODEL, { inputTokens: atBatch.usage.inputTokens, outputTokens: atBatch.usage.outputTokens });
    expect(atBatch.usage.costUsd).toBeCloseTo(listCost * 0.5, 9);
  });

  it("the gateway's budget and usage report see batch calls at the batch price: a budget stops submitting before it is exceeded", async () => {
    const prices: PriceTable = { 'openai:gpt-4o-mini': { input: 1000, output: 1000 } };
    const corpusPath = await writeCorpus(24);
    const probe = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(join(dir, 'probe.jsonl'), { gateway: await makeGateway(prices) }));
    const perPackUsd = probe.usage.costUsd / 8; // 24 records, pack 3
    const batchesBefore = server.batches.length;

    // The gateway's own budget (no labeler budget): about 3 packs' worth.
    const host = createPluginHost([openaiPlugin({ apiKey: KEY, baseURL: server.url })]);
    await host.ready();
    const gateway = createGateway({ resolver: host, prices, budget: perPackUsd * 3.5 });
    const summary = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(join(dir, 'capped.jsonl'), { gateway }));
    expect(summary).toMatchObject({ status: 'stopped', stopReason: 'budget' });
    expect(summary.batch.submittedRecords).toBeGreaterThan(0);
    expect(summary.batch.submittedRecords).toBeLessThan(24);
    expect(summary.batch.submittedRecords + summary.notAttempted).toBe(24);
    // The usage report: a batch row at half price, the summary's calls, tokens and cost; the budget spent that much.
    const rows = gateway.usage().rows.filter((r) => r.priceFactor === 0.5);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ stage: 'label', model: MODEL, calls: summary.usage.calls, inputTokens: summary.usage.inputTokens, outputTokens: summary.usage.outputTokens });
    expect(rows[0]!.costUsd).toBeCloseTo(summary.usage.costUsd, 9);
    expect(rows[0]!.costUsd).toBeCloseTo(gateway.cost(MODEL, { inputTokens: rows[0]!.inputTokens, outputTokens: rows[0]!.outputTokens }) * 0.5, 9);
    expect(gateway.usage().total.costUsd).toBeCloseTo(summary.usage.costUsd, 9);
    expect(gateway.budget!()).toMatchObject({ reservedUsd: 0 });
    expect(gateway.budget!()!.spentUsd).toBeCloseTo(summary.usage.costUsd, 9);
    expect(gateway.budget!()!.spentUsd).toBeLessThanOrEqual(perPackUsd * 3.5);

    // A budget below one pack: refused before anything is submitted.
    const tiny = createGateway({ resolver: host, prices, budget: perPackUsd / 10 });
    const none = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(join(dir, 'none.jsonl'), { gateway: tiny }));
    expect(none).toMatchObject({ status: 'stopped', stopReason: 'budget', notAttempted: 24, batch: { submittedRecords: 0 } });
    expect(server.batches.length).toBe(batchesBefore + 1);
  });
});


describe('batch labeling killed for real', () => {
  it('a child SIGKILLed while polling: the re-run attaches to its recorded batches and submits nothing twice', async () => {
    const { spawn } = await import('node:child_process');
    const ROOT = join(import.meta.dirname, '..');
    await start({ apiKey: undefined, batchPollsPerStep: 40 });
    const corpusPath = await writeCorpus(8);
    const out = join(dir, 'labels.jsonl');
    const statePath = batchStatePath(out);
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(ROOT, 'test/fixtures/batch-label-child.ts'), server.url, corpusPath, out], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let done = false;
    void exited.then(() => (done = true));
    // 8 records, pack 2, 2 requests per batch: 2 batches. Kill once both are recorded and polling has begun.
    for (;;) {
      if (done) break;
      const state = await readBatchState(statePath).catch(() => undefined);
      if (state?.batches.length === 2 && server.requests.some((r) => r.method === 'GET' && r.path === '/v1/batches/batch_2')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    if (!done) child.kill('SIGKILL');
    expect(await exited, stderr).toBe('SIGKILL');
    expect(server.batches).toHaveLength(2);
    expect(server.batches.every((b) => b.status !== 'completed')).toBe(true);

    const summary = await labelBatchToFile(corpusPath, TAXONOMY, await batchOptions(out, { pack: 2 }));
    expect(summary).toMatchObject({ status: 'done', ok: 8, failed: 0 });
    expect(summary.batch).toMatchObject({ submittedBatches: 0, attachedRecords: 8 });
    expect(server.batches).toHaveLength(2);
    expect(server.batches.flatMap((b) => b.customIds)).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect((await readLines(out)).map((l) => l.id)).toEqual(corpus(8).map((r) => r.id));
  }, 120_000);
});
