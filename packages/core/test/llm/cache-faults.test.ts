/**
 * The cache is an optimisation: whatever goes wrong with it (a directory that cannot be created or written, a cache
 * path that is a file, a store that throws, a corrupt entry), the paid answer is used, one warning is given, and the
 * run goes on. Tests run as root, where chmod does not stop writes: unwritable directories are simulated by a path
 * under a regular file and by a store that throws EACCES.
 */
import { describe, it, expect } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createGateway, chatCacheKey, embedCacheKey, endpointIdentity, modelEndpoint, type CacheStore, type GatewayOptions } from '../../src/llm/index.js';
import { FakeChatModel, FakeEmbeddings, answer, recordingClock } from './fakes.js';

const Schema = z.object({ label: z.string() });
const ask = (i: number) => [{ role: 'user' as const, content: `text number ${i}` }];

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'taxonomist-cache-faults-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** 20 structured calls through a gateway with this cache; every answer must be used, warnings collected. */
async function twentyCalls(cache: GatewayOptions['cache']) {
  const warnings: string[] = [];
  const model = new FakeChatModel([], { fallback: answer('{"label":"card"}') });
  const gw = createGateway({ clock: recordingClock(), cache, onWarning: (m) => warnings.push(m) });
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gw.structured({ stage: 'label', model, messages: ask(i), schema: Schema })));
  return { results, warnings, calls: model.calls.length, usage: gw.usage().total };
}

function fsError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: permission denied, ${syscall} '${path}'`), { code, syscall, path });
}

describe('cache faults never fail a call', () => {
  it('a cache directory that cannot be created (under a regular file): 20 answers used, one warning', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'not-a-dir');
      await writeFile(file, 'x');
      const { results, warnings, calls, usage } = await twentyCalls({ dir: join(file, 'cache') });
      expect(results.every((r) => r.value.label === 'card' && !r.cached)).toBe(true);
      expect(calls).toBe(20);
      expect(usage.failedCalls).toBe(0);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/cache .*not-a-dir.*: (read|write) failed \(ENOTDIR/);
      expect(warnings[0]).toContain('continuing without the cache');
    }));

  it('a cache path that is a file: 20 answers used, one warning', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'cache.json');
      await writeFile(file, '{}');
      const { results, warnings, calls } = await twentyCalls({ dir: file });
      expect(results).toHaveLength(20);
      expect(calls).toBe(20);
      expect(warnings).toHaveLength(1);
    }));

  it('a read-only store (EACCES on mkdir/write, as for a non-root user): answers used, one warning, no more attempts', async () => {
    let writes = 0;
    const readOnly: CacheStore = {
      get: async () => undefined,
      set: async () => {
        writes++;
        throw fsError('EACCES', 'mkdir', '/ro/cache/ab');
      },
    };
    const { results, warnings, calls } = await twentyCalls(readOnly);
    expect(results.every((r) => r.value.label === 'card')).toBe(true);
    expect(calls).toBe(20);
    expect(warnings).toEqual([expect.stringMatching(/write failed \(EACCES: EACCES: permission denied, mkdir/)]);
    // After the first failure the cache is left alone (the calls in flight at that moment may still have tried).
    expect(writes).toBeLessThanOrEqual(20);
    const more = await twentyCalls(readOnly);
    expect(more.warnings).toHaveLength(1);
  });

  it('a store whose reads throw: the model is asked, one warning', async () => {
    const broken: CacheStore = {
      get: async () => {
        throw fsError('EIO', 'read', '/cache/ab/abc.json');
      },
      set: async () => undefined,
    };
    const { results, warnings, calls } = await twentyCalls(broken);
    expect(results).toHaveLength(20);
    expect(calls).toBe(20);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('read failed (EIO');
  });

  it('corrupt entries (bad JSON, wrong shape) are misses, warned once, and replaced by the fresh answer', () =>
    withTempDir(async (dir) => {
      const first = await twentyCalls({ dir });
      expect(first.warnings).toEqual([]);
      const files: string[] = [];
      for (const sub of await readdir(dir)) for (const f of await readdir(join(dir, sub))) files.push(join(dir, sub, f));
      expect(files).toHaveLength(20);
      await writeFile(files[0]!, '{"v":1,"kind":"struc');
      await writeFile(files[1]!, '{"v":1,"kind":"structured"}');
      const second = await twentyCalls({ dir });
      expect(second.calls).toBe(2);
      expect(second.results.filter((r) => r.cached)).toHaveLength(18);
      expect(second.warnings).toHaveLength(1);
      expect(second.warnings[0]).toContain('corrupt entry');
      const third = await twentyCalls({ dir });
      expect(third.calls).toBe(0);
      expect(third.warnings).toEqual([]);
    }));

  it('embeddings go on without a broken cache too', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'f');
      await writeFile(file, 'x');
      const warnings: string[] = [];
      const gw = createGateway({ clock: recordingClock(), cache: { dir: file }, onWarning: (m) => warnings.push(m) });
      const res = await gw.embed({ stage: 'e', model: new FakeEmbeddings(), texts: ['a', 'b', 'c'] });
      expect(res.vectors).toHaveLength(3);
      expect(warnings).toHaveLength(1);
    }));
});

describe('cache keys name the endpoint', () => {
  it('the same model name behind two base URLs gets two keys; credentials and query strings are not part of it', () => {
    const messages = [{ role: 'user', content: 'x' }];
    const a = chatCacheKey({ kind: 'text', modelId: 'openai:llama3', endpoint: endpointIdentity('http://127.0.0.1:1111/v1'), messages });
    const b = chatCacheKey({ kind: 'text', modelId: 'openai:llama3', endpoint: endpointIdentity('http://127.0.0.1:2222/v1'), messages });
    expect(a).not.toBe(b);
    expect(embedCacheKey('openai:e', 't', 'http://a/v1')).not.toBe(embedCacheKey('openai:e', 't', 'http://b/v1'));
    expect(endpointIdentity('http://user:sk-secret@LOCALHOST:11434/v1/?api-key=sk-secret#x')).toBe('http://localhost:11434/v1');
    expect(endpointIdentity('not a url with sk-secret')).not.toContain('secret');
  });

  it('the endpoint is read from the model instance (clientConfig.baseURL of the OpenAI clients) and reaches the key', () =>
    withTempDir(async (dir) => {
      const onA = Object.assign(new FakeChatModel([], { fallback: answer('{"label":"from-a"}'), type: 'openai', model: 'same' }), {
        clientConfig: { baseURL: 'http://127.0.0.1:1111/v1' },
      });
      const onB = Object.assign(new FakeChatModel([], { fallback: answer('{"label":"from-b"}'), type: 'openai', model: 'same' }), {
        clientConfig: { baseURL: 'http://127.0.0.1:2222/v1' },
      });
      expect(modelEndpoint(onA)).toBe('http://127.0.0.1:1111/v1');
      const gw = createGateway({ clock: recordingClock(), cache: { dir } });
      expect((await gw.resolveChatModel(onA)).endpoint).toBe('http://127.0.0.1:1111/v1');
      const messages = ask(0);
      expect((await gw.structured({ stage: 's', model: onA, messages, schema: Schema })).value.label).toBe('from-a');
      const fromB = await gw.structured({ stage: 's', model: onB, messages, schema: Schema });
      expect(fromB).toMatchObject({ value: { label: 'from-b' }, cached: false });
      expect((await gw.structured({ stage: 's', model: onA, messages, schema: Schema })).cached).toBe(true);
    }));
});
