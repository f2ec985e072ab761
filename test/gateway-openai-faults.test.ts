/**
 * End-to-end: the gateway driving the REAL @langchain/openai ChatOpenAI (maxRetries 0) against the local
 * OpenAI-compatible server through every fault kind. Each case shows the number of HTTP attempts the server saw,
 * the result or the typed LlmError kind, the waits recorded on the gateway's fake clock, and the cache (a temp dir):
 * no entry after a failure, an entry after a success, and a re-run that makes no request.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ChatOpenAI } from '@langchain/openai';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { createGateway, createManualClock, isLlmError, type Clock, type LlmErrorKind, type StructuredMethod } from '@taxonomist/core';
import { startOpenAIServer, type FaultRule, type OpenAIServer } from '@taxonomist/testing';
import { createOpenAIProvider } from '@taxonomist/openai';

const Intent = z.object({
  intent: z.enum(['card_arrival', 'refund_request', 'lost_card']),
  confidence: z.number().min(0).max(1),
  evidence: z.array(z.string()).min(1),
});
const MESSAGES = [
  { role: 'system' as const, content: 'Label the banking customer message with one intent.' },
  { role: 'user' as const, content: 'My new card still has not arrived after two weeks.' },
];
const RETRY = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000, maxRetryAfterMs: 10_000, jitter: false };
const API_KEY = 'sk-e2e-never-in-cache';

let server: OpenAIServer;
let cacheDir: string;

beforeAll(async () => {
  server = await startOpenAIServer({ apiKey: API_KEY, seed: 3 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.setFaults([]);
  server.setScript(undefined);
  cacheDir = mkdtempSync(join(tmpdir(), 'taxonomist-e2e-cache-'));
});
afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

function cacheFiles(): string[] {
  return readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
}

/** The two ways users get a ChatOpenAI: through the plugin, or constructing it themselves (maxRetries 0). */
const MODEL_KINDS: Record<string, () => BaseChatModel> = {
  'openai plugin': () => createOpenAIProvider({ apiKey: API_KEY, baseURL: server.url }).chatModel!('gpt-4o-mini', {}) as BaseChatModel,
  'plain ChatOpenAI': () => new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: API_KEY, configuration: { baseURL: server.url }, maxRetries: 0 }),
};

interface RunOptions {
  method?: Exclude<StructuredMethod, 'auto'>;
  maxAttempts?: number;
  patienceMs?: number;
  /** Real timers for the per-attempt timeout (hang cases); backoff sleeps stay on the fake clock. */
  realTimeoutMs?: number;
}

function makeGateway(makeModel: () => BaseChatModel, opts: RunOptions = {}) {
  const manual = createManualClock();
  // Without setTimer the gateway falls back to real timers for per-attempt timeouts, so a hung request is cut
  // after realTimeoutMs while every backoff / Retry-After wait is still recorded (not slept) on the fake clock.
  const clock: Clock = opts.realTimeoutMs ? { now: () => manual.now(), sleep: (ms, s) => manual.sleep(ms, s) } : manual;
  const gateway = createGateway({
    clock,
    cache: { dir: cacheDir },
    retry: { ...RETRY, maxAttempts: opts.maxAttempts ?? RETRY.maxAttempts, ...(opts.patienceMs ? { rateLimitPatienceMs: opts.patienceMs } : {}) },
    attemptTimeoutMs: opts.realTimeoutMs ?? 60_000,
    maxRepairs: 2,
    seed: 1,
  });
  const model = { id: 'openai:gpt-4o-mini', model: makeModel(), structuredMethod: opts.method ?? 'jsonSchema' };
  const call = () => gateway.structured({ stage: 'label', model, messages: MESSAGES, schema: Intent, schemaName: 'intent' });
  return { gateway, call, sleeps: manual.sleeps };
}

async function expectFailure(promise: Promise<unknown>, kind: LlmErrorKind, attempts: number) {
  const error = await promise.then(
    (v) => {
      throw new Error(`expected an LlmError ${kind}, got a result: ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
  expect(isLlmError(error), `expected an LlmError, got ${String(error)}`).toBe(true);
  expect({ kind: (error as { kind: string }).kind, attempts: (error as { attempts: number }).attempts }).toEqual({ kind, attempts });
  return error as Error & { kind: LlmErrorKind; raw?: string };
}

interface TransportCase {
  name: string;
  faults: FaultRule[];
  requests: number;
  sleeps: number[];
  /** undefined = success expected. */
  error?: LlmErrorKind;
  realTimeoutMs?: number;
  maxAttempts?: number;
  patienceMs?: number;
}

const TRANSPORT_CASES: TransportCase[] = [
  { name: '429 with Retry-After seconds', faults: [{ fault: { kind: 'rate_limit', retryAfterSeconds: 2 }, at: 0 }], requests: 2, sleeps: [2000] },
  { name: '429 with retry-after-ms', faults: [{ fault: { kind: 'rate_limit', retryAfterMs: 1250 }, at: 0 }], requests: 2, sleeps: [1250] },
  { name: '429 without Retry-After (exponential backoff)', faults: [{ fault: { kind: 'rate_limit' }, at: [0, 1] }], requests: 3, sleeps: [100, 200] },
  // 429s use no attempts: the call waits them out for rateLimitPatienceMs (100 + 200 + 400 ms; 800 more would pass 1 s).
  { name: '429 every time: gives up when the rate-limit patience runs out', faults: [{ fault: { kind: 'rate_limit' } }], requests: 4, sleeps: [100, 200, 400], error: 'rate_limit', patienceMs: 1000 },
  { name: '429 with Retry-After above the cap: not waited for', faults: [{ fault: { kind: 'rate_limit', retryAfterSeconds: 3600 } }], requests: 1, sleeps: [], error: 'rate_limit' },
  { name: '429 insufficient_quota: never retried', faults: [{ fault: { kind: 'quota' } }], requests: 1, sleeps: [], error: 'quota' },
  { name: '500 then 503', faults: [{ fault: { kind: 'server_error', status: 500 }, at: 0 }, { fault: { kind: 'server_error', status: 503 }, at: 1 }], requests: 3, sleeps: [100, 200] },
  { name: '408 and 409 are retried', faults: [{ fault: { kind: 'http_error', status: 408 }, at: 0 }, { fault: { kind: 'http_error', status: 409 }, at: 1 }], requests: 3, sleeps: [100, 200] },
  { name: '400: not retried', faults: [{ fault: { kind: 'http_error', status: 400, message: 'bad' } }], requests: 1, sleeps: [], error: 'bad_request' },
  { name: '401: not retried', faults: [{ fault: { kind: 'auth' } }], requests: 1, sleeps: [], error: 'auth' },
  { name: 'connection reset', faults: [{ fault: { kind: 'reset' }, at: 0 }], requests: 2, sleeps: [100] },
  { name: 'malformed (non-JSON) body', faults: [{ fault: { kind: 'malformed_body' }, at: 0 }], requests: 2, sleeps: [100] },
  { name: 'truncated body (Content-Length not reached)', faults: [{ fault: { kind: 'truncated_body' }, at: 0 }], requests: 2, sleeps: [100] },
  { name: 'hang, cut by the per-attempt timeout', faults: [{ fault: { kind: 'hang' }, at: 0 }], requests: 2, sleeps: [100], realTimeoutMs: 150 },
  // Two attempts only, to keep the real per-attempt timeouts short in total.
  { name: 'hang every time: timeout error', faults: [{ fault: { kind: 'hang' } }], requests: 2, sleeps: [100], error: 'timeout', realTimeoutMs: 100, maxAttempts: 2 },
];

for (const [kindName, makeModel] of Object.entries(MODEL_KINDS)) {
  describe(`gateway + ${kindName} against the local server: transport faults`, () => {
    for (const c of TRANSPORT_CASES) {
      it(`${c.name}: ${c.error ? `LlmError '${c.error}'` : 'succeeds'} after ${c.requests} request(s)`, async () => {
        server.setFaults(c.faults);
        const { call, sleeps } = makeGateway(makeModel, { realTimeoutMs: c.realTimeoutMs, maxAttempts: c.maxAttempts, patienceMs: c.patienceMs });
        if (c.error) {
          await expectFailure(call(), c.error, c.requests);
          expect(cacheFiles(), 'a failed call must not be cached').toEqual([]);
        } else {
          const result = await call();
          expect(Intent.safeParse(result.value).success).toBe(true);
          expect(result).toMatchObject({ attempts: c.requests, repairs: 0, cached: false });
          expect(cacheFiles()).toHaveLength(1);
        }
        expect(server.count('chat')).toBe(c.requests);
        expect(sleeps).toEqual(c.sleeps);
        for (const f of c.faults) expect(server.stats().faults[f.fault.kind] ?? 0).toBeGreaterThan(0);
      });
    }
  });

  describe(`gateway + ${kindName} against the local server: content faults`, () => {
    for (const method of ['jsonSchema', 'functionCalling'] as const) {
      it(`truncated JSON content (${method}) is re-asked with the parse error, then succeeds`, async () => {
        server.setFaults([{ fault: { kind: 'truncated_json' }, at: 0 }]);
        const { call, sleeps } = makeGateway(makeModel, { method });
        const result = await call();
        expect(result).toMatchObject({ attempts: 2, repairs: 1, cached: false });
        expect(Intent.safeParse(result.value).success).toBe(true);
        expect(server.count('chat')).toBe(2);
        expect(sleeps).toEqual([]);
        const repairAsk = JSON.stringify((server.requests[1]!.body as { messages: unknown[] }).messages);
        expect(repairAsk).toMatch(/not valid JSON/);
      });

      it(`schema-invalid content (${method}) is re-asked with the validation error`, async () => {
        server.setFaults([{ fault: { kind: 'schema_invalid' }, at: 0 }]);
        const { call } = makeGateway(makeModel, { method });
        const result = await call();
        expect(result).toMatchObject({ attempts: 2, repairs: 1 });
        const repairAsk = JSON.stringify((server.requests[1]!.body as { messages: unknown[] }).messages);
        expect(repairAsk).toMatch(/does not match the schema/);
        expect(cacheFiles()).toHaveLength(1);
      });
    }

    it('schema-invalid every time: invalid_output after maxRepairs, raw answer kept, nothing cached', async () => {
      server.setFaults([{ fault: { kind: 'schema_invalid' } }]);
      const { call } = makeGateway(makeModel);
      const error = await expectFailure(call(), 'invalid_output', 3);
      expect(error.raw).toContain('unexpected_field');
      expect(server.count('chat')).toBe(3);
      expect(cacheFiles()).toEqual([]);
    });

    it('refusal: typed refusal error, not retried, not re-asked, not cached', async () => {
      server.setFaults([{ fault: { kind: 'refusal', message: 'I cannot help with banking data.' } }]);
      const { call, sleeps } = makeGateway(makeModel);
      const error = await expectFailure(call(), 'refusal', 1);
      expect(error.raw).toBe('I cannot help with banking data.');
      expect(server.count('chat')).toBe(1);
      expect(sleeps).toEqual([]);
      expect(cacheFiles()).toEqual([]);
    });
  });
}

describe('gateway cache with the real client', () => {
  it('a success is cached: the second run makes no request and never stores the API key', async () => {
    const makeModel = MODEL_KINDS['openai plugin']!;
    server.setFaults([{ fault: { kind: 'server_error' }, at: 0 }]);
    const first = await makeGateway(makeModel).call();
    expect(first).toMatchObject({ attempts: 2, cached: false });
    expect(server.count('chat')).toBe(2);
    const files = cacheFiles();
    expect(files).toHaveLength(1);

    const second = makeGateway(makeModel);
    const again = await second.call();
    expect(again).toMatchObject({ cached: true, attempts: 0, value: first.value });
    expect(server.count('chat')).toBe(2);
    expect(second.gateway.usage().total).toMatchObject({ calls: 1, cachedCalls: 1, attempts: 0, inputTokens: 0 });

    const { readFileSync } = await import('node:fs');
    for (const f of files) expect(readFileSync(join(cacheDir, f), 'utf8')).not.toContain(API_KEY);
  });

  it('a failure leaves no entry, so the next run asks the model again', async () => {
    const makeModel = MODEL_KINDS['openai plugin']!;
    server.setFaults([{ fault: { kind: 'quota' }, times: 1 }]);
    await expectFailure(makeGateway(makeModel).call(), 'quota', 1);
    expect(cacheFiles()).toEqual([]);
    const retry = await makeGateway(makeModel).call();
    expect(retry.cached).toBe(false);
    expect(server.count('chat')).toBe(2);
    expect(cacheFiles()).toHaveLength(1);
  });
});
