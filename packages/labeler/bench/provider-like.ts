/**
 * The part of the throughput benchmark that looks like a real provider (run by throughput.ts after the 50 ms runs,
 * or alone with --provider-only): latency drawn uniformly in 0.3-3 s (seeded), a requests-per-minute and
 * tokens-per-minute limit enforced by the server (429 + retry-after, OpenAI-style 1 s windows). Runs, each against a
 * fresh server:
 * - a reference without any limit (its output is what every limited run must reproduce byte for byte);
 * - the default gateway (no client-side limits) against a server that sends OpenAI's x-ratelimit-* headers: it
 *   learns the limit from the first 429's headers;
 * - the default gateway against a server that says nothing but 429 + retry-after: it learns the limit from the
 *   429s alone (adaptive concurrency, shared pause, learnt pace);
 * - a gateway told the limits (`rateLimit: { rpm, tpm }`): it should pace under them with no 429 at all.
 * Each prints records/s, the share of the provider's limit actually used (requests and tokens the server admitted,
 * against the limit over the same time: over the whole run, and in steady state after a warm-up), 429s, failures,
 * what the gateway did (requests in flight, time paused, pace) and dollars per 1,000 records (gpt-4o-mini list
 * prices, from the tokens the server reported), then the goal line.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChatOpenAI } from '@langchain/openai';
import { createGateway } from '@taxonomist/core';
import type { CorpusRecord, GatewayOptions, Taxonomy } from '@taxonomist/core';
import { labelToFile } from '@taxonomist/labeler';
import type { RateLimitStats } from '@taxonomist/testing';
import { forkBenchServer } from './bench-server.js';
import { sampleGovernor } from './governor-sampler.js';

export interface ProviderLikeSettings {
  records: number;
  concurrency: number;
  pack: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  requestsPerMinute: number;
  tokensPerMinute: number;
  /** Seconds at the start of a run left out of the steady-state share. */
  warmUpSeconds: number;
  /** Only these runs (keys of `runs` below: headers, no-headers, given) besides the reference; default all. */
  runs?: string[];
}

/** The goal of issue 15: at least this share of the provider's request limit used in steady state. */
const GOAL_SHARE = 0.9;

const fmt = (n: number, d = 1) => n.toFixed(d);
const pct = (x: number) => `${fmt(100 * x, 0)}%`;

interface Run {
  name: string;
  /** Its name for --provider-runs. */
  key: string;
  /** Server sends x-ratelimit-* headers. */
  headers: boolean;
  limited: boolean;
  gateway: Partial<GatewayOptions>;
}

/**
 * Shares of a per-minute limit used, from the server's per-second counts: over the whole run (client-measured
 * seconds, so warm-up and the last answers' latency count against it) and in steady state (whole seconds from the
 * warm-up to the last second with an admission, that last partial second excluded).
 */
function shares(perSecond: number[], perMinute: number, runSeconds: number, warmUp: number): { whole: number; steady: number | undefined; steadySeconds: number } {
  const perSec = perMinute / 60;
  const total = perSecond.reduce((a, b) => a + b, 0);
  const steadySlice = perSecond.slice(warmUp, Math.max(warmUp, perSecond.length - 1));
  const steady = steadySlice.length > 0 ? steadySlice.reduce((a, b) => a + b, 0) / (perSec * steadySlice.length) : undefined;
  return { whole: total / (perSec * runSeconds), steady, steadySeconds: steadySlice.length };
}

/** The share of the limit used in each 10 s slice (the last one partial): where a run's warm-up and dips are. */
function timeline(perSecond: number[], perMinute: number): string {
  const out: string[] = [];
  for (let i = 0; i < perSecond.length; i += 10) {
    const slice = perSecond.slice(i, i + 10);
    out.push(pct(slice.reduce((a, b) => a + b, 0) / ((perMinute / 60) * slice.length)));
  }
  return out.join(' ');
}

export async function providerLikeRuns(all: readonly CorpusRecord[], taxonomy: Taxonomy, dir: string, s: ProviderLikeSettings): Promise<void> {
  const records = all.slice(0, s.records);
  console.log(
    `provider-like: ${records.length} texts, pack ${s.pack}, concurrency ${s.concurrency}, latency ${s.minLatencyMs}-${s.maxLatencyMs} ms ` +
      `(uniform, seeded), provider limit ${s.requestsPerMinute} requests/min and ${s.tokensPerMinute.toLocaleString('en-US')} tokens/min ` +
      `(at the limit: ${fmt(Math.ceil(records.length / s.pack) / (s.requestsPerMinute / 60), 0)} s per run); steady state = after ${s.warmUpSeconds} s`,
  );
  const runs: Run[] = [
    { key: 'reference', name: 'reference, no limit        ', headers: false, limited: false, gateway: {} },
    { key: 'headers', name: 'default gateway, headers   ', headers: true, limited: true, gateway: {} },
    { key: 'no-headers', name: 'default gateway, no headers', headers: false, limited: true, gateway: {} },
    { key: 'given', name: 'gateway given the limits   ', headers: true, limited: true, gateway: { rateLimit: { rpm: s.requestsPerMinute, tpm: s.tokensPerMinute } } },
  ];
  // --provider-runs headers,no-headers,given: only those (the reference always runs: the others compare with it).
  const only = s.runs === undefined ? undefined : new Set(['reference', ...s.runs]);
  let referenceHash: string | undefined;
  const verdicts: string[] = [];
  for (const run of runs) {
    if (only && !only.has(run.key)) continue;
    const server = await forkBenchServer({
      records: all.length,
      latencyMs: s.minLatencyMs,
      jitterMs: s.maxLatencyMs - s.minLatencyMs,
      ...(run.limited ? { requestsPerMinute: s.requestsPerMinute, tokensPerMinute: s.tokensPerMinute, rateLimitHeaders: run.headers } : {}),
    });
    try {
      const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-local', configuration: { baseURL: server.url }, maxRetries: 0 });
      const gateway = createGateway({ maxConcurrency: s.concurrency, ...run.gateway });
      const out = join(dir, `labels-provider-like-${verdicts.length}.jsonl`);
      const sampler = sampleGovernor(gateway, 100);
      const t0 = performance.now();
      const summary = await labelToFile(records, taxonomy, {
        gateway,
        model,
        pack: s.pack,
        concurrency: s.concurrency,
        out,
        overwrite: true,
        progressEvery: 500,
        onProgress: () => server.reset(),
      });
      const secs = (performance.now() - t0) / 1000;
      const governor = sampler.stop();
      const hash = createHash('sha256').update(await readFile(out)).digest('hex');
      const failed = Object.entries(summary.failedByKind ?? {}).map(([k, n]) => `${k} ${n}`).join(', ');
      const counts =
        `${summary.ok} ok / ${summary.failed} failed${failed ? ` (${failed})` : ''}` +
        // Records a stop left undone are part of the count: a line that showed only ok/failed would hide them.
        `${summary.notAttempted > 0 ? ` / ${summary.notAttempted} not attempted (stopped: ${summary.stopReason ?? 'unknown'})` : ''}`;
      const money = `$${fmt((1000 * summary.usage.costUsd) / Math.max(1, summary.ok), 4)} per 1,000 records`;
      if (!run.limited) {
        referenceHash = hash;
        console.log(`  ${run.name}: ${counts} in ${fmt(secs, 1)} s = ${fmt(summary.ok / secs)} records/s; ${money}`);
        continue;
      }
      const limiter: RateLimitStats = (await server.stats())!.rateLimit!;
      const req = shares(limiter.perSecond.admittedRequests, s.requestsPerMinute, secs, s.warmUpSeconds);
      const tok = shares(limiter.perSecond.admittedTokens, s.tokensPerMinute, secs, s.warmUpSeconds);
      const steadyLimited = limiter.perSecond.limited.slice(s.warmUpSeconds).reduce((a, b) => a + b, 0);
      const same = hash === referenceHash;
      console.log(
        `  ${run.name}: ${counts} in ${fmt(secs, 1)} s = ${fmt(summary.ok / secs)} records/s; provider limit used: ` +
          `requests ${pct(req.whole)} over the run, ${req.steady === undefined ? 'n/a' : pct(req.steady)} in steady state (${req.steadySeconds} s); ` +
          `tokens ${pct(tok.whole)} / ${tok.steady === undefined ? 'n/a' : pct(tok.steady)} (limiter's estimate); ` +
          `${limiter.limited} requests answered 429 (${steadyLimited} in steady state); ${money}; output ${same ? 'identical to' : 'DIFFERENT from'} the reference`,
      );
      console.log(`    ${governor.describe(s.warmUpSeconds)}`);
      console.log(
        `    share of the request limit per 10 s since the first request: ${timeline(limiter.perSecond.admittedRequests, s.requestsPerMinute)}; ` +
          `429s in each of the first 10 s: ${Array.from({ length: 10 }, (_, i) => limiter.perSecond.limited[i] ?? 0).join(' ')}`,
      );
      const met = req.steady !== undefined && req.steady >= GOAL_SHARE && summary.failed === 0 && summary.notAttempted === 0 && same;
      verdicts.push(
        `${run.name.trim()}: ${met ? 'met' : 'NOT MET'} (${req.steady === undefined ? 'no steady state: run longer' : pct(req.steady)} of the request limit in steady state, ` +
          `${summary.failed + summary.notAttempted} failed or not attempted, output ${same ? 'identical' : 'different'})`,
      );
    } finally {
      await server.close();
    }
  }
  console.log(`  goal: >= ${pct(GOAL_SHARE)} of the provider's request limit in steady state, 0 failed, output identical to the unlimited run:`);
  for (const v of verdicts) console.log(`    ${v}`);
}
