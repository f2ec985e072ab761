import { describe, it, expect } from 'vitest';
import { startOpenAIServer } from '../src/index.js';
import { RateLimiter } from '../src/openai-server/rate-limiter.js';

describe('RateLimiter (fake clock)', () => {
  it('admits a quantum of requests, then says how long until the next one', () => {
    let now = 0;
    const l = new RateLimiter({ requestsPerMinute: 600 }, () => now); // 10 per 1 s window, one every 100 ms
    for (let i = 0; i < 10; i++) expect(l.take(0).ok).toBe(true);
    const refused = l.take(0);
    expect(refused).toEqual({ ok: false, retryAfterMs: 100 });
    now += 100;
    expect(l.take(0).ok).toBe(true);
    expect(l.stats).toEqual({ limited: 1, admittedRequests: 11, admittedTokens: 0 });
  });

  it('charges tokens per minute and waits for the bucket to refill', () => {
    let now = 0;
    const l = new RateLimiter({ tokensPerMinute: 60_000 }, () => now); // 1,000 tokens per window, 1 per ms
    expect(l.take(800).ok).toBe(true);
    expect(l.take(500)).toEqual({ ok: false, retryAfterMs: 300 });
    now += 300;
    expect(l.take(500).ok).toBe(true);
  });

  it('estimates a request from its body and max_tokens', () => {
    expect(RateLimiter.tokensOf('x'.repeat(400), { max_tokens: 50 })).toBe(150);
  });
});

describe('startOpenAIServer rateLimit', () => {
  it('answers 429 with retry-after once the requests of a window are used up', async () => {
    const server = await startOpenAIServer({ rateLimit: { requestsPerMinute: 1, quantumMs: 120_000 } }); // 2 per window, 1 more a minute (slow machines)
    try {
      const call = () =>
        fetch(`${server.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        });
      const statuses = [];
      let retryAfterMs: string | null = null;
      for (let i = 0; i < 3; i++) {
        const r = await call();
        statuses.push(r.status);
        if (r.status === 429) retryAfterMs = r.headers.get('retry-after-ms');
        await r.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(retryAfterMs)).toBeGreaterThan(0);
      expect(Number(retryAfterMs)).toBeLessThanOrEqual(60_000);
      expect(server.stats().rateLimit).toEqual({ limited: 1, admittedRequests: 2, admittedTokens: expect.any(Number) });
    } finally {
      await server.close();
    }
  });
});
