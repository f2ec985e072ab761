import { describe, it, expect } from 'vitest';
import { FINAL_BATCH_STATUSES, type BatchRequest } from '@taxonomist/core';
import { createAnthropicBatchClient, resolveAnthropicSettings, ANTHROPIC_BATCH_PRICE_FACTOR } from '@taxonomist/anthropic';

const KEY = 'sk-ant-BATCH-SECRET-987654321';
const BASE = 'http://127.0.0.1:9';

/**
 * An in-process Message Batches endpoint (fetch stand-in): batches are created with their requests inline, end on the
 * second retrieval, and answer each request with a tool call choosing a category; request 'c1' errors, and a
 * cancelled batch ends with every request canceled.
 */
function fakeMessageBatches() {
  const batches = new Map<string, { requests: { custom_id: string; params: Record<string, unknown> }[]; polls: number; cancelled: boolean }>();
  const seen: { method: string; url: string; headers: Record<string, string>; body?: unknown }[] = [];
  const view = (id: string) => {
    const b = batches.get(id)!;
    const ended = b.polls >= 2 || b.cancelled;
    const n = b.requests.length;
    const errored = b.cancelled ? 0 : b.requests.filter((r) => r.custom_id === 'c1').length;
    return {
      id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : b.cancelled ? 'canceling' : 'in_progress',
      request_counts: ended
        ? { processing: 0, succeeded: b.cancelled ? 0 : n - errored, errored, canceled: b.cancelled ? n : 0, expired: 0 }
        : { processing: n, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      results_url: ended ? `${BASE}/v1/messages/batches/${id}/results` : null,
    };
  };
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const headers = init?.headers as Record<string, string>;
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    seen.push({ method, url, headers, body });
    const json = (v: unknown, status = 200) => new Response(JSON.stringify(v), { status, headers: { 'content-type': 'application/json' } });
    if (headers['x-api-key'] !== KEY) return json({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }, 401);
    const path = new URL(url).pathname;
    if (method === 'POST' && path === '/v1/messages/batches') {
      const id = `msgbatch_${batches.size + 1}`;
      batches.set(id, { requests: (body as { requests: never[] }).requests, polls: 0, cancelled: false });
      return json(view(id));
    }
    const m = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(path);
    const b = m ? batches.get(m[1]!) : undefined;
    if (!m || !b) return json({ type: 'error', error: { type: 'not_found_error', message: `no batch ${path} for key ${KEY}` } }, 404);
    if (m[2] === '/cancel') {
      b.cancelled = true;
      return json(view(m[1]!));
    }
    if (m[2] === '/results') {
      const lines = b.requests.map((r) => {
        if (b.cancelled) return { custom_id: r.custom_id, result: { type: 'canceled' } };
        if (r.custom_id === 'c1') return { custom_id: r.custom_id, result: { type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: 'bad request' } } } };
        const tool = (r.params.tools as { name: string }[])[0]!;
        return {
          custom_id: r.custom_id,
          result: { type: 'succeeded', message: { content: [{ type: 'tool_use', name: tool.name, input: { category: 'billing' } }], stop_reason: 'tool_use', usage: { input_tokens: 30, output_tokens: 5 } } },
        };
      });
      // Results come in any order.
      return new Response(lines.reverse().map((l) => JSON.stringify(l)).join('\n') + '\n', { status: 200 });
    }
    b.polls++;
    return json(view(m[1]!));
  }) as typeof fetch;
  return { fetchImpl, seen };
}

function requests(n: number): BatchRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    customId: `c${i}`,
    messages: [
      { role: 'system' as const, content: 'Classify.' },
      { role: 'user' as const, content: `ticket ${i}` },
    ],
    schema: { type: 'object', properties: { category: { type: 'string' } }, required: ['category'] },
    schemaName: 'ticket',
    temperature: 0,
  }));
}

describe('Anthropic Message Batches client', () => {
  const settings = resolveAnthropicSettings({ apiKey: KEY, baseURL: BASE });

  it('submits params with the system prompt apart and a forced tool, polls to the end and reads results by custom id', async () => {
    const { fetchImpl, seen } = fakeMessageBatches();
    const client = createAnthropicBatchClient('claude-haiku-4-5', settings, { fetch: fetchImpl, limits: { maxRequests: 2, maxBytes: 1_000_000 } });
    expect(client.priceFactor).toBe(ANTHROPIC_BATCH_PRICE_FACTOR);
    const recorded: string[] = [];
    const ids = await client.submit(requests(3), { onSubmitted: (b) => void recorded.push(`${b.id}:${b.customIds.join(',')}`) });
    expect(ids).toEqual(['msgbatch_1', 'msgbatch_2']);
    expect(recorded).toEqual(['msgbatch_1:c0,c1', 'msgbatch_2:c2']);
    const params = (seen[0]!.body as { requests: { params: Record<string, unknown> }[] }).requests[0]!.params;
    expect(params).toMatchObject({ model: 'claude-haiku-4-5', system: 'Classify.', messages: [{ role: 'user', content: 'ticket 0' }], tool_choice: { type: 'tool', name: 'ticket' }, max_tokens: 1024, temperature: 0 });
    expect(seen[0]!.headers['anthropic-version']).toBe('2023-06-01');
    const statuses: string[] = [];
    for (;;) {
      const info = await client.poll(ids[0]!);
      statuses.push(info.status);
      if (FINAL_BATCH_STATUSES.has(info.status)) break;
    }
    expect(statuses).toEqual(['in_progress', 'completed']);
    const results = await client.fetchResults(ids[0]!);
    expect(results.find((r) => r.customId === 'c0')).toEqual({ customId: 'c0', status: 'ok', text: '{"category":"billing"}', usage: { inputTokens: 30, outputTokens: 5 } });
    expect(results.find((r) => r.customId === 'c1')).toMatchObject({ status: 'error', code: 'invalid_request_error', message: 'bad request' });
  });

  it('cancels: the batch ends cancelled with every request canceled; errors never show the key', async () => {
    const { fetchImpl } = fakeMessageBatches();
    const client = createAnthropicBatchClient('claude-haiku-4-5', settings, { fetch: fetchImpl });
    const [id] = await client.submit(requests(2));
    expect((await client.cancel(id!)).status).toBe('cancelled');
    expect((await client.fetchResults(id!)).map((r) => (r.status === 'error' ? r.code : 'ok'))).toEqual(['batch_cancelled', 'batch_cancelled']);
    const err = (await client.poll('msgbatch_404').catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/HTTP 404/);
    expect(err.message).not.toContain(KEY);
  });
});
