import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { createGateway, PriceBook, DEFAULT_PRICES, LlmError } from '../../src/llm/index.js';
import { countMessagesTokens, countTokens } from '../../src/tokens/index.js';
import type { ProviderDefinition } from '../../src/plugins/types.js';
import { FakeChatModel, FakeEmbeddings, answer, apiError, recordingClock } from './fakes.js';

const Schema = z.object({ ok: z.boolean() });
const msgs = [{ role: 'user' as const, content: 'hello' }];

describe('accounting', () => {
  it('counts calls, cached, failed, attempts and tokens per stage and model, with costs', async () => {
    const mini = new FakeChatModel(
      [answer('{"ok":true}', { input_tokens: 1_000_000, output_tokens: 100_000 }), apiError(500), answer('{"ok":true}', { input_tokens: 10, output_tokens: 2 }), apiError(401)],
      { type: 'openai', model: 'gpt-4o-mini' },
    );
    const big = new FakeChatModel([answer('{"ok":false}', { input_tokens: 2000, output_tokens: 500 })], { type: 'openai', model: 'gpt-4o-2024-08-06' });
    const gw = createGateway({ clock: recordingClock(), cache: new (await import('../../src/llm/index.js')).MemoryCacheStore() });
    await gw.structured({ stage: 'summarize', model: mini, messages: msgs, schema: Schema });
    await gw.structured({ stage: 'summarize', model: mini, messages: msgs, schema: Schema }); // cached
    await gw.structured({ stage: 'label', model: mini, messages: [{ role: 'user', content: 'x' }], schema: Schema }); // 500 then ok
    await expect(gw.structured({ stage: 'label', model: mini, messages: [{ role: 'user', content: 'y' }], schema: Schema })).rejects.toBeInstanceOf(LlmError);
    await gw.structured({ stage: 'label', model: big, messages: msgs, schema: Schema });

    const u = gw.usage();
    expect(u.rows.map((r) => `${r.stage}/${r.model}`)).toEqual(['label/openai:gpt-4o-2024-08-06', 'label/openai:gpt-4o-mini', 'summarize/openai:gpt-4o-mini']);
    expect(u.rows[2]).toMatchObject({ calls: 2, cachedCalls: 1, failedCalls: 0, attempts: 1, inputTokens: 1_000_000, outputTokens: 100_000 });
    expect(u.rows[2]!.costUsd).toBeCloseTo(0.15 + 0.06, 10);
    expect(u.rows[1]).toMatchObject({ calls: 2, cachedCalls: 0, failedCalls: 1, attempts: 3, inputTokens: 10, outputTokens: 2 });
    // Dated snapshot priced as gpt-4o: 2000 x 2.5 + 500 x 10 per 1M.
    expect(u.rows[0]!.costUsd).toBeCloseTo((2000 * 2.5 + 500 * 10) / 1e6, 12);
    expect(u.byStage.label).toMatchObject({ calls: 3, failedCalls: 1, attempts: 4, inputTokens: 2010, outputTokens: 502 });
    expect(u.byModel['openai:gpt-4o-mini']).toMatchObject({ calls: 4, cachedCalls: 1, attempts: 4 });
    expect(u.total).toMatchObject({ calls: 5, cachedCalls: 1, failedCalls: 1, attempts: 5, inputTokens: 1_002_010, outputTokens: 100_502 });
    expect(u.total.costUsd).toBeCloseTo(u.rows.reduce((s, r) => s + r.costUsd, 0), 12);
  });

  it('estimates tokens with tiktoken when the provider reports no usage, and marks them', async () => {
    const model = new FakeChatModel([new (await import('@langchain/core/messages')).AIMessage('{"ok":true}')]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model, messages: msgs, schema: Schema });
    expect(res.usage.estimated).toBe(true);
    expect(res.usage.outputTokens).toBe(countTokens('{"ok":true}'));
    expect(res.usage.outputTokens).toBeGreaterThan(2);
    expect(res.usage.inputTokens).toBeGreaterThan(20); // prompt incl. the JSON instructions
    expect(gw.usage().total.estimatedCalls).toBe(1);
  });

  it('price overrides: user prices beat provider prices beat defaults', () => {
    const book = new PriceBook({ 'gpt-4o-mini': { input: 1, output: 1 } });
    book.addProviderPrices('openai', { 'gpt-4o-mini': { input: 9, output: 9 }, 'my-model': { input: 3, output: 4 } });
    expect(book.price('openai:gpt-4o-mini')).toEqual({ input: 1, output: 1 });
    expect(book.price('openai:my-model')).toEqual({ input: 3, output: 4 });
    expect(book.price('other:my-model')).toBeUndefined();
    expect(book.price('openai:gpt-4.1-mini-2025-04-14')).toEqual(DEFAULT_PRICES['gpt-4.1-mini']);
    expect(book.price('openai:gpt-4.1-2025-04-14')).toEqual(DEFAULT_PRICES['gpt-4.1']);
    expect(book.cost('openai:my-model', { inputTokens: 1e6, outputTokens: 5e5 })).toBe(5);
    expect(book.cost('unknown:model', { inputTokens: 1e6, outputTokens: 1e6 })).toBe(0);
    const gw = createGateway({ prices: { 'custom:x': { input: 10, output: 20 } } });
    expect(gw.cost('custom:x', { inputTokens: 100_000, outputTokens: 100_000 })).toBeCloseTo(3, 12);
    expect(gw.cost('openai:text-embedding-3-small', { inputTokens: 1e6, outputTokens: 0 })).toBeCloseTo(0.02, 12);
  });
});

describe('resolution through providers', () => {
  it('resolves provider:model ids once, hands settings to the factory, uses provider prices and method', async () => {
    const created: { name: string; settings: unknown }[] = [];
    const model = new FakeChatModel([], { fallback: answer('{"ok":true}', { input_tokens: 1e6, output_tokens: 0 }) });
    const provider: ProviderDefinition = {
      id: 'acme',
      chatModel: (name, settings) => {
        created.push({ name, settings });
        return model;
      },
      embeddings: () => new FakeEmbeddings(),
      structuredMethod: 'jsonMode',
      prices: { 'big:v2': { input: 7, output: 0 } },
    };
    const gw = createGateway({ clock: recordingClock(), providers: [provider], providerSettings: { acme: { apiKey: 'k', baseURL: 'u' } } });
    const r = await gw.resolveChatModel('acme:big:v2');
    expect(r).toMatchObject({ id: 'acme:big:v2', structuredMethod: 'jsonMode', supportsLogprobs: false });
    await gw.structured({ stage: 's', model: 'acme:big:v2', messages: msgs, schema: Schema });
    await gw.structured({ stage: 's', model: 'acme:big:v2', messages: msgs, schema: Schema });
    expect(created).toEqual([{ name: 'big:v2', settings: { apiKey: 'k', baseURL: 'u' } }]);
    expect(model.calls[0]!.options.response_format).toEqual({ type: 'json_object' });
    expect(gw.usage().total.costUsd).toBeCloseTo(14, 10);
    expect((await gw.resolveEmbeddings('acme:e1')).id).toBe('acme:e1');
  });

  it('uses a resolver (plugin host) for providers and hooks', async () => {
    const events: string[] = [];
    const model = new FakeChatModel([answer('{"ok":true}')]);
    const host = {
      getProvider: (id: string) => (id === 'p' ? { id: 'p', chatModel: () => model } : undefined),
      providers: () => ['p'],
      emit: (name: string) => void events.push(name),
    };
    const gw = createGateway({ clock: recordingClock(), resolver: host });
    await gw.text({ stage: 's', model: 'p:m', messages: msgs });
    expect(events).toEqual(['llm:request', 'llm:response']);
    await expect(gw.text({ stage: 's', model: 'q:m', messages: msgs })).rejects.toThrow(/no provider "q" is registered \(known: p\)/);
    await expect(gw.text({ stage: 's', model: 'nocolon', messages: msgs })).rejects.toThrow(/provider:model/);
  });

  it('derives ids for instances and rejects duplicate providers', async () => {
    const gw = createGateway();
    expect((await gw.resolveChatModel(new FakeChatModel([], { type: 'ollama', model: 'llama3:8b' }))).id).toBe('ollama:llama3:8b');
    expect((await gw.resolveEmbeddings(new FakeEmbeddings())).id).toBe('fake:fake-embed');
    expect(() => createGateway({ providers: [{ id: 'a' }, { id: 'a' }] })).toThrow(/duplicate provider id "a"/);
  });
});

describe('embed()', () => {
  it('batches, dedupes, retries and accounts', async () => {
    const emb = new FakeEmbeddings([apiError(503)]);
    const clock = recordingClock();
    const gw = createGateway({ clock, embedBatchSize: 2, random: () => 1, maxConcurrency: 1 });
    const res = await gw.embed({ stage: 'embed', model: emb, texts: ['a', 'b', 'a', 'c', 'd'] });
    expect(res.vectors).toHaveLength(5);
    expect(res.vectors[2]).toEqual(res.vectors[0]);
    // The failed batch backs off and frees its slot, so the second batch goes first.
    expect(emb.batches).toEqual([['a', 'b'], ['c', 'd'], ['a', 'b']]);
    expect(clock.sleeps).toEqual([500]);
    expect(gw.usage().total).toMatchObject({ calls: 1, attempts: 3, inputTokens: 4, outputTokens: 0, estimatedCalls: 1 });
  });

  it('fails with invalid_output when the provider returns the wrong number of vectors', async () => {
    const emb = new FakeEmbeddings();
    emb.embedDocuments = async (texts: string[]) => texts.slice(1).map(() => [1, 2]);
    const gw = createGateway({ clock: recordingClock() });
    await expect(gw.embed({ stage: 'e', model: emb, texts: ['a', 'b'] })).rejects.toMatchObject({ kind: 'invalid_output' });
    expect(gw.usage().total.failedCalls).toBe(1);
  });

  it('does not retry a 400 and aborts at once', async () => {
    const emb = new FakeEmbeddings([apiError(400)]);
    const gw = createGateway({ clock: recordingClock() });
    await expect(gw.embed({ stage: 'e', model: emb, texts: ['a'] })).rejects.toMatchObject({ kind: 'bad_request', attempts: 1 });
    await expect(gw.embed({ stage: 'e', model: emb, texts: ['a'], signal: AbortSignal.abort() })).rejects.toMatchObject({ kind: 'aborted' });
    expect(emb.batches).toHaveLength(1);
  });
});

describe('failed and repaired calls are billed', () => {
  const prices = { 'fake:scripted': { input: 1, output: 2 } };
  const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('the call should fail') as never, (e: unknown) => e as LlmError);
  /** The messages one scripted call received, as gateway messages (to count them like the gateway does). */
  const sent = (call: { messages: { getType(): string; content: unknown }[] }) =>
    call.messages.map((m) => ({ role: ({ system: 'system', human: 'user', ai: 'assistant' } as const)[m.getType() as 'system'], content: String(m.content) }));

  it('a repaired call that succeeds counts the tokens of every attempt, in the result and the ledger', async () => {
    const model = new FakeChatModel([
      answer('not json', { input_tokens: 100, output_tokens: 10 }),
      answer('{"ok":"yes"}', { input_tokens: 120, output_tokens: 20 }),
      answer('{"ok":true}', { input_tokens: 140, output_tokens: 30 }),
    ]);
    const gw = createGateway({ clock: recordingClock(), prices });
    const res = await gw.structured({ stage: 's', model, messages: msgs, schema: Schema });
    expect(res).toMatchObject({ repairs: 2, attempts: 3, usage: { inputTokens: 360, outputTokens: 60 } });
    expect(gw.usage().total).toMatchObject({ calls: 1, failedCalls: 0, attempts: 3, inputTokens: 360, outputTokens: 60 });
    expect(gw.usage().total.costUsd).toBeCloseTo((360 * 1 + 60 * 2) / 1e6, 12);
  });

  it('invalid output after the repairs: the answered attempts are on error.usage and in the ledger', async () => {
    const model = new FakeChatModel([answer('nope', { input_tokens: 100, output_tokens: 10 }), answer('{"ok":1}', { input_tokens: 130, output_tokens: 12 })]);
    const gw = createGateway({ clock: recordingClock(), prices });
    const err = await failure(gw.structured({ stage: 's', model, messages: msgs, schema: Schema, maxRepairs: 1 }));
    expect(err).toMatchObject({ kind: 'invalid_output', attempts: 2, usage: { inputTokens: 230, outputTokens: 22 } });
    expect(gw.usage().total).toMatchObject({ calls: 1, failedCalls: 1, attempts: 2, inputTokens: 230, outputTokens: 22 });
    expect(gw.usage().total.costUsd).toBeCloseTo(gw.cost('fake:scripted', err.usage!), 12);
    expect(gw.usage().total.costUsd).toBeGreaterThan(0);
  });

  it('a refusal after a re-ask carries both attempts; a transport failure without an answer carries none', async () => {
    const refusal = new (await import('@langchain/core/messages')).AIMessage({
      content: '',
      additional_kwargs: { refusal: 'no' },
      usage_metadata: { input_tokens: 50, output_tokens: 3, total_tokens: 53 },
    });
    const model = new FakeChatModel([answer('nope', { input_tokens: 40, output_tokens: 4 }), refusal]);
    const gw = createGateway({ clock: recordingClock(), prices });
    const err = await failure(gw.structured({ stage: 's', model, messages: msgs, schema: Schema }));
    expect(err).toMatchObject({ kind: 'refusal', attempts: 2, usage: { inputTokens: 90, outputTokens: 7 } });

    const down = new FakeChatModel([apiError(401)]);
    const gw2 = createGateway({ clock: recordingClock(), prices });
    const err2 = await failure(gw2.structured({ stage: 's', model: down, messages: msgs, schema: Schema }));
    expect(err2.kind).toBe('auth');
    expect(err2.usage).toBeUndefined();
    expect(gw2.usage().total).toMatchObject({ failedCalls: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 });
  });

  it('an answer the client discarded (cut off at maxTokens, content filter) is billed as an estimate', async () => {
    const cut = () => Object.assign(new Error('Could not parse response content as the length limit was reached'), { name: 'LengthFinishReasonError' });
    const filtered = () => Object.assign(new Error('rejected by the content filter'), { name: 'ContentFilterFinishReasonError' });

    // Cut off, then a good answer: the repaired call counts the cut-off attempt (prompt + maxTokens, estimated).
    const model = new FakeChatModel([cut(), answer('{"ok":true}', { input_tokens: 10, output_tokens: 5 })]);
    const gw = createGateway({ clock: recordingClock(), prices });
    const res = await gw.structured({ stage: 's', model, messages: msgs, schema: Schema, maxTokens: 64 });
    const firstPrompt = countMessagesTokens(sent(model.calls[0]!));
    expect(res).toMatchObject({ repairs: 1, attempts: 2, usage: { inputTokens: 10 + firstPrompt, outputTokens: 5 + 64, estimated: true } });
    expect(gw.usage().total).toMatchObject({ inputTokens: 10 + firstPrompt, outputTokens: 69, estimatedCalls: 1 });

    // Cut off every time: the failure carries all the estimates.
    const always = new FakeChatModel([cut(), cut()]);
    const gw2 = createGateway({ clock: recordingClock(), prices });
    const err = await failure(gw2.structured({ stage: 's', model: always, messages: msgs, schema: Schema, maxTokens: 8, maxRepairs: 1 }));
    const prompts = always.calls.map((c) => countMessagesTokens(sent(c)));
    expect(err).toMatchObject({ kind: 'invalid_output', attempts: 2, usage: { inputTokens: prompts[0]! + prompts[1]!, outputTokens: 16, estimated: true } });
    expect(gw2.usage().total).toMatchObject({ failedCalls: 1, inputTokens: prompts[0]! + prompts[1]!, outputTokens: 16 });

    // Content filter after an invalid answer: attempts and tokens of both (the filtered answer's prompt only).
    const filter = new FakeChatModel([answer('nope', { input_tokens: 40, output_tokens: 4 }), filtered()]);
    const gw3 = createGateway({ clock: recordingClock(), prices });
    const err3 = await failure(gw3.structured({ stage: 's', model: filter, messages: msgs, schema: Schema }));
    expect(err3).toMatchObject({ kind: 'refusal', attempts: 2, usage: { inputTokens: 40 + countMessagesTokens(sent(filter.calls[1]!)), outputTokens: 4, estimated: true } });
  });

  it('an abort between re-asks still reports the answered attempt', async () => {
    const ctl = new AbortController();
    const model = new FakeChatModel([
      answer('nope', { input_tokens: 40, output_tokens: 4 }),
      () => {
        ctl.abort();
        return 'hang' as const;
      },
    ]);
    const gw = createGateway({ clock: recordingClock(), prices });
    const err = await failure(gw.structured({ stage: 's', model, messages: msgs, schema: Schema, signal: ctl.signal }));
    expect(err).toMatchObject({ kind: 'aborted', usage: { inputTokens: 40, outputTokens: 4 } });
    expect(gw.usage().total).toMatchObject({ failedCalls: 1, inputTokens: 40, outputTokens: 4 });
  });
});
