import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { inspect } from 'node:util';
import { z } from 'zod';
import { createGateway, createManualClock, isProviderConfigError } from '@taxonomist/core';
import { startOllamaServer, type FakeProviderServer } from '@taxonomist/testing';
import { ollamaPlugin, resolveOllamaSettings, OLLAMA_DEFAULT_BASE_URL } from '@taxonomist/ollama';

const TOKEN = 'ollama-VERY-SECRET-token';
const Label = z.object({ label: z.enum(['billing', 'card']) });

describe('resolveOllamaSettings', () => {
  it('needs no key and defaults to the local server; reads OLLAMA_BASE_URL and a bare OLLAMA_HOST', () => {
    expect(resolveOllamaSettings({ env: {} })).toEqual({ baseURL: OLLAMA_DEFAULT_BASE_URL });
    expect(resolveOllamaSettings({ env: { OLLAMA_HOST: '10.0.0.5:11434' } }).baseURL).toBe('http://10.0.0.5:11434');
    expect(resolveOllamaSettings({ env: { OLLAMA_BASE_URL: 'http://gpu:11434/', OLLAMA_API_KEY: 'k' } })).toEqual({ baseURL: 'http://gpu:11434', apiKey: 'k' });
  });

  it("rejects the OpenAI-compatible /v1 URL with a ProviderConfigError saying what to give instead", () => {
    let error: unknown;
    try {
      resolveOllamaSettings({ baseURL: 'http://localhost:11434/v1', env: {} });
    } catch (e) {
      error = e;
    }
    expect(isProviderConfigError(error)).toBe(true);
    expect(String(error)).toMatch(/native API: give http:\/\/localhost:11434/);
    expect(() => resolveOllamaSettings({ numCtx: 0, env: {} })).toThrow(/numCtx/);
  });
});

describe('ollamaPlugin against the fake native API', () => {
  let server: FakeProviderServer;
  beforeAll(async () => {
    server = await startOllamaServer({ apiKey: TOKEN, seed: 2 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.reset();
    server.setFaults([]);
  });

  it("'ollama:llama3.1' sends the JSON Schema as /api/chat format, with num_ctx, and embeds via /api/embed", async () => {
    const plugin = ollamaPlugin({ baseURL: server.url, apiKey: TOKEN, numCtx: 8192, env: {} });
    const gateway = createGateway({ providers: plugin.providers, clock: createManualClock() });
    const result = await gateway.structured({ stage: 't', model: 'ollama:llama3.1', messages: [{ role: 'user', content: 'double charge' }], schema: Label });
    expect(Label.safeParse(result.value).success).toBe(true);
    const chat = server.requests[0]!;
    expect(chat.path).toBe('/api/chat');
    expect(chat.structured).toMatchObject({ via: 'native_schema', field: 'format' });
    expect((chat.body as { format: { properties: object } }).format.properties).toHaveProperty('label');
    expect((chat.body as { options: { num_ctx: number } }).options.num_ctx).toBe(8192);
    expect(gateway.cost('ollama:llama3.1', { inputTokens: 1e6, outputTokens: 1e6 })).toBe(0);
    const embedded = await gateway.embed({ stage: 't', model: 'ollama:nomic-embed-text', texts: ['a', 'b'] });
    expect(embedded.vectors).toHaveLength(2);
    expect(server.requests.at(-1)!.path).toBe('/api/embed');
  });

  it('sends the token only as a bearer header: not in bodies, model JSON or inspect', async () => {
    const plugin = ollamaPlugin({ baseURL: server.url, apiKey: TOKEN, env: {} });
    expect(JSON.stringify(plugin)).not.toContain(TOKEN);
    const model = await plugin.providers![0]!.chatModel!('llama3.1', {});
    const embeddings = await plugin.providers![0]!.embeddings!('nomic-embed-text', {});
    await model.invoke('hi');
    await embeddings.embedQuery('hi');
    expect(server.requests.every((r) => r.status === 200)).toBe(true);
    for (const thing of [model, embeddings]) {
      expect(JSON.stringify(thing)).not.toContain(TOKEN);
      expect(inspect(thing, { depth: 8 })).not.toContain(TOKEN);
    }
    expect(JSON.stringify(server.requests)).not.toContain(TOKEN);
  });
});
