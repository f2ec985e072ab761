/**
 * The SDK's rate-limit policy on a virtual clock: what a 429 says about when to come back (Retry-After, OpenAI's body
 * text and reset headers), patience measured in time rather than attempts, the adaptive concurrency (AIMD) and shared
 * pause of RateGovernor, and a circuit breaker that 429s stop only when nothing succeeds for a long time.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RateLimitError } from 'openai';
import {
  CircuitBreaker,
  LlmError,
  RateGovernor,
  classifyError,
  createGateway,
  createManualClock,
  isProviderStopped,
  parseProviderDuration,
} from '../../src/llm/index.js';
import { FakeChatModel, answer, apiError } from './fakes.js';

const Schema = z.object({ label: z.string() });
const ask = (gw: ReturnType<typeof createGateway>, model: FakeChatModel, i: number) =>
  gw.structured({ stage: 'label', model, messages: [{ role: 'user', content: `t${i}` }], schema: Schema, cache: false });

describe('when a 429 says to come back', () => {
  it('parses OpenAI durations', () => {
    expect(parseProviderDuration('1.5s')).toBe(1500);
    expect(parseProviderDuration('20ms')).toBe(20);
    expect(parseProviderDuration('6m0s')).toBe(360_000);
    expect(parseProviderDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseProviderDuration('soon')).toBeUndefined();
    expect(parseProviderDuration('')).toBeUndefined();
  });

  it('reads the error body, then the x-ratelimit-reset header of the exhausted limit; Retry-After wins over both', () => {
    const body = (message: string, headers: Record<string, string> = {}) =>
      new RateLimitError(429, { message, type: 'requests', code: 'rate_limit_exceeded' }, undefined, new Headers(headers));
    const msg = 'Rate limit reached for gpt-4o-mini in organization org-x on tokens per min (TPM): Limit 200000, Used 199000, Requested 1500. Please try again in 1.5s. Visit https://platform.openai.com/account/rate-limits';
    expect(classifyError(body(msg))).toMatchObject({ kind: 'rate_limit', retryAfterMs: 1500 });
    expect(classifyError(body('Please try again in 250ms.'))).toMatchObject({ retryAfterMs: 250 });
    expect(classifyError(body(msg, { 'retry-after': '3' }))).toMatchObject({ retryAfterMs: 3000 });
    const resets = { 'x-ratelimit-reset-requests': '120ms', 'x-ratelimit-reset-tokens': '6m0s' };
    expect(classifyError(body('Rate limit reached', { ...resets, 'x-ratelimit-remaining-tokens': '0' }))).toMatchObject({ retryAfterMs: 360_000 });
    expect(classifyError(body('Rate limit reached', { ...resets, 'x-ratelimit-remaining-requests': '0' }))).toMatchObject({ retryAfterMs: 120 });
    expect(classifyError(body('Rate limit reached', resets))).toMatchObject({ retryAfterMs: 120 });
    expect(classifyError(body('Rate limit reached')).retryAfterMs).toBeUndefined();
  });

  it('reads the limits a 429 states (OpenAI x-ratelimit-limit-*, Anthropic anthropic-ratelimit-*-limit), per minute', () => {
    const limited = (headers: Record<string, string>) =>
      new RateLimitError(429, { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }, undefined, new Headers(headers));
    expect(classifyError(limited({ 'x-ratelimit-limit-requests': '500', 'x-ratelimit-limit-tokens': '200000' })).statedLimits).toEqual({
      requestsPerMinute: 500,
      tokensPerMinute: 200_000,
    });
    expect(classifyError(limited({ 'anthropic-ratelimit-requests-limit': '50' })).statedLimits).toEqual({ requestsPerMinute: 50 });
    // Nothing stated, or nonsense: nothing learnt.
    expect(classifyError(limited({ 'x-ratelimit-remaining-requests': '0' })).statedLimits).toBeUndefined();
    expect(classifyError(limited({ 'x-ratelimit-limit-requests': 'lots' })).statedLimits).toBeUndefined();
  });

  it('a model whose 429 stated its limit is paced under it from then on, and the learnt pace and cuts step aside', async () => {
    const clock = createManualClock();
    const g = new RateGovernor(16, clock);
    g.rateLimited(clock.now(), 0);
    expect(g.state().limit).toBe(8);
    g.rateLimited(clock.now() + 1, 0, { requestsPerMinute: 600 });
    expect(g.state()).toMatchObject({ limit: 16, statedLimits: { requestsPerMinute: 600 } });
    expect(g.state().pacedPerSecond).toBeUndefined();
    // 600 per minute: one request every 100 ms from the start.
    const starts: number[] = [];
    for (let i = 0; i < 4; i++) {
      (await g.enter())();
      await g.paceStated(0);
      starts.push(clock.now());
    }
    expect(starts.map((t) => t - starts[0]!)).toEqual([0, 100, 200, 300]);
    // Later 429s pause as asked but cut nothing.
    g.rateLimited(clock.now(), 250);
    expect(g.state()).toMatchObject({ limit: 16, decreases: 1, rateLimited: 3 });
    expect(g.state().pausedUntil).toBe(clock.now() + 250);
  });
});

describe('patience in time, not attempts', () => {
  it('429s do not use up maxAttempts: a call retries them until the patience runs out', async () => {
    const clock = createManualClock();
    const model = new FakeChatModel([], { fallback: apiError(429, { headers: { 'retry-after': '1' } }) });
    const gw = createGateway({ clock, retry: { maxAttempts: 2, rateLimitPatienceMs: 10_000 }, maxConsecutiveFailures: 0 });
    const err = (await ask(gw, model, 0).catch((e: unknown) => e)) as LlmError;
    expect(err.kind).toBe('rate_limit');
    // 1 s waits while the first 429 is at most 10 s old: attempts at 0, 1, ..., 10 s.
    expect(model.calls).toHaveLength(11);
    expect(err.message).toMatch(/still rate-limited after 10 s; the rate-limit patience is 10 s/);
  });

  it('a call that meets 429s and then other failures still has all its attempts for the others', async () => {
    const clock = createManualClock();
    const script = [apiError(429), apiError(429), apiError(429), apiError(500), answer('{"label":"a"}')];
    const model = new FakeChatModel(script);
    const gw = createGateway({ clock, retry: { maxAttempts: 2 }, random: () => 1 });
    const res = await ask(gw, model, 0);
    expect(res.attempts).toBe(5);
    // Rate-limit backoff counts its own attempts (500, 1000, 2000 ms); the 500 is the 4th attempt overall.
    expect(clock.sleeps).toEqual([500, 1000, 2000, 4000]);
  });
});

describe('RateGovernor (adaptive concurrency)', () => {
  it('halves the limit once per window of 429s and grows it by one per window of successes', async () => {
    const clock = createManualClock();
    const g = new RateGovernor(16, clock);
    const started = clock.now();
    const releases = await Promise.all(Array.from({ length: 16 }, () => g.enter()));
    clock.advance(1);
    // All 16 were sent before the cut: only the first 429 halves the limit.
    for (let i = 0; i < 10; i++) g.rateLimited(started, 0);
    expect(g.state()).toMatchObject({ limit: 8, rateLimited: 10, decreases: 1 });
    // A request sent after the cut that is answered 429 cuts again.
    clock.advance(1);
    g.rateLimited(clock.now(), 0);
    expect(g.state().limit).toBe(4);
    releases.forEach((r) => r());
    // Additive increase: 4 successes at limit 4 add one.
    for (let i = 0; i < 4; i++) g.succeeded();
    expect(g.state().limit).toBe(5);
    for (let i = 0; i < 1000; i++) g.succeeded();
    expect(g.state().limit).toBe(16);
  });

  it('never lets more than the current limit in flight; waiters get in, in order, as slots free', async () => {
    const clock = createManualClock();
    const g = new RateGovernor(4, clock);
    const first = await Promise.all([g.enter(), g.enter(), g.enter(), g.enter()]);
    g.rateLimited(clock.now(), 0); // limit 2
    const order: number[] = [];
    const later = [0, 1, 2].map((i) => g.enter().then((r) => (order.push(i), r)));
    first[0]!();
    first[1]!();
    first[2]!();
    await new Promise((r) => setTimeout(r, 0));
    // 1 still in flight under a limit of 2: one waiter gets in.
    expect(order).toEqual([0]);
    expect(g.state()).toMatchObject({ inFlight: 2, waiting: 2 });
    first[3]!();
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual([0, 1]);
    (await later[0]!)();
    (await later[1]!)();
    (await later[2]!)();
    expect(order).toEqual([0, 1, 2]);
    expect(g.state().inFlight).toBe(0);
  });

  it('a cut paces later requests just under the rate that got through; successes bring the pace back toward it', async () => {
    const clock = createManualClock();
    const g = new RateGovernor(8, clock);
    // 25 requests got through over 5 s (5 per second), then a 429.
    for (let i = 0; i < 25; i++) {
      (await g.enter())();
      clock.advance(200);
      g.succeeded();
    }
    g.rateLimited(clock.now(), 0);
    expect(g.state().pacedPerSecond).toBeCloseTo(5 * 0.97, 5);
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const release = await g.enter();
      starts.push(clock.now());
      release();
    }
    const gap = 1000 / (5 * 0.97);
    expect(starts[1]! - starts[0]!).toBeCloseTo(gap, 0);
    expect(starts[2]! - starts[1]!).toBeCloseTo(gap, 0);
    // Back toward the rate the 429 came at, a tenth of the gap per success...
    g.succeeded();
    expect(g.state().pacedPerSecond).toBeCloseTo(4.85 + 0.1 * (5 - 4.85), 5);
    for (let i = 0; i < 100; i++) g.succeeded();
    expect(g.state().pacedPerSecond).toBeCloseTo(5, 2);
    // ...then beyond it slowly, 1% of it per second (the limit may be higher than what was measured).
    clock.advance(1000);
    g.succeeded();
    expect(g.state().pacedPerSecond).toBeCloseTo(5 + 0.05, 2);
  });

  it('a cut measured over less than a full window (the provider\'s first burst inflates it) only probes back up', async () => {
    const clock = createManualClock();
    const g = new RateGovernor(8, clock);
    for (let i = 0; i < 10; i++) {
      (await g.enter())();
      clock.advance(200);
      g.succeeded();
    }
    g.rateLimited(clock.now(), 0);
    expect(g.state().pacedPerSecond).toBeCloseTo(4.85, 5);
    // No quick recovery toward the 5/s measured over 2 s: only the probe, 1% of it per second.
    clock.advance(1000);
    g.succeeded();
    expect(g.state().pacedPerSecond).toBeCloseTo(4.85 + 0.05, 5);
  });

  it('measures the admitted rate from when requests were sent, less those answered 429 (not when answers came)', async () => {
    const clock = createManualClock();
    const g = new RateGovernor(64, clock);
    // 20 requests sent over 2 s, none answered yet (a slow provider); the 4 sent in the last 400 ms come back 429.
    const sent: { at: number; release: () => void }[] = [];
    for (let i = 0; i < 20; i++) {
      sent.push({ at: clock.now(), release: await g.enter() });
      clock.advance(100);
    }
    for (const s of sent.slice(16)) {
      s.release();
      g.rateLimited(s.at, 0);
    }
    // Measured over the 1.6 s before the first refused one was sent: 16 admitted = 10 per second.
    expect(g.state().pacedPerSecond).toBeCloseTo(10 * 0.97, 5);
    expect(g.state()).toMatchObject({ rateLimited: 4, decreases: 1 });
  });

  it('a cut keeps enough requests in flight for the learnt pace at the observed latency (rate x latency)', async () => {
    const clock = createManualClock();
    const g = new RateGovernor(32, clock);
    // Requests take 2 s each; 5 per second got through over 2 s.
    const held = await Promise.all(Array.from({ length: 10 }, () => g.enter()));
    clock.advance(2000);
    for (const release of held) {
      release();
      g.succeeded();
    }
    g.rateLimited(clock.now(), 0);
    // The pace (4.85/s) x 2 s needs 10 in flight, twice that with the margin for varying latencies: 20, more than
    // halving 32 would leave. A second cut (9 of the 10 got through: 4.5/s, paced at 4.37/s) keeps what that
    // pace needs, 18, not half of 20.
    expect(g.state().limit).toBe(20);
    clock.advance(1);
    g.rateLimited(clock.now(), 0);
    expect(g.state().limit).toBe(18);
  });

  it('a 429 pauses every new request of the model until its Retry-After', async () => {
    const clock = createManualClock();
    const g = new RateGovernor(8, clock);
    g.rateLimited(clock.now(), 1500);
    const release = await g.enter();
    expect(clock.now()).toBe(1500);
    expect(clock.sleeps).toEqual([1500]);
    release();
  });
});

describe('circuit breaker and rate limits', () => {
  it('rate-limit failures stop nothing while calls succeed; nothing succeeding for the stall time stops it', () => {
    const clock = createManualClock();
    const b = new CircuitBreaker(3, { clock, rateLimitStallMs: 60_000 });
    const limited = () => new LlmError('label m: rate_limit (HTTP 429): slow down', { kind: 'rate_limit' });
    for (let i = 0; i < 10; i++) expect(isProviderStopped(b.failure(limited()))).toBe(false);
    clock.advance(50_000);
    b.success();
    clock.advance(59_000);
    expect(isProviderStopped(b.failure(limited()))).toBe(false);
    clock.advance(1000);
    const stopped = b.failure(limited()) as Error;
    expect(isProviderStopped(stopped)).toBe(true);
    expect(stopped.message).toMatch(/rate-limited with no successful call for 60 s/);
  });

  it('rate-limit failures neither count toward nor reset a streak of another kind', () => {
    const b = new CircuitBreaker(3, { clock: createManualClock() });
    const server = () => new LlmError('500', { kind: 'server' });
    b.failure(server());
    b.failure(server());
    b.failure(new LlmError('429', { kind: 'rate_limit' }));
    expect(isProviderStopped(b.failure(server()))).toBe(true);
  });

  it('a gateway facing a server that always 429s stops with a clear reason after its patience', async () => {
    const clock = createManualClock();
    const model = new FakeChatModel([], { fallback: apiError(429, { headers: { 'retry-after-ms': '700' } }) });
    const gw = createGateway({ clock, retry: { rateLimitPatienceMs: 30_000 }, maxConcurrency: 4 });
    const settled = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => ask(gw, model, i)));
    const errors = settled.map((s) => (s.status === 'rejected' ? (s.reason as LlmError) : undefined));
    expect(errors.every((e) => e?.kind === 'rate_limit')).toBe(true);
    expect(errors.some((e) => isProviderStopped(e) && /rate-limited with no successful call for 3\d s/.test(e.message))).toBe(true);
    // Bounded: about the patience on the clock, and the calls queued behind the stop sent nothing.
    expect(clock.now()).toBeLessThan(40_000);
    const sent = model.calls.length;
    await expect(ask(gw, model, 99)).rejects.toSatisfy(isProviderStopped);
    expect(model.calls).toHaveLength(sent);
  });
});
