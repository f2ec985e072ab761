import { describe, it, expect } from 'vitest';
import { startOpenAIServer } from '../src/index.js';
import { RateLimiter } from '../src/openai-server/rate-limiter.js';

describe('RateLimiter (fake clock)', () => {
  it('admits a quantum of requests, then says how long until the next one', () => {
    let now = 0;
    const l = new RateLimiter({ requestsPerMinute: 600 }, () => now); // 10 per 1 s window, one every 100 ms
    for (let i = 0; i < 10; i++) expect(l.take(0).ok).toBe(true);
    const refused = l.take(0);
    expect(refused).toMatchObject({ ok: false, retryAfterMs: 100 });
    // OpenAI's headers: the limit per minute, less the window's 10 requests not yet refilled, all refilled in 1 s.
    expect(refused.headers).toEqual({ 'x-ratelimit-limit-requests': '600', 'x-ratelimit-remaining-requests': '590', 'x-ratelimit-reset-requests': '1s' });
    now += 100;
    expect(l.take(0).ok).toBe(true);
    now += 1500;
    const later = l.take(0);
    // 1.5 s later the window has refilled: only the request just admitted is used (600 RPM: one per 100 ms).
    expect(later.headers['x-ratelimit-remaining-requests']).toBe('599');
    expect(later.headers['x-ratelimit-reset-requests']).toBe('100ms');
    expect(l.stats).toMatchObject({ limited: 1, admittedRequests: 12, admittedTokens: 0 });
    // Per second since the first request: 11 admitted and 1 refused in second 0, 1 admitted in second 1.
    expect(l.stats.perSecond).toEqual({ admittedRequests: [11, 1], admittedTokens: [0, 0], limited: [1] });
  });

  it('sends no x-ratelimit-* headers with headers: false', () => {
    const l = new RateLimiter({ requestsPerMinute: 60, tokensPerMinute: 6000, headers: false }, () => 0);
    expect(l.take(10).headers).toEqual({});
    expect(new RateLimiter({ requestsPerMinute: 60, tokensPerMinute: 6000 }, () => 0).take(10).headers).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-limit-tokens': '6000',
      'x-ratelimit-remaining-tokens': '5990',
      'x-ratelimit-reset-tokens': '100ms',
    });
  });

  it('charges tokens per minute and waits for the bucket to refill', () => {
    let now = 0;
    const l = new RateLimiter({ tokensPerMinute: 60_000 }, () => now); // 1,000 tokens per window, 1 per ms
    expect(l.take(800).ok).toBe(true);
    expect(l.take(500)).toMatchObject({ ok: false, retryAfterMs: 300 });
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
      const limits: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await call();
        statuses.push(r.status);
        limits.push(r.headers.get('x-ratelimit-limit-requests'));
        if (r.status === 429) retryAfterMs = r.headers.get('retry-after-ms');
        await r.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(retryAfterMs)).toBeGreaterThan(0);
      expect(Number(retryAfterMs)).toBeLessThanOrEqual(60_000);
      // Every answer says the limit, the admitted ones as well as the 429.
      expect(limits).toEqual(['1', '1', '1']);
      expect(server.stats().rateLimit).toMatchObject({ limited: 1, admittedRequests: 2, admittedTokens: expect.any(Number) });
    } finally {
      await server.close();
    }
  });
});
