import { describe, it, expect, afterEach } from 'vitest';
import { startOpenAIServer, faultAnswer, type OpenAIServer } from '@taxonomist/testing';
import { createGateway, createPluginHost, FINAL_BATCH_STATUSES, splitWithinBatchLimits as splitLines, isLlmError, type BatchClient, type BatchRequest } from '@taxonomist/core';
import { createOpenAIBatchClient, openaiPlugin, resolveOpenAISettings, OPENAI_BATCH_PRICE_FACTOR } from '@taxonomist/openai';

const SECRET = 'sk-proj-BATCH-SECRET-0123456789';
const schema = { type: 'object', properties: { label: { type: 'string', enum: ['billing', 'card'] } }, required: ['label'], additionalProperties: false };

function requests(n: number): BatchRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    customId: `r${i}`,
    messages: [
      { role: 'system' as const, content: 'Label the text.' },
      { role: 'user' as const, content: `text number ${i}` },
    ],
    schema,
    schemaName: 'label_answer',
    temperature: 0,
  }));
}

async function untilFinal(client: BatchClient, id: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const info = await client.poll(id);
    if (FINAL_BATCH_STATUSES.has(info.status)) return info.status;
  }
  throw new Error('batch never finished');
}

let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(s: OpenAIServer, limits?: { maxRequests: number; maxBytes: number }): BatchClient {
  return createOpenAIBatchClient('gpt-4o-mini', resolveOpenAISettings({ apiKey: SECRET, baseURL: s.url }), limits ? { limits } : {});
}

describe('OpenAI batch client against the local server', () => {
  it('uploads a JSONL file, creates a batch, steps through the statuses and reads every result by custom id', async () => {
    server = await startOpenAIServer({ apiKey: SECRET, script: (r) => ({ label: r.lastUserMessage.endsWith('1') ? 'card' : 'billing' }) });
    const c = client(server);
    expect(c.priceFactor).toBe(OPENAI_BATCH_PRICE_FACTOR);
    const submitted: { id: string; customIds: string[] }[] = [];
    const ids = await c.submit(requests(3), { onSubmitted: (b) => void submitted.push(b) });
    expect(ids).toEqual(['batch_1']);
    expect(submitted).toEqual([{ id: 'batch_1', customIds: ['r0', 'r1', 'r2'] }]);
    const seen: string[] = [];
    for (;;) {
      const info = await c.poll(ids[0]!);
      seen.push(info.status);
      if (FINAL_BATCH_STATUSES.has(info.status)) break;
    }
    expect(seen).toEqual(['validating', 'in_progress', 'in_progress', 'finalizing', 'finalizing', 'completed']);
    const results = await c.fetchResults(ids[0]!);
    expect(results.map((r) => r.customId).sort()).toEqual(['r0', 'r1', 'r2']);
    const r1 = results.find((r) => r.customId === 'r1')!;
    expect(r1.status).toBe('ok');
    expect(r1.status === 'ok' && JSON.parse(r1.text)).toEqual({ label: 'card' });
    expect(r1.status === 'ok' && r1.usage.inputTokens).toBeGreaterThan(0);
    // The request line carries the structured-output format the online client sends.
    const upload = server.requests.find((r) => r.endpoint === 'batches' && r.method === 'POST')!;
    expect(upload.body).toEqual({ input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(server.requests.every((r) => r.headers.authorization === '[REDACTED]')).toBe(true);
  });

  it('splits within the request-count and byte limits, calling onSubmitted after each batch', async () => {
    server = await startOpenAIServer({ batchPollsPerStep: 0 });
    const c = client(server, { maxRequests: 2, maxBytes: 10_000 });
    const order: string[] = [];
    const ids = await c.submit(requests(5), { onSubmitted: (b) => void order.push(`${b.id}:${b.customIds.join(',')}`) });
    expect(ids).toEqual(['batch_1', 'batch_2', 'batch_3']);
    expect(order).toEqual(['batch_1:r0,r1', 'batch_2:r2,r3', 'batch_3:r4']);
    const bytes = splitLines([{ customId: 'a', line: 'x'.repeat(60) }, { customId: 'b', line: 'y'.repeat(60) }], { maxRequests: 10, maxBytes: 100 });
    expect(bytes.map((c) => c.map((l) => l.customId))).toEqual([['a'], ['b']]);
    expect(() => splitLines([{ customId: 'big', line: 'z'.repeat(200) }], { maxRequests: 10, maxBytes: 100 })).toThrow(/"big" is 201 bytes/);
  });

  it('tags batches with the submission key and finds them again by listing, across pages, in request order', async () => {
    server = await startOpenAIServer({ batchPollsPerStep: 0 });
    const c = client(server, { maxRequests: 1, maxBytes: 1_000_000 });
    // 105 other batches, then 3 of ours, then 104 more: ours are found across the 100-a-page listing.
    await c.submit(requests(105), { submissionKey: 'other-run' });
    await c.submit(requests(3), { submissionKey: 'key-1' });
    await c.submit(requests(104));
    expect(server.batches[105]!.metadata).toEqual({ taxonomist_submission: 'key-1', taxonomist_start: '0', taxonomist_count: '1' });
    expect(server.batches[0]!.metadata).toMatchObject({ taxonomist_submission: 'other-run' });
    expect(server.batches[108]!.metadata).toBeNull();
    const found = await c.findSubmitted!('key-1', { since: Date.now() - 1000 });
    expect(found).toEqual([
      { id: 'batch_106', start: 0, count: 1 },
      { id: 'batch_107', start: 1, count: 1 },
      { id: 'batch_108', start: 2, count: 1 },
    ]);
    expect(server.requests.filter((r) => r.method === 'GET' && r.path === '/v1/batches').length).toBe(3);
    expect(await c.findSubmitted!('no-such-key')).toEqual([]);
  });

  it('reports expired, failed, cancelled and partly failed batches with a result or an error per request', async () => {
    server = await startOpenAIServer({
      batchPollsPerStep: 0,
      batchFaults: [
        { at: 0, fault: { kind: 'expired', completed: 1 } },
        { at: 1, fault: { kind: 'failed', message: 'line 1: bad model' } },
        { at: 2, fault: { kind: 'partial', lines: [1] } },
      ],
    });
    const c = client(server);
    const [expired] = await c.submit(requests(3));
    expect(await untilFinal(c, expired!)).toBe('expired');
    const er = await c.fetchResults(expired!);
    expect(er.map((r) => [r.customId, r.status === 'error' ? r.code : 'ok'])).toEqual([['r0', 'ok'], ['r1', 'batch_expired'], ['r2', 'batch_expired']]);

    const [failed] = await c.submit(requests(2));
    expect(await untilFinal(c, failed!)).toBe('failed');
    expect((await c.poll(failed!)).errors).toEqual(['invalid_request (line 1): line 1: bad model']);
    expect(await c.fetchResults(failed!)).toEqual([]);

    const [partial] = await c.submit(requests(3));
    expect(await untilFinal(c, partial!)).toBe('completed');
    const pr = await c.fetchResults(partial!);
    expect(pr.filter((r) => r.status === 'error').map((r) => r.customId)).toEqual(['r1']);
    expect(pr.find((r) => r.customId === 'r1')).toMatchObject({ status: 'error', message: /HTTP 500/ });

    const [cancelled] = await c.submit(requests(2));
    expect((await c.cancel(cancelled!)).status).toBe('cancelling');
    expect(await untilFinal(c, cancelled!)).toBe('cancelled');
    expect((await c.fetchResults(cancelled!)).map((r) => (r.status === 'error' ? r.code : 'ok'))).toEqual(['batch_cancelled', 'batch_cancelled']);
  });

  it('turns a refusal and a scripted HTTP error into error results; an HTTP error of the API names status, not the key', async () => {
    server = await startOpenAIServer({ batchPollsPerStep: 0, script: [faultAnswer({ kind: 'refusal' }), faultAnswer({ kind: 'server_error' })] });
    const c = client(server);
    const [id] = await c.submit(requests(3));
    await untilFinal(c, id!);
    const results = await c.fetchResults(id!);
    expect(results.find((r) => r.customId === 'r0')).toMatchObject({ status: 'error', code: 'refusal' });
    expect(results.find((r) => r.customId === 'r1')).toMatchObject({ status: 'error', message: /HTTP 500/ });
    expect(results.find((r) => r.customId === 'r2')).toMatchObject({ status: 'ok' });
    const err = await c.poll('batch_nope').catch((e: unknown) => e);
    expect(isLlmError(err) && err.status).toBe(404);
    expect(String((err as Error).message)).not.toContain(SECRET);
  });

  it('is reachable through the plugin and the gateway (gateway.resolveBatch)', async () => {
    server = await startOpenAIServer({ batchPollsPerStep: 0 });
    const host = createPluginHost([openaiPlugin({ apiKey: SECRET, baseURL: server.url })]);
    await host.ready();
    const gateway = createGateway({ resolver: host });
    const c = await gateway.resolveBatch!('openai:gpt-4o-mini');
    expect(c.model).toBe('gpt-4o-mini');
    const [id] = await c.submit(requests(1));
    expect(await untilFinal(c, id!)).toBe('completed');
  });
});
