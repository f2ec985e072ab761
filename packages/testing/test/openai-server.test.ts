import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { connect } from 'node:net';
import { z } from 'zod';
import { startOpenAIServer, faultAnswer, reply, type OpenAIServer, type FaultRule } from '@taxonomist/testing';
import { encodeTokens } from '@taxonomist/core';

const Label = z.object({ label: z.enum(['billing', 'card', 'other']), reasons: z.array(z.string()).min(1) });
const labelSchema = z.toJSONSchema(Label);

function chatBody(extra: Record<string, unknown> = {}, text = 'my card was charged twice') {
  return { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Classify.' }, { role: 'user', content: text }], ...extra };
}

async function post(server: OpenAIServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-secret-123', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Raw HTTP exchange, to see exactly what goes over the socket (fetch hides truncation details). */
function rawExchange(port: number, body: string): Promise<{ data: string; ended: 'end' | 'close' | 'error' }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('connect', () => {
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    socket.on('data', (d) => (data += d.toString('utf8')));
    socket.on('error', () => resolve({ data, ended: 'error' }));
    socket.on('close', () => resolve({ data, ended: 'close' }));
  });
}

describe('startOpenAIServer: answers', () => {
  let server: OpenAIServer;
  beforeAll(async () => {
    server = await startOpenAIServer({ seed: 1 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.reset();
    server.setScript(undefined);
    server.setFaults([]);
  });

  it('listens on 127.0.0.1 with a /v1 base URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/v1`);
  });

  it('answers json_schema requests with JSON that follows the schema, with usage', async () => {
    const res = await post(server, '/chat/completions', chatBody({ response_format: { type: 'json_schema', json_schema: { name: 'label', schema: labelSchema } } }));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    const msg = body.choices[0].message;
    expect(Label.safeParse(JSON.parse(msg.content)).success).toBe(true);
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.usage.prompt_tokens).toBeGreaterThan(10);
    expect(body.usage.completion_tokens).toBeGreaterThan(3);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it('reports exact, deterministic prompt usage for a long system prompt repeated on every request', async () => {
    // The long static prompt is counted once and memoised; each request must still get the exact count of ITS prompt.
    const system = Array.from({ length: 120 }, (_, i) => `L${i}: label ${i} - messages about topic ${i} (é 🚀 中文)`).join('\n');
    const schemaTokens = encodeTokens(JSON.stringify(labelSchema)).length;
    const usages: number[] = [];
    for (const text of ['my card was charged twice', 'where is my refund? I asked two weeks ago and nothing came', 'my card was charged twice']) {
      const messages = [{ role: 'system', content: system }, { role: 'user', content: text }];
      const res = await post(server, '/chat/completions', { model: 'gpt-4o-mini', messages, response_format: { type: 'json_schema', json_schema: { name: 'label', schema: labelSchema } } });
      const expected = 3 + messages.reduce((n, m) => n + 3 + encodeTokens(m.role).length + encodeTokens(m.content).length, 0) + schemaTokens;
      usages.push(JSON.parse(res.text).usage.prompt_tokens);
      expect(usages.at(-1)).toBe(expected);
    }
    expect(usages[2]).toBe(usages[0]);
    expect(usages[1]).not.toBe(usages[0]);
  });

  it('answers tool requests with tool_calls whose arguments follow the tool parameters', async () => {
    const tools = [
      { type: 'function', function: { name: 'other_tool', parameters: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } } },
      { type: 'function', function: { name: 'classify', parameters: labelSchema } },
    ];
    const res = await post(server, '/chat/completions', chatBody({ tools, tool_choice: { type: 'function', function: { name: 'classify' } } }));
    const msg = JSON.parse(res.text).choices[0];
    expect(msg.finish_reason).toBe('tool_calls');
    expect(msg.message.content).toBeNull();
    expect(msg.message.tool_calls[0].function.name).toBe('classify');
    expect(Label.safeParse(JSON.parse(msg.message.tool_calls[0].function.arguments)).success).toBe(true);
  });

  it('answers prompt-method and json_object requests using the schema pasted in the prompt', async () => {
    const prompt = `Return JSON matching this JSON Schema:\n${JSON.stringify(labelSchema)}`;
    for (const extra of [{}, { response_format: { type: 'json_object' } }]) {
      const res = await post(server, '/chat/completions', chatBody(extra, prompt));
      expect(Label.safeParse(JSON.parse(JSON.parse(res.text).choices[0].message.content)).success).toBe(true);
    }
    const plain = await post(server, '/chat/completions', chatBody({}, 'hello'));
    expect(JSON.parse(plain.text).choices[0].message.content).toBe('This is a scripted answer to: hello');
  });

  it('uses a function script, then a queue script that falls back to the default answer', async () => {
    server.setScript((req) => (req.lastUserMessage.includes('card') ? { label: 'card', reasons: ['mentions card'] } : 'plain text'));
    const a = await post(server, '/chat/completions', chatBody({ response_format: { type: 'json_schema', json_schema: { name: 'l', schema: labelSchema } } }));
    expect(JSON.parse(JSON.parse(a.text).choices[0].message.content)).toEqual({ label: 'card', reasons: ['mentions card'] });
    server.setScript(['first', reply.refusal('nope')]);
    const texts = [];
    for (let i = 0; i < 3; i++) texts.push(JSON.parse((await post(server, '/chat/completions', chatBody({}, 'hi'))).text).choices[0].message);
    expect(texts[0].content).toBe('first');
    expect(texts[1]).toMatchObject({ content: null, refusal: 'nope' });
    expect(texts[2].content).toBe('This is a scripted answer to: hi');
  });

  it('returns logprobs for the answer tokens when asked', async () => {
    server.setScript(() => 'Hello world');
    const res = await post(server, '/chat/completions', chatBody({ logprobs: true, top_logprobs: 3 }));
    const lp = JSON.parse(res.text).choices[0].logprobs.content as { token: string; logprob: number; bytes: number[]; top_logprobs: unknown[] }[];
    expect(lp.map((t) => t.token).join('')).toBe('Hello world');
    expect(lp[0]!.top_logprobs).toHaveLength(3);
    expect(Buffer.from(lp[0]!.bytes).toString('utf8')).toBe(lp[0]!.token);
    const without = await post(server, '/chat/completions', chatBody());
    expect(JSON.parse(without.text).choices[0].logprobs).toBeNull();
  });

  it('streams server-sent events when stream: true', async () => {
    server.setScript(() => 'streamed');
    const res = await post(server, '/chat/completions', chatBody({ stream: true, stream_options: { include_usage: true } }));
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = res.text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)));
    expect(parsed[0].choices[0].delta.content).toBe('streamed');
    expect(parsed.at(-1).usage.completion_tokens).toBeGreaterThan(0);
  });

  it('serves float and base64 embeddings (little-endian float32), honouring dimensions', async () => {
    const float = JSON.parse((await post(server, '/embeddings', { model: 'text-embedding-3-small', input: ['a b', 'c'], dimensions: 8 })).text);
    expect(float.data).toHaveLength(2);
    expect(float.data[0].embedding).toHaveLength(8);
    expect(float.usage.prompt_tokens).toBeGreaterThan(0);
    const b64 = JSON.parse((await post(server, '/embeddings', { model: 'text-embedding-3-small', input: ['a b', 'c'], dimensions: 8, encoding_format: 'base64' })).text);
    const buf = Buffer.from(b64.data[0].embedding, 'base64');
    const decoded = Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4));
    decoded.forEach((x, i) => expect(x).toBeCloseTo(float.data[0].embedding[i], 6));
    const single = JSON.parse((await post(server, '/embeddings', { model: 'm', input: 'one' })).text);
    expect(single.data[0].embedding).toHaveLength(64);
  });

  it('lists models and rejects bad requests with OpenAI-shaped errors', async () => {
    const models = (await fetch(`${server.url}/models`).then((r) => r.json())) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toContain('gpt-4o-mini');
    const notJson = await post(server, '/chat/completions', '{oops');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.text).error.type).toBe('invalid_request_error');
    const noMessages = await post(server, '/chat/completions', { model: 'x', messages: [] });
    expect([noMessages.status, JSON.parse(noMessages.text).error.message]).toEqual([400, "'messages' must be a non-empty array"]);
    const unknown = await post(server, '/nope', {});
    expect(unknown.status).toBe(404);
    const badFormat = await post(server, '/embeddings', { model: 'm', input: 'x', encoding_format: 'int8' });
    expect(badFormat.status).toBe(400);
  });

  it('records requests with secrets redacted', async () => {
    await post(server, '/chat/completions', chatBody(), { 'api-key': 'azure-secret' });
    const [req] = server.requests;
    expect(req!.headers.authorization).toBe('[REDACTED]');
    expect(req!.headers['api-key']).toBe('[REDACTED]');
    expect(JSON.stringify(server.requests)).not.toMatch(/sk-secret-123|azure-secret/);
    expect(req!.body).toMatchObject({ model: 'gpt-4o-mini' });
    expect(server.count('chat')).toBe(1);
  });

  it('requires the configured API key', async () => {
    const locked = await startOpenAIServer({ apiKey: 'right' });
    try {
      const wrong = await post(locked, '/chat/completions', chatBody());
      expect([wrong.status, JSON.parse(wrong.text).error.code]).toEqual([401, 'invalid_api_key']);
      const right = await post(locked, '/chat/completions', chatBody(), { authorization: 'Bearer right' });
      expect(right.status).toBe(200);
    } finally {
      await locked.close();
    }
  });

  it('gives byte-identical responses to identical requests', async () => {
    const body = chatBody({ response_format: { type: 'json_schema', json_schema: { name: 'l', schema: labelSchema } } });
    const a = await post(server, '/chat/completions', body);
    server.reset();
    const b = await post(server, '/chat/completions', body);
    expect(a.text).toBe(b.text);
  });
});

describe('startOpenAIServer: faults', () => {
  let server: OpenAIServer;
  beforeAll(async () => {
    server = await startOpenAIServer({ seed: 5 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.reset();
    server.setScript(undefined);
    server.setFaults([]);
  });
  const schemaBody = chatBody({ response_format: { type: 'json_schema', json_schema: { name: 'l', schema: labelSchema } } });

  it('429 with Retry-After seconds / ms, without it, and quota exhaustion', async () => {
    server.setFaults([
      { fault: { kind: 'rate_limit', retryAfterSeconds: 2 }, at: 0 },
      { fault: { kind: 'rate_limit', retryAfterMs: 250 }, at: 1 },
      { fault: { kind: 'rate_limit' }, at: 2 },
      { fault: { kind: 'quota' }, at: 3 },
    ]);
    const r = [];
    for (let i = 0; i < 5; i++) r.push(await post(server, '/chat/completions', schemaBody));
    expect(r.map((x) => x.status)).toEqual([429, 429, 429, 429, 200]);
    expect(r[0]!.headers.get('retry-after')).toBe('2');
    expect(r[1]!.headers.get('retry-after-ms')).toBe('250');
    expect(r[1]!.headers.get('retry-after')).toBeNull();
    expect(r[2]!.headers.get('retry-after')).toBeNull();
    expect(JSON.parse(r[3]!.text).error.code).toBe('insufficient_quota');
    expect(server.stats().faults).toEqual({ rate_limit: 3, quota: 1 });
    expect(server.stats().succeeded).toBe(1);
  });

  it('5xx and other HTTP errors', async () => {
    server.setFaults([
      { fault: { kind: 'server_error' }, at: 0 },
      { fault: { kind: 'server_error', status: 503 }, at: 1 },
      { fault: { kind: 'http_error', status: 408 }, at: 2 },
      { fault: { kind: 'auth' }, at: 3 },
    ]);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(server, '/chat/completions', schemaBody)).status);
    expect(statuses).toEqual([500, 503, 408, 401]);
  });

  it('malformed body: status 200 with a body that is not JSON', async () => {
    server.setFaults([{ fault: { kind: 'malformed_body' } }]);
    const res = await post(server, '/chat/completions', schemaBody);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(() => JSON.parse(res.text)).toThrow();
  });

  it('truncated body: Content-Length promises more than is sent, then the connection ends', async () => {
    server.setFaults([{ fault: { kind: 'truncated_body' } }]);
    const { data } = await rawExchange(server.port, JSON.stringify(schemaBody));
    const [head, body = ''] = data.split('\r\n\r\n');
    const promised = Number(/content-length: (\d+)/i.exec(head!)![1]);
    expect(Buffer.byteLength(body)).toBeGreaterThan(0);
    expect(Buffer.byteLength(body)).toBeLessThan(promised);
    await expect(post(server, '/chat/completions', schemaBody)).rejects.toThrow();
  });

  it('connection reset: the socket is destroyed without a response', async () => {
    server.setFaults([{ fault: { kind: 'reset' }, times: 1 }]);
    const { data } = await rawExchange(server.port, JSON.stringify(schemaBody));
    expect(data).toBe('');
    expect((await post(server, '/chat/completions', schemaBody)).status).toBe(200);
    expect(server.stats().faults.reset).toBe(1);
  });

  it('hang: no answer until the client aborts; close() does not wait for it', async () => {
    const local = await startOpenAIServer({ faults: [{ fault: { kind: 'hang' } }] });
    const controller = new AbortController();
    const pending = fetch(`${local.url}/chat/completions`, { method: 'POST', body: JSON.stringify(schemaBody), signal: controller.signal });
    // Wait until the server has the request (no timers: poll the event loop).
    while (local.count('chat') === 0) await new Promise((r) => setImmediate(r));
    let settled = false;
    void pending.then(() => (settled = true), () => (settled = true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    controller.abort();
    await expect(pending).rejects.toThrow();
    const second = fetch(`${local.url}/chat/completions`, { method: 'POST', body: JSON.stringify(schemaBody) });
    while (local.count('chat') < 2) await new Promise((r) => setImmediate(r));
    await local.close();
    await expect(second).rejects.toThrow();
  });

  it('content faults: truncated JSON content, schema-invalid content, refusal', async () => {
    server.setFaults([
      { fault: { kind: 'truncated_json' }, at: 0 },
      { fault: { kind: 'schema_invalid' }, at: 1 },
      { fault: { kind: 'refusal', message: 'I cannot classify this.' }, at: 2 },
    ]);
    const msgs: { content: string; refusal?: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post(server, '/chat/completions', schemaBody);
      expect(res.status).toBe(200);
      msgs.push(JSON.parse(res.text).choices[0].message);
    }
    expect(() => JSON.parse(msgs[0].content)).toThrow();
    expect(msgs[0].content.length).toBeGreaterThan(1);
    expect(Label.safeParse(JSON.parse(msgs[1].content)).success).toBe(false);
    expect(msgs[2]).toMatchObject({ content: null, refusal: 'I cannot classify this.' });
  });

  it('content faults cut / break tool-call arguments too', async () => {
    const tools = [{ type: 'function', function: { name: 'classify', parameters: labelSchema } }];
    server.setFaults([{ fault: { kind: 'truncated_json' }, at: 0 }, { fault: { kind: 'schema_invalid' }, at: 1 }]);
    const args: string[] = [];
    for (let i = 0; i < 2; i++) args.push(JSON.parse((await post(server, '/chat/completions', chatBody({ tools }))).text).choices[0].message.tool_calls[0].function.arguments);
    expect(() => JSON.parse(args[0])).toThrow();
    expect(Label.safeParse(JSON.parse(args[1])).success).toBe(false);
  });

  it('a script can inject a fault into one answer; transport faults do not use up the script queue', async () => {
    server.setScript([faultAnswer({ kind: 'server_error', status: 502 }), 'after']);
    server.setFaults([{ fault: { kind: 'rate_limit' }, at: 1 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await post(server, '/chat/completions', chatBody());
      statuses.push(res.status === 200 ? JSON.parse(res.text).choices[0].message.content : res.status);
    }
    expect(statuses).toEqual([502, 429, 'after']);
  });

  it('schedules by predicate, caps with times, and targets embeddings', async () => {
    const rules: FaultRule[] = [
      { fault: { kind: 'server_error' }, when: (r) => JSON.stringify(r.body).includes('poison'), times: 2 },
      { fault: { kind: 'rate_limit' }, endpoint: 'embeddings', at: [1] },
    ];
    server.setFaults(rules);
    const s = [];
    for (let i = 0; i < 3; i++) s.push((await post(server, '/chat/completions', chatBody({}, 'poison'))).status);
    s.push((await post(server, '/chat/completions', chatBody({}, 'fine'))).status);
    expect(s).toEqual([500, 500, 200, 200]);
    const e = [];
    for (let i = 0; i < 3; i++) e.push((await post(server, '/embeddings', { model: 'm', input: 'x' })).status);
    expect(e).toEqual([200, 429, 200]);
    expect(() => server.setFaults([{ fault: { kind: 'refusal' }, endpoint: 'embeddings' }])).toThrow(/content fault/);
    expect(() => server.setFaults([{ fault: { kind: 'reset' }, probability: 2 }])).toThrow(/probability/);
  });

  it('seeded fault fractions are reproducible and independent of request order', async () => {
    const bodies = Array.from({ length: 40 }, (_, i) => chatBody({}, `text number ${i}`));
    const run = async (seed: number, order: number[]) => {
      const s = await startOpenAIServer({ seed, faults: [{ fault: { kind: 'server_error' }, probability: 0.3 }] });
      try {
        const out: Record<number, number> = {};
        for (const i of order) out[i] = (await post(s, '/chat/completions', bodies[i])).status;
        return out;
      } finally {
        await s.close();
      }
    };
    const forward = bodies.map((_, i) => i);
    const a = await run(11, forward);
    const b = await run(11, [...forward].reverse());
    expect(b).toEqual(a);
    const failures = Object.values(a).filter((x) => x === 500).length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(25);
    expect(await run(12, forward)).not.toEqual(a);
  });
});

describe('startOpenAIServer: latency jitter', () => {
  /** Send 12 requests, one every 2 ms; the order the answers come back in. */
  async function completionOrder(jitter: number, seed: number): Promise<number[]> {
    const server = await startOpenAIServer({ seed, latencyMs: 5, latencyJitterMs: jitter });
    try {
      const done: number[] = [];
      const sends = Array.from({ length: 12 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, 2 * i));
        await post(server, '/chat/completions', chatBody({}, `text ${i}`));
        done.push(i);
      });
      await Promise.all(sends);
      return done;
    } finally {
      await server.close();
    }
  }

  it('shuffles the completion order of requests sent in order', async () => {
    const inOrder = Array.from({ length: 12 }, (_, i) => i);
    const shuffled = await completionOrder(150, 1);
    expect(shuffled).not.toEqual(inOrder);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(inOrder);
  });

  it('rejects a negative jitter', async () => {
    await expect(startOpenAIServer({ latencyJitterMs: -1 })).rejects.toThrow(/latencyJitterMs must be >= 0/);
  });
});
