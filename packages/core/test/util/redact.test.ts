import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clearRegisteredSecrets,
  createGateway,
  createPluginHost,
  FileCacheStore,
  LlmError,
  openJsonlWriter,
  redactText,
  redactValue,
  registerSecret,
  registeredSecretCount,
  writeJsonAtomic,
  writeTextAtomic,
} from '@taxonomist/core';
import { FakeChatModel, answer } from '../llm/fakes.js';

afterEach(() => clearRegisteredSecrets());

describe('redactText', () => {
  it('removes registered values, in raw and JSON-escaped form', () => {
    registerSecret('plain-looking-value-42');
    registerSecret('with"quote\\and-more');
    const json = JSON.stringify({ m: 'got plain-looking-value-42 and with"quote\\and-more' });
    const out = redactText(json);
    expect(out).toBe('{"m":"got *** and ***"}');
    expect(JSON.parse(out)).toEqual({ m: 'got *** and ***' });
  });

  it('ignores values too short to be keys', () => {
    registerSecret('test');
    registerSecret('');
    registerSecret(undefined);
    expect(registeredSecretCount()).toBe(0);
    expect(redactText('a test')).toBe('a test');
  });

  it('removes key-shaped tokens and keeps JSON valid', () => {
    const value = {
      a: 'Incorrect API key provided: sk-proj-AbCdEf0123456789.',
      b: 'Authorization: Bearer tok_123456789abc',
      c: 'x-api-key: abcdef123456; api_key=zzzz9999&x=1',
      d: 'config {"apiKey": "qqqqqqqq"}',
      e: 'http://user:pw@host/v1',
      f: 'Authorization: Basic dXNlcjpwYXNz',
    };
    const out = redactText(JSON.stringify(value));
    expect(JSON.parse(out)).toEqual({
      a: 'Incorrect API key provided: sk-***.',
      b: 'Authorization: Bearer ***',
      c: 'x-api-key: ***; api_key=***&x=1',
      d: 'config {"apiKey": "***"}',
      e: 'http://***@host/v1',
      f: 'Authorization: Basic ***',
    });
  });

  it('leaves ordinary text, numbers and booleans alone', () => {
    const text = JSON.stringify({ label: 'Password: reset', t: 'bearer instruments, sk-learn, task-management', apiKey: 12345678, api_key: true });
    expect(redactText(text)).toBe(text);
  });

  it('redactValue redacts strings and keys deeply', () => {
    registerSecret('deep-secret-value');
    expect(redactValue({ x: ['deep-secret-value', 3], 'deep-secret-value': null })).toEqual({ x: ['***', 3], '***': null });
  });
});

describe('every sink redacts', () => {
  const KEY = 'sink-secret-0123456789';

  it('the JSONL writer, the JSON / text file writers, the cache, LLM errors', async () => {
    registerSecret(KEY);
    const dir = mkdtempSync(join(tmpdir(), 'redact-sinks-'));
    const w = await openJsonlWriter(join(dir, 'a.jsonl'));
    await w.write({ error: { message: `bad key ${KEY}` } });
    await w.writeMany([{ m: KEY }]);
    await w.close();
    await writeJsonAtomic(join(dir, 'b.json'), { m: KEY });
    await writeTextAtomic(join(dir, 'c.md'), `# ${KEY}\n`);
    await new FileCacheStore(join(dir, 'cache')).set('ab'.repeat(16), { raw: KEY });
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.(jsonl?|md)$/.test(f));
    expect(files).toHaveLength(4);
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text).toContain('***');
      expect(text).not.toContain(KEY);
    }
    const e = new LlmError(`401 Incorrect API key provided: ${KEY}`, { kind: 'auth', raw: `echo ${KEY}` });
    expect(e.message).toBe('401 Incorrect API key provided: ***');
    expect(e.raw).toBe('echo ***');
  });
});

describe('providers register their secrets (the plugin contract)', () => {
  it('settings.apiKey, ProviderDefinition.secrets and ctx.registerSecret', async () => {
    const seen: string[] = [];
    const host = createPluginHost([
      {
        name: 'third-party',
        setup: (ctx) => ctx.registerSecret('from-setup-0123456789'),
        providers: [
          {
            id: 'acme',
            secrets: (settings) => [String(settings.region) === 'eu' ? 'from-env-of-acme-0123' : undefined],
            chatModel: (name, settings) => {
              seen.push(String(settings.apiKey));
              return new FakeChatModel([answer('ok')]);
            },
          },
        ],
      },
    ]);
    await host.ready();
    expect(redactText('from-setup-0123456789')).toBe('***');
    const gateway = createGateway({ resolver: host, providerSettings: { acme: { apiKey: 'given-key-0123456789', region: 'eu' } } });
    await gateway.resolveChatModel('acme:model');
    expect(seen).toEqual(['given-key-0123456789']); // the provider still gets the real key
    expect(redactText('given-key-0123456789 from-env-of-acme-0123')).toBe('*** ***');
  });
});
