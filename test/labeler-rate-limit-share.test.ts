/**
 * How much of a provider's rate limit labeling uses (issue 15), in real time against the local OpenAI-compatible
 * server's requests-per-minute limiter (1 s windows, 429 + retry-after), through the REAL ChatOpenAI client:
 * - told the limit (`rateLimit.rpm`), the gateway paces just at it: the server answers no 429 at all, and the rate
 *   it admits stays within a band of the limit (not far under it: the limit is what the user pays for);
 * - not told, against a server that states its limit in OpenAI's x-ratelimit-* headers, the gateway learns it from
 *   the first 429s and then paces like the first case: the 429s are the first wave's, none after it;
 * - either way every record ends ok with the bytes of a run against a server without any limit.
 * Short runs at a high limit (600-1200 requests/min) keep this to a few seconds.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatOpenAI } from '@langchain/openai';
import { createGateway } from '@taxonomist/core';
import type { GatewayOptions } from '@taxonomist/core';
import { startOpenAIServer } from '@taxonomist/testing';
import type { ChatRequestInfo, OpenAIServer, OpenAIServerOptions } from '@taxonomist/testing';
import { labelToFile } from '@taxonomist/labeler';
import { TAXONOMY, corpus, keywordLabel, textsOf } from '../packages/labeler/test/helpers.js';

const RECORDS = 80;
const CONCURRENCY = 24;

let dir: string;
const servers: OpenAIServer[] = [];
let reference: Buffer;

function script(request: ChatRequestInfo): object {
  const prompt = request.messages.find((m) => m.role === 'user' && /Texts? to label/.test(m.content))!.content;
  return { label: keywordLabel(textsOf(prompt)[0]!.text) };
}

async function server(options: Partial<OpenAIServerOptions>): Promise<OpenAIServer> {
  // Jittered latency: answers come back out of order, as from a real provider.
  const s = await startOpenAIServer({ script, latencyMs: 20, latencyJitterMs: 80, seed: 15, ...options });
  servers.push(s);
  return s;
}

async function label(s: OpenAIServer, name: string, options: GatewayOptions) {
  const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-local', configuration: { baseURL: s.url }, maxRetries: 0 });
  const out = join(dir, `${name}.jsonl`);
  const gateway = createGateway({ maxConcurrency: CONCURRENCY, ...options });
  const summary = await labelToFile(corpus(RECORDS), TAXONOMY, { gateway, model, out, pack: 1, concurrency: CONCURRENCY });
  return { summary, bytes: await readFile(out), gateway };
}

/** When the server admitted each chat request (ms, its clock), in order. */
function admittedAt(s: OpenAIServer): number[] {
  return s.requests
    .filter((r) => r.endpoint === 'chat' && r.status !== 429)
    .map((r) => r.receivedAt)
    .sort((a, b) => a - b);
}

/** Requests per second admitted between the first admission at or after `fromMs` (from the first one) and the last. */
function admittedRate(s: OpenAIServer, fromMs = 0): number {
  const times = admittedAt(s);
  const after = times.filter((t) => t - times[0]! >= fromMs);
  // n admissions span n - 1 intervals.
  return ((after.length - 1) * 1000) / (after.at(-1)! - after[0]!);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labeler-rate-share-'));
  const unlimited = await server({});
  ({ bytes: reference } = await label(unlimited, 'reference', {}));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('share of the provider rate limit used', () => {
  it('told the limit: no 429 at all, the admitted rate within a band of the limit, same bytes as unlimited', async () => {
    const RPM = 1200;
    const s = await server({ rateLimit: { requestsPerMinute: RPM } });
    const { summary, bytes } = await label(s, 'told', { rateLimit: { rpm: RPM } });
    expect({ status: summary.status, ok: summary.ok, failed: summary.failed }).toEqual({ status: 'done', ok: RECORDS, failed: 0 });
    expect(bytes.equals(reference)).toBe(true);
    expect(s.stats().rateLimit!.limited).toBe(0);
    // Paced evenly at the limit (20/s): never over it, and not far under it (a loaded machine delays some sends).
    const rate = admittedRate(s);
    expect(rate).toBeLessThanOrEqual((RPM / 60) * 1.03);
    expect(rate).toBeGreaterThanOrEqual((RPM / 60) * 0.8);
  }, 60_000);

  it('not told, limit stated in x-ratelimit-* headers: learnt from the first wave of 429s, none after, same bytes', async () => {
    const RPM = 600;
    const s = await server({ rateLimit: { requestsPerMinute: RPM } });
    const { summary, bytes, gateway } = await label(s, 'stated', {});
    expect({ status: summary.status, ok: summary.ok, failed: summary.failed }).toEqual({ status: 'done', ok: RECORDS, failed: 0 });
    expect(bytes.equals(reference)).toBe(true);
    expect(gateway.rateLimits!()['openai:gpt-4o-mini']!.statedLimits).toEqual({ requestsPerMinute: RPM });
    // The first wave (24 requests at once against a window of 10) meets 429s; once the limit is known, no request
    // is refused: every 429 came in the first second, at most one per request of that wave.
    const refused = s.requests.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(CONCURRENCY);
    const t0 = Math.min(...s.requests.map((r) => r.receivedAt));
    expect(refused.filter((r) => r.receivedAt - t0 > 1000)).toEqual([]);
    // After the first second, paced at the limit (10/s): within a band of it.
    const rate = admittedRate(s, 1000);
    expect(rate).toBeLessThanOrEqual((RPM / 60) * 1.03);
    expect(rate).toBeGreaterThanOrEqual((RPM / 60) * 0.8);
  }, 60_000);
});
