/**
 * End-to-end embeddings: the gateway driving the REAL @langchain/openai OpenAIEmbeddings (maxRetries 0) against the
 * local server, with the openai client's default base64 encoding and with floats, batching, faults and the cache.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAIEmbeddings } from '@langchain/openai';
import type { Embeddings } from '@langchain/core/embeddings';
import { createGateway, createManualClock, isLlmError } from '@taxonomist/core';
import { hashedEmbedding, startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { createOpenAIProvider } from '@taxonomist/openai';

const DIMS = 24;
const TEXTS = ['card has not arrived', 'refund my last payment', 'lost my card yesterday', 'card has not arrived yet', 'change my PIN'];

let server: OpenAIServer;
let cacheDir: string;
beforeAll(async () => {
  server = await startOpenAIServer({ seed: 2 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.setFaults([]);
  cacheDir = mkdtempSync(join(tmpdir(), 'taxonomist-e2e-embed-'));
});
afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

const cacheFiles = () => readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));

function pluginEmbeddings(): Embeddings {
  return createOpenAIProvider({ apiKey: 'k', baseURL: server.url, dimensions: DIMS }).embeddings!('text-embedding-3-small', {}) as Embeddings;
}

function setup(model: Embeddings, batchSize = 64) {
  const clock = createManualClock();
  const gateway = createGateway({
    clock,
    cache: { dir: cacheDir },
    retry: { maxAttempts: 3, baseDelayMs: 100, jitter: false },
    embedBatchSize: batchSize,
  });
  const embed = () => gateway.embed({ stage: 'embed', model: { id: 'openai:text-embedding-3-small', model }, texts: TEXTS });
  return { gateway, embed, sleeps: clock.sleeps };
}

function expectServerVectors(vectors: number[][]) {
  expect(vectors).toHaveLength(TEXTS.length);
  vectors.forEach((v, i) => {
    const expected = hashedEmbedding(TEXTS[i]!, DIMS);
    expect(v).toHaveLength(DIMS);
    // float32 on the wire: equal to ~7 significant digits.
    v.forEach((x, j) => expect(x).toBeCloseTo(expected[j]!, 6));
  });
}

describe('gateway + OpenAIEmbeddings against the local server', () => {
  it('decodes the base64 float32 vectors the openai client asks for by default', async () => {
    const { embed } = setup(pluginEmbeddings());
    const result = await embed();
    expectServerVectors(result.vectors);
    expect(server.requests[0]!.body).toMatchObject({ encoding_format: 'base64', dimensions: DIMS });
  });

  it("handles encodingFormat 'float' too", async () => {
    const model = new OpenAIEmbeddings({ model: 'text-embedding-3-small', apiKey: 'k', configuration: { baseURL: server.url }, maxRetries: 0, dimensions: DIMS, encodingFormat: 'float' });
    const { embed } = setup(model);
    expectServerVectors((await embed()).vectors);
    expect(server.requests[0]!.body).toMatchObject({ encoding_format: 'float' });
  });

  it('batches, and a re-run is served from the cache without requests', async () => {
    const first = setup(pluginEmbeddings(), 2);
    const a = await first.embed();
    expect(server.count('embeddings')).toBe(3);
    expect(a.cachedCount).toBe(0);
    expect(cacheFiles()).toHaveLength(TEXTS.length);
    const b = await setup(pluginEmbeddings(), 2).embed();
    expect(b.cachedCount).toBe(TEXTS.length);
    expect(b.vectors).toEqual(a.vectors);
    expect(server.count('embeddings')).toBe(3);
  });

  it('retries 429 (Retry-After), 500, truncated and malformed bodies on the embeddings endpoint', async () => {
    server.setFaults([
      { fault: { kind: 'rate_limit', retryAfterSeconds: 1 }, endpoint: 'embeddings', at: 0 },
      { fault: { kind: 'server_error' }, endpoint: 'embeddings', at: 1 },
      { fault: { kind: 'truncated_body' }, endpoint: 'embeddings', at: 2 },
      { fault: { kind: 'malformed_body' }, endpoint: 'embeddings', at: 3 },
    ]);
    const first = setup(pluginEmbeddings());
    const error = await first.embed().catch((e: unknown) => e);
    // maxAttempts 3, and a 429 uses none (rate limits are waited out in time): the 500, the truncated and the
    // malformed body are the 3 attempts, each retried but the last, so the call fails as the last error's kind...
    expect(error).toMatchObject({ kind: 'server', attempts: 4 });
    expect(server.count('embeddings')).toBe(4);
    expect(first.sleeps).toEqual([1000, 200, 400]);
    expect(cacheFiles()).toEqual([]);
    // ...and the next call gets a good answer at once.
    const second = setup(pluginEmbeddings());
    const result = await second.embed();
    expectServerVectors(result.vectors);
    expect(server.count('embeddings')).toBe(5);
    expect(second.sleeps).toEqual([]);
  });

  it('quota exhaustion fails at once with a typed error and caches nothing', async () => {
    server.setFaults([{ fault: { kind: 'quota' }, endpoint: 'embeddings' }]);
    const { embed, sleeps } = setup(pluginEmbeddings());
    const error = await embed().catch((e: unknown) => e);
    expect(isLlmError(error) && error.kind).toBe('quota');
    expect(server.count('embeddings')).toBe(1);
    expect(sleeps).toEqual([]);
    expect(cacheFiles()).toEqual([]);
  });
});
