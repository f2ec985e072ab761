/**
 * The gateway binds a model (per-call settings variant, structured-output binding) once per model, schema and
 * settings instead of once per call: ChatOpenAI's withConfig builds a new ChatOpenAI and, on first use, a new openai
 * client, which cost more CPU than the rest of the gateway. Reuse must not change a single request or answer.
 */
import { afterEach, describe, it, expect, vi } from 'vitest';
import { z } from 'zod';
import { ChatOpenAI } from '@langchain/openai';
import { createGateway, LlmError } from '../../src/llm/index.js';
import { bindStructured } from '../../src/llm/model-call.js';
import { FakeChatModel, FakeToolChatModel, answer, recordingClock, toolAnswer } from './fakes.js';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

function completion(message: Record<string, unknown>, choiceExtra: Record<string, unknown> = {}) {
  return json({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', ...message }, ...choiceExtra }],
    usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
  });
}

/** A ChatOpenAI whose HTTP layer answers from a list (the last answer repeats) and records request bodies. */
function chat(replies: (() => Response)[]) {
  const requests: Record<string, unknown>[] = [];
  const fetchFn = async (_url: unknown, init?: RequestInit): Promise<Response> => {
    requests.push(JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>);
    return (replies.length > 1 ? replies.shift()! : replies[0]!)();
  };
  const model = new ChatOpenAI({
    model: 'gpt-4o-mini',
    apiKey: 'sk-test',
    maxRetries: 3,
    streaming: true,
    configuration: { baseURL: 'http://127.0.0.1:9/v1', fetch: fetchFn },
  });
  return { model, requests };
}

const Schema = z.object({ label: z.string() });
const ask = (i: number) => [{ role: 'user' as const, content: `text ${i}` }];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('binding reuse with the real ChatOpenAI', () => {
  it('binds once per model, schema and settings; every request is the same as with a fresh binding', async () => {
    const withConfig = vi.spyOn(ChatOpenAI.prototype, 'withConfig');
    const { model, requests } = chat([() => completion({ content: '{"label":"card"}' })]);
    const gw = createGateway({ clock: recordingClock() });
    for (let i = 0; i < 4; i++) {
      const res = await gw.structured({ stage: 's', model, messages: ask(i), schema: Schema, temperature: 0 });
      expect(res.value).toEqual({ label: 'card' });
      expect(res.usage).toEqual({ inputTokens: 42, outputTokens: 7 });
    }
    expect(withConfig).toHaveBeenCalledTimes(1);
    expect(requests).toHaveLength(4);
    const first = requests[0]!.response_format;
    expect(first).toMatchObject({ type: 'json_schema', json_schema: { name: 'response', strict: true, schema: { type: 'object' } } });
    requests.forEach((body, i) => {
      expect(body.messages).toEqual([{ role: 'user', content: `text ${i}` }]);
      // The variant keeps the gateway's settings: no LangChain streaming, the per-call temperature, the schema.
      expect(body.stream).toBe(false);
      expect(body.temperature).toBe(0);
      expect(body.response_format).toEqual(first);
    });
    // Another schema name, another temperature: new bindings, then reused as well.
    for (let i = 0; i < 2; i++) await gw.structured({ stage: 's', model, messages: ask(i), schema: Schema, schemaName: 'other' });
    for (let i = 0; i < 2; i++) await gw.structured({ stage: 's', model, messages: ask(i), schema: Schema, temperature: 0.7 });
    expect(withConfig).toHaveBeenCalledTimes(3);
    expect((requests[4]!.response_format as { json_schema: { name: string } }).json_schema.name).toBe('other');
    expect(requests[6]!.temperature).toBe(0.7);
  });

  it('a reused binding still keeps LangChain retries off, captures refusals, tolerates truncated JSON and sends logprobs', async () => {
    const { model, requests } = chat([
      () => completion({ content: '{"label":"a"}' }),
      () => completion({ content: '{"label":"tr' }), // truncated: parsed by our $parseRaw, then repaired
      () => completion({ content: '{"label":"b"}' }),
      () => completion({ content: null, refusal: "I can't help with that." }),
      () => new Response('{"error":{"message":"boom"}}', { status: 500, headers: { 'content-type': 'application/json' } }),
    ]);
    const gw = createGateway({ clock: recordingClock(), retry: { maxAttempts: 1 } });
    expect((await gw.structured({ stage: 's', model, messages: ask(0), schema: Schema })).value).toEqual({ label: 'a' });
    const repaired = await gw.structured({ stage: 's', model, messages: ask(1), schema: Schema });
    expect(repaired).toMatchObject({ value: { label: 'b' }, repairs: 1 });
    const refusal = await gw.structured({ stage: 's', model, messages: ask(2), schema: Schema }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(LlmError);
    expect(refusal).toMatchObject({ kind: 'refusal', raw: "I can't help with that." });
    // maxRetries 3 on the user's instance: one request per gateway attempt all the same.
    const before = requests.length;
    await expect(gw.structured({ stage: 's', model, messages: ask(3), schema: Schema })).rejects.toMatchObject({ kind: 'server' });
    expect(requests.length - before).toBe(1);
  });

  it('logprobs variants are bound once and every request asks for them', async () => {
    const withConfig = vi.spyOn(ChatOpenAI.prototype, 'withConfig');
    const logprobs = { content: [{ token: '{"', logprob: -0.01, bytes: [123, 34], top_logprobs: [] }] };
    const { model, requests } = chat([() => completion({ content: '{"label":"card"}' }, { logprobs })]);
    const gw = createGateway({ clock: recordingClock() });
    for (let i = 0; i < 3; i++) {
      const res = await gw.structured({ stage: 's', model, messages: ask(i), schema: Schema, logprobs: true });
      expect(res.logprobs).toEqual([{ token: '{"', logprob: -0.01, top: [] }]);
    }
    expect(withConfig).toHaveBeenCalledTimes(1);
    for (const body of requests) expect(body).toMatchObject({ logprobs: true, top_logprobs: 5, stream: false });
  });
});

describe('bindStructured reuse', () => {
  const jsonSchema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'], additionalProperties: false };

  it('returns the same runnable for the same model, schema object, method and name, and a new one otherwise', () => {
    const model = new FakeToolChatModel([]);
    const msgs = [{ role: 'user' as const, content: 'hi' }];
    const a = bindStructured(model, 'functionCalling', jsonSchema, 'answer', msgs);
    const b = bindStructured(model, 'functionCalling', jsonSchema, 'answer', [{ role: 'user', content: 'other' }]);
    expect(b.runnable).toBe(a.runnable);
    expect(b.messages).toEqual([{ role: 'user', content: 'other' }]);
    expect(bindStructured(model, 'functionCalling', jsonSchema, 'other', msgs).runnable).not.toBe(a.runnable);
    expect(bindStructured(model, 'functionCalling', { ...jsonSchema }, 'answer', msgs).runnable).not.toBe(a.runnable);
    expect(bindStructured(new FakeToolChatModel([]), 'functionCalling', jsonSchema, 'answer', msgs).runnable).not.toBe(a.runnable);
    expect(bindStructured(model, 'jsonMode', jsonSchema, 'answer', msgs).runnable).not.toBe(a.runnable);
  });

  it('prompt-based methods still add the JSON instructions to each call\'s messages', () => {
    const model = new FakeChatModel([]);
    for (const method of ['jsonMode', 'prompt'] as const) {
      for (const content of ['first', 'second']) {
        const { messages } = bindStructured(model, method, jsonSchema, 'answer', [{ role: 'user', content }]);
        expect(messages).toHaveLength(2);
        expect(messages[0]!.role).toBe('system');
        expect(messages[0]!.content).toContain('"answer"');
        expect(messages[1]).toEqual({ role: 'user', content });
      }
    }
  });

  it('tool-calling models answer through a reused binding call after call', async () => {
    const model = new FakeToolChatModel([], { fallback: toolAnswer('response', { n: 3 }) });
    const gw = createGateway({ clock: recordingClock() });
    const schema = z.object({ n: z.number() });
    for (let i = 0; i < 3; i++) expect((await gw.structured({ stage: 's', model, messages: ask(i), schema })).value).toEqual({ n: 3 });
    expect(model.calls).toHaveLength(3);
    for (const call of model.calls) expect(call.options.tools).toHaveLength(1);
    // A plain model through the prompt method: the instructions are in every call.
    const plain = new FakeChatModel([], { fallback: answer('{"n":1}') });
    for (let i = 0; i < 2; i++) await gw.structured({ stage: 's', model: plain, messages: ask(i), schema });
    for (const call of plain.calls) expect(String(call.messages[0]!.content)).toContain('JSON Schema');
  });
});
