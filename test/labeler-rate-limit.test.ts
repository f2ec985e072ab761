/**
 * Labeling against a provider's rate limit, in real time: the local OpenAI-compatible server enforces 300 requests
 * per minute (5 per 1 s window, 429 + retry-after beyond), the labeler runs 16 calls at once through the REAL
 * ChatOpenAI client (maxRetries 0: the gateway's policy is the only one). Before the gateway owned a rate-limit
 * policy this collapsed (records failed with rate_limit after 5 attempts, then the circuit breaker stopped the run).
 * Now every record must end ok, the requests the server sees after warm-up must stay near its limit (the client
 * does not hammer it with requests bound to be refused), and the breaker must not trip. A server that always
 * answers 429 must still stop the run with a clear reason, in bounded time.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatOpenAI } from '@langchain/openai';
import { createGateway } from '@taxonomist/core';
import type { GatewayOptions } from '@taxonomist/core';
import { startOpenAIServer } from '@taxonomist/testing';
import type { ChatRequestInfo, OpenAIServer } from '@taxonomist/testing';
import { labelToFile } from '@taxonomist/labeler';
import { TAXONOMY, corpus, keywordLabel, readLines, textsOf } from '../packages/labeler/test/helpers.js';

const RPM = 300;
const PER_SECOND = RPM / 60;
const RECORDS = 40;
const CONCURRENCY = 16;

let dir: string;
const servers: OpenAIServer[] = [];

function script(request: ChatRequestInfo): object {
  const prompt = request.messages.find((m) => m.role === 'user' && /Texts? to label/.test(m.content))!.content;
  return { label: keywordLabel(textsOf(prompt)[0]!.text) };
}

async function limitedServer(rateLimit: { requestsPerMinute: number; headers?: boolean }): Promise<OpenAIServer> {
  const server = await startOpenAIServer({ script, rateLimit, latencyMs: 20 });
  servers.push(server);
  return server;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labeler-rate-limit-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

/** Most requests (refused ones included) the server received in any 1 s window starting after `warmUpMs`. */
function peakPerSecond(server: OpenAIServer, warmUpMs: number): number {
  const times = server.requests.filter((r) => r.endpoint === 'chat').map((r) => r.receivedAt);
  const t0 = Math.min(...times);
  const after = times.filter((t) => t - t0 >= warmUpMs).sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < after.length; i++) {
    while (after[i]! - after[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

/** Requests per second the server received from `warmUpMs` after the first one to the last. */
function ratePerSecondAfter(server: OpenAIServer, warmUpMs: number): number {
  const times = server.requests.filter((r) => r.endpoint === 'chat').map((r) => r.receivedAt);
  const from = Math.min(...times) + warmUpMs;
  const after = times.filter((t) => t >= from);
  return (after.length * 1000) / Math.max(1000, Math.max(...after) - from);
}

async function labelAgainst(server: OpenAIServer, name: string, options: GatewayOptions) {
  const records = corpus(RECORDS, `${name}-`);
  const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-local', configuration: { baseURL: server.url }, maxRetries: 0 });
  const out = join(dir, `${name}.jsonl`);
  const gateway = createGateway({ maxConcurrency: CONCURRENCY, ...options });
  const summary = await labelToFile(records, TAXONOMY, { gateway, model, out, pack: 1, concurrency: CONCURRENCY });
  return { records, summary, lines: await readLines(out), out, gateway };
}

describe(`labeling at concurrency ${CONCURRENCY} against a ${RPM} requests/min limit`, () => {
  it('default gateway (limit not configured, not stated in headers): learns it from the 429s; every record ok, no collapse', async () => {
    // A server that says nothing but 429 + retry-after (test/labeler-rate-limit-share.test.ts has the one stating it).
    const server = await limitedServer({ requestsPerMinute: RPM, headers: false });
    const { records, summary, lines, gateway } = await labelAgainst(server, 'learnt', {});
    expect(summary.stopReason).toBeUndefined();
    expect({ status: summary.status, ok: summary.ok, failed: summary.failed }).toEqual({ status: 'done', ok: RECORDS, failed: 0 });
    for (const r of records) expect(lines.find((l) => l.id === r.id)).toMatchObject({ status: 'ok', labelId: keywordLabel(r.text) });
    const limited = server.stats().rateLimit!;
    // The limit was really hit (16 calls at once against 5 per second), so the policy had something to do...
    expect(limited.limited).toBeGreaterThan(0);
    expect(gateway.rateLimits!()['openai:gpt-4o-mini']!.decreases).toBeGreaterThan(0);
    // ...and after warm-up the client sends about the limit (refused requests included), not a storm of 429s: it
    // paces at what got through and probes a little above it now and then (AIMD), so on average at most 20% over,
    // and in any 1 s window at most twice the limit (a busy machine can bunch a few paced requests).
    expect(ratePerSecondAfter(server, 2000)).toBeLessThanOrEqual(PER_SECOND * 1.2);
    expect(peakPerSecond(server, 2000)).toBeLessThanOrEqual(2 * PER_SECOND);
    const late = server.requests.filter((r) => r.receivedAt - Math.min(...server.requests.map((q) => q.receivedAt)) >= 2000);
    expect(late.filter((r) => r.status === 429).length).toBeLessThanOrEqual(Math.ceil(late.length / 4));
  }, 60_000);

  it('gateway given the limit (rateLimit.rpm): paced per second, almost no 429s, same labels', async () => {
    const server = await limitedServer({ requestsPerMinute: RPM });
    const { records, summary, lines } = await labelAgainst(server, 'paced', { rateLimit: { rpm: RPM } });
    expect({ status: summary.status, ok: summary.ok, failed: summary.failed }).toEqual({ status: 'done', ok: RECORDS, failed: 0 });
    for (const r of records) expect(lines.find((l) => l.id === r.id)).toMatchObject({ status: 'ok', labelId: keywordLabel(r.text) });
    // Requests are spread: one 1 s window never sees more than the limit's worth (+1 for clock skew at the edges),
    // plus the half second's worth the pace may catch up with after a stall of a busy machine.
    expect(peakPerSecond(server, 0)).toBeLessThanOrEqual(PER_SECOND * 1.5 + 1);
    expect(server.stats().rateLimit!.limited).toBeLessThanOrEqual(3);
    // And the run took about as long as the limit allows: RECORDS requests at 5 per second.
    const times = server.requests.map((r) => r.receivedAt);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(((RECORDS - PER_SECOND - 1) / PER_SECOND) * 1000);
  }, 60_000);

  for (const [name, fault] of [
    ['with Retry-After', { kind: 'rate_limit', retryAfterMs: 200 }],
    ['without Retry-After', { kind: 'rate_limit' }],
  ] as const) {
    it(`a server that always answers 429 (${name}) stops the run with a clear reason within the patience`, async () => {
      const server = await startOpenAIServer({ script, faults: [{ fault }] });
      servers.push(server);
      const started = performance.now();
      const { summary } = await labelAgainst(server, `always-429-${fault.retryAfterMs ?? 'none'}`, { retry: { rateLimitPatienceMs: 3000 } });
      const elapsed = performance.now() - started;
      expect(summary.status).toBe('stopped');
      expect(summary.stopReason).toBe('provider');
      expect(summary.stopError?.message).toMatch(/rate-limited with no successful call for \d+ s/);
      expect(summary.ok).toBe(0);
      expect(summary.ok + summary.failed + summary.notAttempted).toBe(RECORDS);
      // Bounded: the patience (3 s) plus about one more round of waits, not RECORDS x attempts x backoff.
      expect(elapsed).toBeLessThan(15_000);
      // Calls held back by the pause and by the stop sent nothing more once it tripped.
      expect(server.count('chat')).toBeLessThan(RECORDS * 10);
    }, 60_000);
  }
});
