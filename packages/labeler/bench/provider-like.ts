/**
 * The part of the throughput benchmark that looks like a real provider (run by throughput.ts after the 50 ms runs):
 * latency drawn uniformly in 0.3-3 s (seeded), a requests-per-minute and tokens-per-minute limit enforced by the
 * server (429 + retry-after, OpenAI-style 1 s windows), the default gateway (no client-side limits: it learns the
 * limit from the 429s: adaptive concurrency, shared pause, learnt pace) and, for comparison, a gateway told the
 * limits (`rateLimit: { rpm, tpm }`, paced per second). Reports records/s, the share of the provider's limit actually
 * used (admitted requests and tokens over the run, against the limit over the same time), 429s, failures, what
 * the gateway learnt, and dollars per 1,000 records (gpt-4o-mini list prices, from the tokens the server reported).
 */
import { join } from 'node:path';
import { ChatOpenAI } from '@langchain/openai';
import { createGateway } from '@taxonomist/core';
import type { CorpusRecord, Taxonomy } from '@taxonomist/core';
import { labelToFile } from '@taxonomist/labeler';
import { forkBenchServer } from './bench-server.js';

export interface ProviderLikeSettings {
  records: number;
  concurrency: number;
  pack: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  requestsPerMinute: number;
  tokensPerMinute: number;
}

const fmt = (n: number, d = 1) => n.toFixed(d);

export async function providerLikeRuns(all: readonly CorpusRecord[], taxonomy: Taxonomy, dir: string, s: ProviderLikeSettings): Promise<void> {
  const records = all.slice(0, s.records);
  console.log(
    `provider-like: ${records.length} texts, pack ${s.pack}, concurrency ${s.concurrency}, latency ${s.minLatencyMs}-${s.maxLatencyMs} ms ` +
      `(uniform, seeded), provider limit ${s.requestsPerMinute} requests/min and ${s.tokensPerMinute.toLocaleString('en-US')} tokens/min`,
  );
  for (const clientLimits of [false, true]) {
    const server = await forkBenchServer({
      records: all.length,
      latencyMs: s.minLatencyMs,
      jitterMs: s.maxLatencyMs - s.minLatencyMs,
      requestsPerMinute: s.requestsPerMinute,
      tokensPerMinute: s.tokensPerMinute,
    });
    try {
      const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-local', configuration: { baseURL: server.url }, maxRetries: 0 });
      const gateway = createGateway({
        maxConcurrency: s.concurrency,
        ...(clientLimits ? { rateLimit: { rpm: s.requestsPerMinute, tpm: s.tokensPerMinute } } : {}),
      });
      const before = (await server.stats())!.rateLimit!;
      const t0 = performance.now();
      const summary = await labelToFile(records, taxonomy, {
        gateway,
        model,
        pack: s.pack,
        concurrency: s.concurrency,
        out: join(dir, `labels-provider-like-${clientLimits}.jsonl`),
        overwrite: true,
        progressEvery: 500,
        onProgress: () => server.reset(),
      });
      const secs = (performance.now() - t0) / 1000;
      const after = (await server.stats())!.rateLimit!;
      const minutes = secs / 60;
      const admitted = after.admittedRequests - before.admittedRequests;
      const tokens = after.admittedTokens - before.admittedTokens;
      const limited = after.limited - before.limited;
      const failed = Object.entries(summary.failedByKind ?? {}).map(([k, n]) => `${k} ${n}`).join(', ');
      console.log(
        `  ${clientLimits ? 'gateway given the limits ' : 'default gateway          '}: ${summary.ok} ok / ${summary.failed} failed${failed ? ` (${failed})` : ''}` +
          // Records a stop left undone are part of the count: a line that showed only ok/failed would hide them.
          `${summary.notAttempted > 0 ? ` / ${summary.notAttempted} not attempted (stopped: ${summary.stopReason ?? 'unknown'})` : ''} ` +
          `in ${fmt(secs, 1)} s = ${fmt(summary.ok / secs)} records/s; provider limit used: requests ${fmt((100 * admitted) / (s.requestsPerMinute * minutes), 0)}%, ` +
          `tokens ${fmt((100 * tokens) / (s.tokensPerMinute * minutes), 0)}% (limiter's estimate); ${limited} requests answered 429; ` +
          `$${fmt((1000 * summary.usage.costUsd) / Math.max(1, summary.ok), 4)} per 1,000 records`,
      );
      const learnt = Object.values(gateway.rateLimits?.() ?? {})[0];
      if (learnt) {
        console.log(
          `    gateway: ${learnt.rateLimited} 429s seen, concurrency cut ${learnt.decreases} times, ending at ${learnt.limit} in flight` +
            `${learnt.pacedPerSecond !== undefined ? `, paced at ${fmt(learnt.pacedPerSecond, 2)} requests/s (limit ${fmt(s.requestsPerMinute / 60, 2)})` : ', not paced'}`,
        );
      }
    } finally {
      await server.close();
    }
  }
}
