import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { inspect } from 'node:util';
import { z } from 'zod';
import { createGateway, createManualClock, isLlmError } from '@taxonomist/core';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import {
  openaiPlugin,
  createOpenAIProvider,
  resolveOpenAISettings,
  OpenAIConfigError,
  OPENAI_PRICES,
  PLACEHOLDER_API_KEY,
} from '@taxonomist/openai';

const SECRET = 'sk-proj-VERY-SECRET-abc123';
const Label = z.object({ label: z.enum(['billing', 'card']) });

describe('resolveOpenAISettings', () => {
  it('fails fast without a key for the public endpoint, naming the fix and not the key', () => {
    expect(() => resolveOpenAISettings({ env: {} })).toThrow(OpenAIConfigError);
    expect(() => resolveOpenAISettings({ env: {} })).toThrow(/OPENAI_API_KEY/);
    expect(() => resolveOpenAISettings({ env: { OPENAI_BASE_URL: 'https://api.openai.com/v1' } })).toThrow(/no API key/);
  });

  it('reads OPENAI_API_KEY / OPENAI_BASE_URL from the environment, explicit settings winning', () => {
    const fromEnv = resolveOpenAISettings({ env: { OPENAI_API_KEY: 'env-key', OPENAI_BASE_URL: 'http://localhost:8000/v1/' } });
    expect(fromEnv).toMatchObject({ apiKey: 'env-key', baseURL: 'http://localhost:8000/v1', isPublic: false });
    const explicit = resolveOpenAISettings({ apiKey: 'k2', baseURL: 'http://127.0.0.1:11434/v1', env: { OPENAI_API_KEY: 'env-key' } });
    expect(explicit).toMatchObject({ apiKey: 'k2', baseURL: 'http://127.0.0.1:11434/v1' });
    expect(resolveOpenAISettings({ env: { OPENAI_API_KEY: 'k' } })).toMatchObject({ baseURL: 'https://api.openai.com/v1', isPublic: true });
  });

  it('allows a local server without a key (placeholder key)', () => {
    expect(resolveOpenAISettings({ baseURL: 'http://localhost:11434/v1', env: {} }).apiKey).toBe(PLACEHOLDER_API_KEY);
  });

  it('rejects a base URL that is not http(s) and out-of-range topLogprobs', () => {
    expect(() => resolveOpenAISettings({ baseURL: 'localhost:11434', apiKey: 'k', env: {} })).toThrow(/not an http\(s\) URL/);
    expect(() => createOpenAIProvider({ baseURL: 'ftp://x' })).toThrow(/not an http\(s\) URL/);
    expect(() => resolveOpenAISettings({ apiKey: 'k', topLogprobs: 50, env: {} })).toThrow(/topLogprobs/);
  });
});

describe('openaiPlugin', () => {
  let server: OpenAIServer;
  beforeAll(async () => {
    server = await startOpenAIServer({ apiKey: SECRET });
  });
  afterAll(() => server.close());

  it("registers provider 'openai' with jsonSchema, logprobs and prices", () => {
    const plugin = openaiPlugin({ apiKey: SECRET });
    expect(plugin.name).toBe('@taxonomist/openai');
    const [provider] = plugin.providers!;
    expect(provider).toMatchObject({ id: 'openai', structuredMethod: 'jsonSchema', supportsLogprobs: true });
    expect(provider!.prices!['gpt-4o-mini']).toEqual(OPENAI_PRICES['gpt-4o-mini']);
  });

  it('never exposes the key in the plugin JSON, the model JSON or errors', async () => {
    const plugin = openaiPlugin({ apiKey: SECRET, baseURL: server.url });
    expect(JSON.stringify(plugin)).not.toContain(SECRET);
    const provider = plugin.providers![0]!;
    const model = await provider.chatModel!('gpt-4o-mini', {});
    expect(JSON.stringify(model)).not.toContain(SECRET);
    const embeddings = await provider.embeddings!('text-embedding-3-small', {});
    await embeddings.embedQuery('creates the underlying client, which holds the key');
    await model.invoke('same for chat');
    for (const thing of [model, embeddings]) {
      expect(JSON.stringify(thing)).not.toContain(SECRET);
      expect(inspect(thing, { depth: 10 })).not.toContain(SECRET);
    }
    // A failing call: the error (message, cause chain, JSON) must not carry the key either.
    server.setFaults([{ fault: { kind: 'auth' } }]);
    const gateway = createGateway({ providers: [provider], clock: createManualClock() });
    const error = await gateway.structured({ stage: 't', model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], schema: Label }).catch((e: unknown) => e);
    server.setFaults([]);
    expect(isLlmError(error) && error.kind).toBe('auth');
    const seen = new Set<unknown>();
    const dump = (e: unknown): string => {
      if (!e || typeof e !== 'object' || seen.has(e)) return '';
      seen.add(e);
      const o = e as Record<string, unknown>;
      return `${String(o.message)} ${String(o.stack)} ${JSON.stringify(o, (_k, v) => (typeof v === 'bigint' ? String(v) : v))} ${dump(o.cause)}`;
    };
    expect(dump(error)).not.toContain(SECRET);
    expect(JSON.stringify(server.requests)).not.toContain(SECRET);
  });

  it('missing key: creating a model for the public endpoint throws before any request', () => {
    const provider = createOpenAIProvider({ env: {} });
    expect(() => provider.chatModel!('gpt-4o-mini', {})).toThrow(/no API key/);
    expect(() => provider.embeddings!('text-embedding-3-small', {})).toThrow(/no API key/);
  });

  it("resolves 'openai:<model>' through the gateway and passes per-model settings over plugin settings", async () => {
    server.reset();
    const plugin = openaiPlugin({ apiKey: 'wrong-key', baseURL: server.url });
    const gateway = createGateway({
      providers: plugin.providers,
      providerSettings: { openai: { apiKey: SECRET } },
      clock: createManualClock(),
    });
    const result = await gateway.structured({ stage: 't', model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], schema: Label });
    expect(Label.safeParse(result.value).success).toBe(true);
    expect(result.modelId).toBe('openai:gpt-4o-mini');
    expect(server.requests.at(-1)!.body).toMatchObject({ model: 'gpt-4o-mini', response_format: { type: 'json_schema' } });
    expect(gateway.cost('openai:gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBeCloseTo(0.75);
  });

  it('keeps refusals visible (additional_kwargs.refusal), which @langchain/openai drops on its own', async () => {
    server.setFaults([{ fault: { kind: 'refusal', message: 'I will not.' } }]);
    try {
      const model = createOpenAIProvider({ apiKey: SECRET, baseURL: server.url }).chatModel!('gpt-4o-mini', {});
      const msg = await (await model).invoke('hi');
      expect(msg.additional_kwargs.refusal).toBe('I will not.');
      // The gateway derives per-call variants from the model's fields (new model.constructor({...fields, ...})):
      // the variant must keep the refusal handling and apply its own settings (here: logprobs).
      const Ctor = (await model).constructor as new (f: Record<string, unknown>) => typeof msg extends never ? never : Awaited<typeof model>;
      const variant = new Ctor({ ...((await model) as unknown as { fields: Record<string, unknown> }).fields, logprobs: true });
      const again = await variant.invoke('hi');
      expect(again.additional_kwargs.refusal).toBe('I will not.');
      expect((server.requests.at(-1)!.body as Record<string, unknown>).logprobs).toBe(true);
    } finally {
      server.setFaults([]);
    }
  });
});
