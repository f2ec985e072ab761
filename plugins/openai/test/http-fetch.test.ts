import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { createGateway, isLlmError } from '@taxonomist/core';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { createHttpFetch, createOpenAIProvider, resolveOpenAISettings } from '@taxonomist/openai';

const Label = z.object({ label: z.enum(['billing', 'card', 'fraud']) });

describe('the http transport (createHttpFetch)', () => {
  let server: OpenAIServer;
  let plain: Server;
  let plainUrl: string;
  beforeAll(async () => {
    server = await startOpenAIServer({ seed: 3 });
    // A bare server for what the OpenAI test server does not do: gzip bodies and redirects.
    plain = createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(307, { location: '/gzip' });
        return res.end();
      }
      const body = gzipSync(JSON.stringify({ ok: true, method: req.method, len: req.headers['content-length'] ?? null }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(body.length) });
      res.end(body);
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const addr = plain.address() as { port: number };
    plainUrl = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    await server.close();
    plain.closeAllConnections();
    await new Promise((r) => plain.close(r));
  });

  it('gives the gateway the same answers, usage and request bodies as Node fetch', async () => {
    const run = async (transport: 'http' | 'fetch') => {
      server.reset();
      const gateway = createGateway({ providers: [createOpenAIProvider({ baseURL: server.url, apiKey: 'sk-test', transport })], maxConcurrency: 4 });
      const results = await Promise.all(
        ['my card is lost', 'double charge on my bill', 'someone used my card', 'refund please'].map((text) =>
          gateway.structured({ stage: 'test', model: 'openai:gpt-4o-mini', schema: Label, temperature: 0, messages: [{ role: 'user', content: text }] }),
        ),
      );
      const bodies = server.requests.map((r) => JSON.stringify(r.body)).sort();
      return { answers: results.map((r) => [r.value, r.usage, r.raw]), bodies };
    };
    const viaHttp = await run('http');
    const viaFetch = await run('fetch');
    expect(viaHttp.bodies).toHaveLength(4);
    expect(viaHttp).toEqual(viaFetch);
  });

  it('closes the request on abort and rejects with the AbortError, like fetch', async () => {
    server.reset();
    server.setFaults([{ fault: { kind: 'hang' } }]);
    try {
      const httpFetch = createHttpFetch();
      const controller = new AbortController();
      const pending = httpFetch(`${server.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        signal: controller.signal,
      });
      await new Promise((r) => setTimeout(r, 100));
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      await new Promise((r) => setTimeout(r, 100));
      expect(server.requests[0]!.closedBeforeResponse).toBe(true);
    } finally {
      server.setFaults([]);
    }
  });

  it('turns a reset connection and a body cut off mid-way into network errors the gateway retries', async () => {
    for (const kind of ['reset', 'truncated_body'] as const) {
      server.reset();
      server.setFaults([{ fault: { kind }, times: 1 }]);
      const gateway = createGateway({ providers: [createOpenAIProvider({ baseURL: server.url, apiKey: 'sk-test' })], retry: { baseDelayMs: 1, maxDelayMs: 2 } });
      const result = await gateway.structured({ stage: 'test', model: 'openai:gpt-4o-mini', schema: Label, messages: [{ role: 'user', content: kind }] });
      expect(result.attempts, kind).toBe(2);
      server.setFaults([{ fault: { kind } }]);
      const failing = createGateway({ providers: [createOpenAIProvider({ baseURL: server.url, apiKey: 'sk-test' })], retry: { maxAttempts: 1 } });
      const err = await failing
        .structured({ stage: 'test', model: 'openai:gpt-4o-mini', schema: Label, messages: [{ role: 'user', content: kind }] })
        .catch((e: unknown) => e);
      expect(isLlmError(err) && err.kind, kind).toBe('network');
    }
    server.setFaults([]);
  });

  it('decodes gzip bodies, follows redirects through fetch, and hands other bodies to fetch', async () => {
    const calls: string[] = [];
    const fallback = ((input: string | URL | Request, init?: RequestInit) => {
      calls.push(String(input));
      return fetch(input, init);
    }) as typeof fetch;
    const httpFetch = createHttpFetch({ fallback });
    const res = await httpFetch(`${plainUrl}/gzip`, { method: 'POST', body: 'abc' });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.json()).toEqual({ ok: true, method: 'POST', len: '3' });
    expect(calls).toEqual([]);
    expect(await (await httpFetch(`${plainUrl}/redirect`, { method: 'GET' })).json()).toMatchObject({ ok: true, method: 'GET' });
    expect(calls).toEqual([`${plainUrl}/redirect`]);
    const form = new FormData();
    form.set('purpose', 'batch');
    await httpFetch(`${plainUrl}/upload`, { method: 'POST', body: form });
    expect(calls).toHaveLength(2);
  });

  it("is the default; transport 'fetch' keeps Node's fetch; anything else is refused", () => {
    expect(resolveOpenAISettings({ baseURL: 'http://localhost:1/v1', env: {} }).transport).toBe('http');
    expect(resolveOpenAISettings({ baseURL: 'http://localhost:1/v1', env: {}, transport: 'fetch' }).transport).toBe('fetch');
    expect(() => resolveOpenAISettings({ baseURL: 'http://localhost:1/v1', env: {}, transport: 'curl' as 'http' })).toThrow(/transport/);
    const fields = (p: 'http' | 'fetch') =>
      (createOpenAIProvider({ baseURL: 'http://localhost:1/v1', apiKey: 'k', transport: p }).chatModel!('gpt-4o-mini', {}) as unknown as {
        fields: { configuration: { fetch?: unknown } };
      }).fields.configuration;
    expect(typeof fields('http').fetch).toBe('function');
    expect(fields('fetch').fetch).toBeUndefined();
  });
});
