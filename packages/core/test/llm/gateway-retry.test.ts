import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { createGateway, LlmError, type GatewayOptions } from '../../src/llm/index.js';
import { FakeChatModel, answer, apiError, netError, recordingClock } from './fakes.js';

const Schema = z.object({ label: z.string() });
const ok = () => answer('{"label":"billing"}');

function setup(script: ConstructorParameters<typeof FakeChatModel>[0], opts: Partial<GatewayOptions> = {}) {
  const clock = recordingClock();
  const model = new FakeChatModel(script);
  const retries: { attempt: number; delayMs: number; kind: string }[] = [];
  const gw = createGateway({
    clock,
    random: () => 1, // jitter factor 0.5 + 0.5 * 1 = 1: delays are exactly base x 2^n
    hooks: {
      emit: (name: string, p: { attempt: number; delayMs: number; error: LlmError }) => {
        if (name === 'llm:retry') retries.push({ attempt: p.attempt, delayMs: p.delayMs, kind: p.error.kind });
      },
    },
    ...opts,
  });
  const call = (signal?: AbortSignal) =>
    gw.structured({ stage: 's', model, messages: [{ role: 'user', content: 'hi' }], schema: Schema, signal });
  return { clock, model, gw, call, retries };
}

async function failure(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LlmError);
    return err as LlmError;
  }
  throw new Error('expected the call to fail');
}

describe('gateway retries', () => {
  it.each([
    ['429 without Retry-After', () => apiError(429), 'rate_limit'],
    ['500', () => apiError(500), 'server'],
    ['503', () => apiError(503), 'server'],
    ['408', () => apiError(408), 'timeout'],
    ['409', () => apiError(409), 'server'],
    ['ECONNRESET', () => netError('ECONNRESET'), 'network'],
    ['ECONNREFUSED', () => netError('ECONNREFUSED'), 'network'],
    ['socket hang up', () => new Error('socket hang up'), 'network'],
    ['terminated', () => new TypeError('terminated'), 'network'],
    ['truncated body', () => new SyntaxError('Unexpected end of JSON input'), 'server'],
    ['timeout error', () => Object.assign(new Error('Request timed out.'), { name: 'TimeoutError' }), 'timeout'],
  ])('retries %s then succeeds, with exponential backoff', async (_name, make, kind) => {
    const { call, model, clock, retries } = setup([make(), make(), ok()]);
    const res = await call();
    expect(res.value).toEqual({ label: 'billing' });
    expect(res.attempts).toBe(3);
    expect(model.calls).toHaveLength(3);
    expect(clock.sleeps).toEqual([500, 1000]);
    expect(retries.map((r) => r.kind)).toEqual([kind, kind]);
  });

  it('gives up after maxAttempts with the typed error and attempt count', async () => {
    const { call, model, clock } = setup([], { retry: { maxAttempts: 4 } });
    model.fallback = apiError(503);
    const err = await failure(call());
    expect(err.kind).toBe('server');
    expect(err.status).toBe(503);
    expect(err.attempts).toBe(4);
    expect(err.retryable).toBe(true);
    expect(model.calls).toHaveLength(4);
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
  });

  it('caps the backoff at maxDelayMs and applies jitter in [0.5, 1]', async () => {
    const clock = recordingClock();
    const model = new FakeChatModel([], { fallback: apiError(500) });
    const rolls = [0, 0.5, 1, 0, 1];
    const gw = createGateway({
      clock,
      random: () => rolls.shift()!,
      retry: { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 4000 },
    });
    await failure(gw.structured({ stage: 's', model, messages: [{ role: 'user', content: 'x' }], schema: Schema }));
    // raw delays 1000, 2000, 4000, 4000(capped), 4000(capped) x factors 0.5, 0.75, 1, 0.5, 1
    expect(clock.sleeps).toEqual([500, 1500, 4000, 2000, 4000]);
  });

  it('honours Retry-After seconds and retry-after-ms exactly', async () => {
    const { call, clock, model } = setup([
      apiError(429, { headers: { 'retry-after': '7' } }),
      apiError(429, { headers: { 'retry-after-ms': '1234' } }),
      ok(),
    ]);
    const res = await call();
    expect(res.attempts).toBe(3);
    expect(model.calls).toHaveLength(3);
    expect(clock.sleeps).toEqual([7000, 1234]);
  });

  it('honours an HTTP-date Retry-After relative to the clock', async () => {
    const { call, clock } = setup([apiError(503, { headers: { 'retry-after': new Date(30_000).toUTCString() } }), ok()]);
    await call();
    expect(clock.sleeps).toEqual([30_000]);
  });

  it('fails as rate_limit when Retry-After exceeds the cap, without waiting', async () => {
    const { call, clock, model } = setup([apiError(429, { headers: { 'retry-after': '120' } }), ok()], {
      retry: { maxRetryAfterMs: 60_000 },
    });
    const err = await failure(call());
    expect(err.kind).toBe('rate_limit');
    expect(err.attempts).toBe(1);
    expect(err.retryAfterMs).toBe(120_000);
    expect(err.message).toMatch(/exceeds/);
    // A provider asking to wait past the cap (a daily limit) stops the model: later calls would all fail the same way.
    expect(err.name).toBe('ProviderStoppedError');
    expect(err.message).toMatch(/asks to wait 120 s/);
    expect(clock.sleeps).toEqual([]);
    expect(model.calls).toHaveLength(1);
  });

  it.each([
    ['400', () => apiError(400), 'bad_request', 400],
    ['404', () => apiError(404), 'bad_request', 404],
    ['422', () => apiError(422), 'bad_request', 422],
    ['401', () => apiError(401), 'auth', 401],
    ['403', () => apiError(403), 'auth', 403],
    ['quota 429', () => apiError(429, { code: 'insufficient_quota', message: 'You exceeded your current quota' }), 'quota', 429],
  ])('does not retry %s', async (_n, make, kind, status) => {
    const { call, model, clock } = setup([make(), ok()]);
    const err = await failure(call());
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.attempts).toBe(1);
    expect(err.retryable).toBe(false);
    expect(model.calls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('times an attempt out on the clock timer and retries', async () => {
    const clock = Object.assign(recordingClock(), {
      timers: [] as { ms: number; fn: () => void }[],
      setTimer(ms: number, fn: () => void) {
        const t = { ms, fn };
        clock.timers.push(t);
        return () => {
          clock.timers = clock.timers.filter((x) => x !== t);
        };
      },
    });
    const model = new FakeChatModel([
      (call) => {
        // The model "takes" longer than the timeout: fire the pending timer while it hangs.
        queueMicrotask(() => clock.timers.forEach((t) => t.fn()));
        void call;
        return 'hang';
      },
      ok(),
    ]);
    const gw = createGateway({ clock, random: () => 1, attemptTimeoutMs: 1500 });
    const res = await gw.structured({ stage: 's', model, messages: [{ role: 'user', content: 'x' }], schema: Schema });
    expect(res.attempts).toBe(2);
    expect(model.calls).toHaveLength(2);
    expect(clock.sleeps).toEqual([500]);
    expect(clock.timers).toHaveLength(0); // timers are cancelled after each attempt
  });

  it('reports timeout after the attempt limit when the model keeps hanging', async () => {
    const clock = Object.assign(recordingClock(), {
      setTimer(ms: number, fn: () => void) {
        expect(ms).toBe(250);
        const t = setTimeout(fn, 0); // the "250 ms" elapse immediately
        return () => clearTimeout(t);
      },
    });
    const model = new FakeChatModel([], { fallback: 'hang' });
    const gw = createGateway({ clock, random: () => 1, attemptTimeoutMs: 250, retry: { maxAttempts: 3 } });
    const err = await failure(gw.structured({ stage: 's', model, messages: [{ role: 'user', content: 'x' }], schema: Schema }));
    expect(err.kind).toBe('timeout');
    expect(err.attempts).toBe(3);
    expect(model.calls).toHaveLength(3);
  });

  it('aborts mid-backoff immediately with kind aborted and no further attempt', async () => {
    const { call, model, clock } = setup([apiError(500), ok()]);
    clock.blockSleeps = true;
    const ctl = new AbortController();
    const p = call(ctl.signal);
    await new Promise((r) => setTimeout(r, 5));
    expect(clock.sleeps).toEqual([500]);
    ctl.abort();
    const err = await failure(p);
    expect(err.kind).toBe('aborted');
    expect(err.attempts).toBe(1);
    expect(model.calls).toHaveLength(1);
  });

  it('aborts an in-flight request and does not retry it', async () => {
    const ctl = new AbortController();
    const { call, model, clock } = setup([
      () => {
        queueMicrotask(() => ctl.abort());
        return 'hang';
      },
      ok(),
    ]);
    const err = await failure(call(ctl.signal));
    expect(err.kind).toBe('aborted');
    expect(model.calls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('fails at once when the signal is already aborted', async () => {
    const { call, model } = setup([ok()]);
    const err = await failure(call(AbortSignal.abort()));
    expect(err.kind).toBe('aborted');
    expect(model.calls).toHaveLength(0);
  });

  it('passes maxRetries: 0 and the signal to the model on every call', async () => {
    const { call, model } = setup([ok()]);
    await call();
    expect(model.calls[0]!.options.maxRetries).toBe(0);
    expect(model.calls[0]!.options.signal).toBeInstanceOf(AbortSignal);
  });
});
