import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { inspect } from 'node:util';
import { z } from 'zod';
import { createGateway, createManualClock, isLlmError, isProviderConfigError } from '@taxonomist/core';
import { startGoogleServer, type FakeProviderServer } from '@taxonomist/testing';
import { googlePlugin, createGoogleProvider, resolveGoogleSettings, describeGoogleError } from '@taxonomist/google';

const SECRET = 'AIza-VERY-SECRET-key';
const Label = z.object({ label: z.enum(['billing', 'card']) });

describe('resolveGoogleSettings', () => {
  it('reads GOOGLE_API_KEY then GEMINI_API_KEY; none is a ProviderConfigError naming both', () => {
    expect(resolveGoogleSettings({ env: { GEMINI_API_KEY: 'g' } }).apiKey).toBe('g');
    expect(resolveGoogleSettings({ env: { GOOGLE_API_KEY: 'a', GEMINI_API_KEY: 'g' } }).apiKey).toBe('a');
    let error: unknown;
    try {
      resolveGoogleSettings({ env: {} });
    } catch (e) {
      error = e;
    }
    expect(isProviderConfigError(error)).toBe(true);
    expect(String(error)).toMatch(/GOOGLE_API_KEY.*GEMINI_API_KEY/);
  });

  it("turns Gemini's RetryInfo into a retry-after-ms header and API_KEY_INVALID into 401", () => {
    const limited = describeGoogleError(Object.assign(new Error('x'), { status: 429, errorDetails: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }] })) as { headers: Headers };
    expect(limited.headers.get('retry-after-ms')).toBe('1500');
    const badKey = describeGoogleError(Object.assign(new Error('x'), { status: 400, errorDetails: [{ reason: 'API_KEY_INVALID' }] })) as { status: number };
    expect(badKey.status).toBe(401);
  });
});

describe('googlePlugin against the fake Gemini API', () => {
  let server: FakeProviderServer;
  beforeAll(async () => {
    server = await startGoogleServer({ apiKey: SECRET, seed: 4 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.reset();
    server.setFaults([]);
  });

  it("'google:gemini-2.5-flash' sends responseSchema; functionCalling forces the tool (mode ANY)", async () => {
    const providers = googlePlugin({ apiKey: SECRET, baseURL: server.url }).providers;
    const gateway = createGateway({ providers, clock: createManualClock() });
    const result = await gateway.structured({ stage: 't', model: 'google:gemini-2.5-flash', messages: [{ role: 'system', content: 'Label it.' }, { role: 'user', content: 'card lost' }], schema: Label });
    expect(Label.safeParse(result.value).success).toBe(true);
    const req = server.requests[0]!;
    expect(req.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(req.headers['x-goog-api-key']).toBe('[REDACTED]');
    expect(req.structured).toMatchObject({ via: 'native_schema', field: 'generationConfig.responseSchema' });
    expect(req.messages![0]).toEqual({ role: 'system', content: 'Label it.' });
    const chat = await providers![0]!.chatModel!('gemini-2.5-flash', {});
    await gateway.structured({ stage: 't', model: { id: 'google:gemini-2.5-flash', model: chat, structuredMethod: 'functionCalling' }, messages: [{ role: 'user', content: 'x' }], schema: Label, schemaName: 'label' });
    expect((server.requests.at(-1)!.body as { toolConfig: unknown }).toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['label'] } });
  });

  it('a failed embeddings batch is an error, never empty vectors', async () => {
    server.setFaults([{ fault: { kind: 'server_error', status: 500 }, endpoint: 'embeddings' }]);
    const gateway = createGateway({ providers: googlePlugin({ apiKey: SECRET, baseURL: server.url }).providers, clock: createManualClock(), retry: { maxAttempts: 1 } });
    const error = await gateway.embed({ stage: 't', model: 'google:gemini-embedding-001', texts: ['a', 'b'] }).catch((e: unknown) => e);
    expect(isLlmError(error) && error.kind).toBe('server');
  });

  it('never exposes the key: plugin, models (JSON and inspect), recorded requests', async () => {
    const provider = createGoogleProvider({ apiKey: SECRET, baseURL: server.url });
    expect(JSON.stringify(googlePlugin({ apiKey: SECRET }))).not.toContain(SECRET);
    const chat = await provider.chatModel!('gemini-2.5-flash', {});
    const embeddings = await provider.embeddings!('gemini-embedding-001', {});
    await chat.invoke('hi');
    await embeddings.embedDocuments(['hi']);
    for (const thing of [chat, embeddings]) {
      expect(JSON.stringify(thing)).not.toContain(SECRET);
      expect(inspect(thing, { depth: 8 })).not.toContain(SECRET);
    }
    expect(JSON.stringify(server.requests)).not.toContain(SECRET);
  });
});
