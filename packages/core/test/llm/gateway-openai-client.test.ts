/**
 * The gateway against the real @langchain/openai ChatOpenAI / OpenAIEmbeddings and openai v6 client, with the HTTP
 * layer replaced by an in-process fetch. Proves the error shapes the real client throws are classified right and
 * that jsonSchema parsing, refusals and logprobs survive LangChain's conversion.
 */
import { describe, it, expect } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { createGateway, LlmError } from '../../src/llm/index.js';
import { countMessagesTokens } from '../../src/tokens/index.js';
import { recordingClock } from './fakes.js';

type Reply = Response | 'hang' | 'reset' | ((body: Record<string, unknown>) => Response);

function scriptedFetch(replies: Reply[]) {
  const requests: Record<string, unknown>[] = [];
  const fetchFn = async (_url: unknown, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>;
    requests.push(body);
    const r = replies.length > 1 ? replies.shift()! : replies[0]!;
    if (r === 'hang') {
      return new Promise((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' })), {
          once: true,
        });
      });
    }
    if (r === 'reset') throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    return typeof r === 'function' ? r(body) : r.clone();
  };
  return { fetchFn, requests };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function completion(content: string | null, extra: Record<string, unknown> = {}, choiceExtra: Record<string, unknown> = {}) {
  return json(200, {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content, ...extra }, ...choiceExtra }],
    usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
  });
}

const SECRET = 'sk-test-DO-NOT-LEAK-0123456789';

function chat(replies: Reply[], fields: Record<string, unknown> = {}) {
  const { fetchFn, requests } = scriptedFetch(replies);
  const model = new ChatOpenAI({
    model: 'gpt-4o-mini',
    apiKey: SECRET,
    maxRetries: 0,
    configuration: { baseURL: 'http://127.0.0.1:9/v1', fetch: fetchFn },
    ...fields,
  });
  return { model, requests };
}

const Schema = z.object({ label: z.string(), confidence: z.number() });
const messages = [{ role: 'user' as const, content: 'my card got declined' }];

async function failure(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LlmError);
    return err as LlmError;
  }
  throw new Error('expected failure');
}

describe('gateway + real ChatOpenAI client', () => {
  it('structured output via json_schema, usage from the API, id and price of gpt-4o-mini', async () => {
    const { model, requests } = chat([completion('{"label":"card","confidence":0.9}')]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 'label', model, messages, schema: Schema, schemaName: 'Assignment', temperature: 0 });
    expect(res).toMatchObject({ value: { label: 'card', confidence: 0.9 }, modelId: 'openai:gpt-4o-mini', attempts: 1 });
    expect(res.usage).toEqual({ inputTokens: 42, outputTokens: 7 });
    const body = requests[0]!;
    expect(body.temperature).toBe(0);
    expect(body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'Assignment', strict: true } });
    expect(JSON.stringify(body)).not.toContain('$parseRaw');
    expect(gw.usage().byModel['openai:gpt-4o-mini']!.costUsd).toBeCloseTo((42 * 0.15 + 7 * 0.6) / 1e6, 12);
  });

  it('truncated JSON content is repaired (not a transport error) and the repair is sent', async () => {
    const { model, requests } = chat([completion('{"label":"ca'), completion('{"label":"card","confidence":1}')]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model, messages, schema: Schema });
    expect(res.repairs).toBe(1);
    expect(res.attempts).toBe(2);
    const second = requests[1]!.messages as { role: string; content: string }[];
    expect(second.at(-2)).toEqual({ role: 'assistant', content: '{"label":"ca' });
    expect(second.at(-1)!.content).toMatch(/not valid JSON/);
  });

  it('schema-invalid content is repaired, then invalid_output with raw after the bound', async () => {
    const { model, requests } = chat([completion('{"label":1,"confidence":"high"}')]);
    const gw = createGateway({ clock: recordingClock(), maxRepairs: 2 });
    const err = await failure(gw.structured({ stage: 's', model, messages, schema: Schema }));
    expect(err.kind).toBe('invalid_output');
    expect(err.raw).toBe('{"label":1,"confidence":"high"}');
    expect(requests).toHaveLength(3);
  });

  it('a refusal (message.refusal) fails as kind refusal without retrying', async () => {
    const { model, requests } = chat([completion(null, { refusal: 'I cannot help with that.' })]);
    const gw = createGateway({ clock: recordingClock() });
    const err = await failure(gw.structured({ stage: 's', model, messages, schema: Schema }));
    expect(err.kind).toBe('refusal');
    expect(err.raw).toBe('I cannot help with that.');
    expect(requests).toHaveLength(1);
  });

  it('finish_reason length is re-asked as an invalid answer', async () => {
    const { model, requests } = chat([
      json(200, {
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini',
        choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant', content: '{"label":"car' } }],
        usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
      }),
      completion('{"label":"card","confidence":1}'),
    ]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model, messages, schema: Schema, maxTokens: 5 });
    expect(res.repairs).toBe(1);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.max_tokens).toBe(5);
    // The client drops the cut-off answer and its usage; the attempt was billed, so it is estimated (prompt +
    // maxTokens) on top of the second answer's reported 42 + 7.
    expect(res.usage).toEqual({ inputTokens: 42 + countMessagesTokens(messages), outputTokens: 7 + 5, estimated: true });
    expect(gw.usage().total).toMatchObject({ inputTokens: res.usage.inputTokens, outputTokens: 12, estimatedCalls: 1 });
  });

  it('user instances with LangChain retries and streaming on still make exactly one non-streamed request per attempt', async () => {
    const { model, requests } = chat([json(500, { error: { message: 'x' } })], { maxRetries: 6, streaming: true });
    const gw = createGateway({ clock: recordingClock(), retry: { maxAttempts: 2 } });
    const err = await failure(gw.structured({ stage: 's', model, messages, schema: Schema }));
    expect(err).toMatchObject({ kind: 'server', attempts: 2 });
    expect(requests).toHaveLength(2);
    expect(requests[0]!.stream).toBe(false);
  });

  it('returns logprobs', async () => {
    const { model, requests } = chat([
      completion('{"label":"card","confidence":1}', {}, {
        logprobs: { content: [{ token: '{"', logprob: -0.001, bytes: [123, 34], top_logprobs: [{ token: '{"', logprob: -0.001, bytes: [123, 34] }] }] },
      }),
    ]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model, messages, schema: Schema, logprobs: true });
    expect(requests[0]).toMatchObject({ logprobs: true, top_logprobs: 5 });
    expect(res.logprobs).toEqual([{ token: '{"', logprob: -0.001, top: [{ token: '{"', logprob: -0.001 }] }]);
  });

  it.each([
    ['429 + Retry-After', json(429, { error: { message: 'Rate limit', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': '2' }), 'rate_limit', [2000]],
    ['429 + retry-after-ms', json(429, { error: { message: 'Rate limit' } }, { 'retry-after-ms': '150' }), 'rate_limit', [150]],
    ['429 bare', json(429, { error: { message: 'Rate limit' } }), 'rate_limit', [500]],
    ['500', json(500, { error: { message: 'boom' } }), 'server', [500]],
    ['503', json(503, { error: { message: 'overloaded' } }), 'server', [500]],
    ['malformed body', new Response('{"id": "x", "choi', { status: 200, headers: { 'content-type': 'application/json' } }), 'server', [500]],
    ['connection reset', 'reset' as const, 'network', [500]],
    ['non-JSON body', new Response('<html>bad gateway</html>', { status: 200, headers: { 'content-type': 'text/html' } }), 'server', [500]],
    ['no choices', json(200, { id: 'x', object: 'chat.completion', choices: [] }), 'server', [500]],
    ['empty JSON body', new Response('', { status: 200, headers: { 'content-type': 'application/json' } }), 'server', [500]],
  ])('retries %s through the real client', async (_n, bad, kind, sleeps) => {
    const { model, requests } = chat([bad as Reply, completion('{"label":"card","confidence":1}')]);
    const clock = recordingClock();
    const kinds: string[] = [];
    const gw = createGateway({
      clock,
      random: () => 1,
      hooks: { emit: (n: string, p: { error: LlmError }) => void (n === 'llm:retry' && kinds.push(p.error.kind)) },
    });
    const res = await gw.structured({ stage: 's', model, messages, schema: Schema });
    expect(res.attempts).toBe(2);
    expect(requests).toHaveLength(2);
    expect(clock.sleeps).toEqual(sleeps);
    expect(kinds).toEqual([kind]);
  });

  it.each([
    ['400', json(400, { error: { message: 'bad', type: 'invalid_request_error' } }), 'bad_request'],
    ['401', json(401, { error: { message: 'Incorrect API key provided' } }), 'auth'],
    ['quota', json(429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }), 'quota'],
  ])('does not retry %s from the real client', async (_n, bad, kind) => {
    const { model, requests } = chat([bad, completion('{"label":"card","confidence":1}')]);
    const gw = createGateway({ clock: recordingClock() });
    const err = await failure(gw.structured({ stage: 's', model, messages, schema: Schema }));
    expect(err.kind).toBe(kind);
    expect(err.attempts).toBe(1);
    expect(requests).toHaveLength(1);
    expect(err.message).not.toContain(SECRET);
  });

  it('a hanging request times out per attempt and is retried', async () => {
    const { model, requests } = chat(['hang', completion('{"label":"card","confidence":1}')]);
    const clock = Object.assign(recordingClock(), {
      setTimer: (_ms: number, fn: () => void) => {
        const t = setTimeout(fn, 1);
        return () => clearTimeout(t);
      },
    });
    const gw = createGateway({ clock, random: () => 1, attemptTimeoutMs: 50 });
    const res = await gw.structured({ stage: 's', model, messages, schema: Schema });
    expect(res.attempts).toBe(2);
    expect(requests).toHaveLength(2);
  });

  it('caches successes on disk without the API key; failures leave no entry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taxonomist-openai-'));
    try {
      const { model, requests } = chat([json(500, { error: { message: 'x' } })]);
      const gw = createGateway({ clock: recordingClock(), cache: { dir }, retry: { maxAttempts: 2 } });
      await failure(gw.structured({ stage: 's', model, messages, schema: Schema }));
      expect(await readdir(dir)).toEqual([]);
      const ok = chat([completion('{"label":"card","confidence":1}')]);
      await gw.structured({ stage: 's', model: ok.model, messages, schema: Schema });
      const again = await gw.structured({ stage: 's', model: ok.model, messages, schema: Schema });
      expect(again.cached).toBe(true);
      expect(ok.requests).toHaveLength(1);
      expect(requests).toHaveLength(2);
      const sub = await readdir(dir);
      expect(sub).toHaveLength(1);
      const files = await readdir(join(dir, sub[0]!));
      expect(files).toHaveLength(1);
      const content = await readFile(join(dir, sub[0]!, files[0]!), 'utf8');
      expect(content).toContain('"label":"card"');
      expect(content).not.toContain(SECRET);
      expect(content).not.toContain('DO-NOT-LEAK');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('embeddings through OpenAIEmbeddings (base64 as the client asks), batched and cached per text', async () => {
    const { fetchFn, requests } = scriptedFetch([
      (body) => {
        const input = body.input as string[];
        const data = input.map((t, index) => {
          const f = new Float32Array([t.length, index, 0.5]);
          const embedding = body.encoding_format === 'base64' ? Buffer.from(f.buffer).toString('base64') : Array.from(f);
          return { object: 'embedding', index, embedding };
        });
        return json(200, { object: 'list', data, model: 'text-embedding-3-small', usage: { prompt_tokens: 3, total_tokens: 3 } });
      },
    ]);
    const emb = new OpenAIEmbeddings({
      model: 'text-embedding-3-small',
      apiKey: SECRET,
      maxRetries: 0,
      configuration: { baseURL: 'http://127.0.0.1:9/v1', fetch: fetchFn },
    });
    const gw = createGateway({ clock: recordingClock(), cache: { dir: await mkdtemp(join(tmpdir(), 'taxonomist-emb-')) }, embedBatchSize: 2 });
    const res = await gw.embed({ stage: 'embed', model: emb, texts: ['a', 'bb', 'a', 'ccc'] });
    expect(res.modelId).toBe('openai:text-embedding-3-small');
    expect(res.vectors.map((v) => v[0])).toEqual([1, 2, 1, 3]);
    expect(res.cachedCount).toBe(0);
    expect(requests.map((r) => r.input)).toEqual([['a', 'bb'], ['ccc']]);
    const again = await gw.embed({ stage: 'embed', model: emb, texts: ['ccc', 'a'] });
    expect(again.cachedCount).toBe(2);
    expect(again.vectors).toEqual([res.vectors[3], res.vectors[0]]);
    expect(requests).toHaveLength(2);
  });
});
