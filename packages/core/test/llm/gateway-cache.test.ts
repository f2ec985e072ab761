import { describe, it, expect } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createGateway, FileCacheStore, MemoryCacheStore, LlmError, chatCacheKey } from '../../src/llm/index.js';
import { FakeChatModel, FakeEmbeddings, answer, apiError, recordingClock } from './fakes.js';

const Schema = z.object({ label: z.string() });
const messages = [{ role: 'user' as const, content: 'card declined' }];

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (sub.isDirectory()) for (const f of await readdir(join(dir, sub.name))) out.push(join(dir, sub.name, f));
  }
  return out;
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'taxonomist-cache-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('cache', () => {
  it('a re-run is served from the disk cache: the model is not called again, no cost', () =>
    withTempDir(async (dir) => {
      const model = new FakeChatModel([answer('{"label":"card"}', { input_tokens: 1000, output_tokens: 100 })], {
        type: 'openai',
        model: 'gpt-4o-mini',
      });
      const first = createGateway({ clock: recordingClock(), cache: { dir } });
      const a = await first.structured({ stage: 'label', model, messages, schema: Schema });
      expect(a.cached).toBe(false);
      expect(a.attempts).toBe(1);
      const files = await listFiles(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/[0-9a-f]{2}[\\/][0-9a-f]{64}\.json$/);
      expect(files[0]!.split(/[\\/]/).at(-2)).toBe(files[0]!.split(/[\\/]/).at(-1)!.slice(0, 2));

      // A new gateway (a new process, in effect) over the same directory.
      const second = createGateway({ clock: recordingClock(), cache: { dir } });
      const b = await second.structured({ stage: 'label', model, messages, schema: Schema });
      expect(b).toMatchObject({ value: { label: 'card' }, cached: true, attempts: 0, raw: '{"label":"card"}' });
      expect(b.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
      expect(a.usage).toEqual({ inputTokens: 1000, outputTokens: 100 });
      expect(model.calls).toHaveLength(1);
      expect(second.usage().total).toMatchObject({ calls: 1, cachedCalls: 1, attempts: 0, inputTokens: 0, costUsd: 0 });
      expect(first.usage().total.costUsd).toBeCloseTo((1000 * 0.15 + 100 * 0.6) / 1e6, 12);
    }));

  it('different messages, parameters, schema or salt are different keys', () =>
    withTempDir(async (dir) => {
      const model = new FakeChatModel([], { fallback: answer('{"label":"card"}') });
      const gw = createGateway({ clock: recordingClock(), cache: { dir } });
      const base = { stage: 's', model, messages, schema: Schema };
      await gw.structured(base);
      await gw.structured(base);
      await gw.structured({ ...base, temperature: 0.5 });
      await gw.structured({ ...base, maxTokens: 10 });
      await gw.structured({ ...base, cacheSalt: 'sample-2' });
      await gw.structured({ ...base, messages: [{ role: 'user', content: 'other' }] });
      await gw.structured({ ...base, schema: z.object({ label: z.string(), note: z.string().optional() }) });
      await gw.structured({ ...base, method: 'jsonMode' });
      await gw.structured({ ...base, cache: false });
      expect(model.calls).toHaveLength(8);
      expect(await listFiles(dir)).toHaveLength(7);
    }));

  it('failed calls are never cached', () =>
    withTempDir(async (dir) => {
      const model = new FakeChatModel([apiError(400), answer('garbage'), answer('garbage'), answer('garbage'), apiError(500)], {
        fallback: apiError(500),
      });
      const gw = createGateway({ clock: recordingClock(), cache: { dir }, retry: { maxAttempts: 2 } });
      await expect(gw.structured({ stage: 's', model, messages, schema: Schema })).rejects.toMatchObject({ kind: 'bad_request' });
      await expect(gw.structured({ stage: 's', model, messages, schema: Schema })).rejects.toMatchObject({ kind: 'invalid_output' });
      await expect(gw.structured({ stage: 's', model, messages, schema: Schema })).rejects.toMatchObject({ kind: 'server' });
      await expect(gw.text({ stage: 's', model, messages })).rejects.toBeInstanceOf(LlmError);
      expect(await listFiles(dir)).toEqual([]);
      expect(gw.usage().total).toMatchObject({ calls: 4, failedCalls: 4, cachedCalls: 0 });
    }));

  it('never writes an API key to the cache', () =>
    withTempDir(async (dir) => {
      const secret = 'sk-test-SECRET-1234567890abcdef';
      const model = new FakeChatModel([], { fallback: answer('{"label":"card"}'), apiKey: secret, type: 'openai', model: 'gpt-4o' });
      const gw = createGateway({
        clock: recordingClock(),
        cache: { dir },
        providerSettings: { openai: { apiKey: secret } },
      });
      await gw.structured({ stage: 's', model, messages, schema: Schema, logprobs: true });
      await gw.text({ stage: 's', model, messages });
      const emb = new FakeEmbeddings();
      (emb as unknown as { apiKey: string }).apiKey = secret;
      await gw.embed({ stage: 'e', model: emb, texts: ['a', 'b'] });
      const files = await listFiles(dir);
      expect(files).toHaveLength(4);
      for (const f of files) expect(await readFile(f, 'utf8')).not.toContain('SECRET');
    }));

  it('a corrupt cache file is a miss and is rewritten', () =>
    withTempDir(async (dir) => {
      const store = new FileCacheStore(dir);
      const model = new FakeChatModel([], { fallback: answer('{"label":"card"}') });
      const gw = createGateway({ clock: recordingClock(), cache: store });
      await gw.structured({ stage: 's', model, messages, schema: Schema });
      const [file] = await listFiles(dir);
      await (await import('node:fs/promises')).writeFile(file!, '{"v":1,"kind":"struc');
      const res = await gw.structured({ stage: 's', model, messages, schema: Schema });
      expect(res.cached).toBe(false);
      expect(store.corruptEntries).toBe(1);
      expect(JSON.parse(await readFile(file!, 'utf8'))).toMatchObject({ kind: 'structured', raw: '{"label":"card"}' });
    }));

  it('text() is cached and in-memory store works', async () => {
    const store = new MemoryCacheStore();
    const model = new FakeChatModel([answer('hello there')]);
    const gw = createGateway({ clock: recordingClock(), cache: store });
    const a = await gw.text({ stage: 't', model, messages });
    const b = await gw.text({ stage: 't', model, messages });
    expect(a).toMatchObject({ text: 'hello there', cached: false, attempts: 1 });
    expect(b).toMatchObject({ text: 'hello there', cached: true, attempts: 0 });
    expect(store.size).toBe(1);
    expect(model.calls).toHaveLength(1);
  });

  it('cache keys are stable hex digests and reject path tricks', async () => {
    const k = chatCacheKey({ kind: 'text', modelId: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(chatCacheKey({ kind: 'text', modelId: 'm', messages: [{ role: 'user', content: 'x' }] })).toBe(k);
    await expect(new FileCacheStore('/tmp/x').get('../../etc/passwd')).rejects.toThrow(/invalid cache key/);
  });

  it('a cached structured answer that fails a new validate callback is not used', async () => {
    const store = new MemoryCacheStore();
    const model = new FakeChatModel([answer('{"label":"zzz"}'), answer('{"label":"card"}')]);
    const gw = createGateway({ clock: recordingClock(), cache: store });
    await gw.structured({ stage: 's', model, messages, schema: Schema });
    const res = await gw.structured({ stage: 's', model, messages, schema: Schema, validate: (v) => (v.label === 'card' ? [] : ['bad']) });
    expect(res.cached).toBe(false);
    expect(res.value.label).toBe('card');
  });
});
