/**
 * Dead credentials and dead servers stop the gateway instead of failing call after call: an auth (or quota) error is
 * not retried and stops it at once; N consecutive failures of the same kind stop it; after that nothing is sent.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LlmError, ProviderStoppedError, createGateway, createManualClock, isProviderStopped } from '../../src/llm/index.js';
import { FakeChatModel, answer, apiError, recordingClock } from './fakes.js';

const Schema = z.object({ label: z.string() });
const call = (gw: ReturnType<typeof createGateway>, model: FakeChatModel, i: number) =>
  gw.structured({ stage: 'label', model, messages: [{ role: 'user', content: `t${i}` }], schema: Schema, cache: false });

describe('circuit breaker', () => {
  it('401: one request, no retry, the gateway stops; later calls send nothing', async () => {
    const model = new FakeChatModel([], { fallback: apiError(401, { message: 'Incorrect API key provided' }) });
    const gw = createGateway({ clock: recordingClock() });
    const first = await call(gw, model, 0).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ProviderStoppedError);
    expect((first as LlmError).kind).toBe('auth');
    expect((first as Error).message).toContain('stopped at the first auth error');
    expect(model.calls).toHaveLength(1);
    const later = await call(gw, model, 1).catch((e: unknown) => e);
    expect(isProviderStopped(later)).toBe(true);
    expect((later as Error).message).toContain('not sent');
    expect(model.calls).toHaveLength(1);
  });

  it('403 and insufficient_quota stop it too', async () => {
    for (const err of [apiError(403), apiError(429, { code: 'insufficient_quota', message: 'You exceeded your current quota' })]) {
      const model = new FakeChatModel([], { fallback: err });
      const gw = createGateway({ clock: recordingClock() });
      await expect(call(gw, model, 0)).rejects.toBeInstanceOf(ProviderStoppedError);
      await expect(call(gw, model, 1)).rejects.toBeInstanceOf(ProviderStoppedError);
      expect(model.calls).toHaveLength(1);
    }
  });

  it('N consecutive failures of one kind stop it; the Nth is the stopping error', async () => {
    const model = new FakeChatModel([], { fallback: apiError(500) });
    const gw = createGateway({ clock: recordingClock(), maxConsecutiveFailures: 3, retry: { maxAttempts: 2 } });
    for (let i = 0; i < 2; i++) {
      const e = await call(gw, model, i).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(LlmError);
      expect(isProviderStopped(e)).toBe(false);
    }
    const third = await call(gw, model, 2).catch((x: unknown) => x);
    expect(third).toBeInstanceOf(ProviderStoppedError);
    expect((third as Error).message).toContain('stopped after 3 consecutive server failures');
    expect(model.calls).toHaveLength(6);
    await expect(call(gw, model, 3)).rejects.toBeInstanceOf(ProviderStoppedError);
    expect(model.calls).toHaveLength(6);
  });

  it('a success or a failure of another kind restarts the count; 0 never stops on a streak', async () => {
    let n = 0;
    // server, server, ok, server, server, bad_request, server, server: never 3 of a kind in a row.
    const plan = [500, 500, 0, 500, 500, 400, 500, 500];
    const model = new FakeChatModel([], { fallback: () => (plan[n++] ? apiError(plan[n - 1]!) : answer('{"label":"x"}')) });
    const gw = createGateway({ clock: recordingClock(), maxConsecutiveFailures: 3, retry: { maxAttempts: 1 } });
    for (let i = 0; i < plan.length; i++) {
      const r = await call(gw, model, i).catch((x: unknown) => x);
      expect(isProviderStopped(r)).toBe(false);
    }
    const never = createGateway({ clock: recordingClock(), maxConsecutiveFailures: 0, retry: { maxAttempts: 1 } });
    const failing = new FakeChatModel([], { fallback: apiError(500) });
    for (let i = 0; i < 30; i++) expect(isProviderStopped(await call(never, failing, i).catch((x: unknown) => x))).toBe(false);
  });

  it('a hanging model with a short attempt timeout: timeouts count and stop it', async () => {
    const model = new FakeChatModel([], { fallback: 'hang' });
    const gw = createGateway({ clock: createManualClock({ realTimers: true }), attemptTimeoutMs: 20, maxConsecutiveFailures: 2, retry: { maxAttempts: 2 } });
    const a = await call(gw, model, 0).catch((x: unknown) => x);
    expect((a as LlmError).kind).toBe('timeout');
    const b = await call(gw, model, 1).catch((x: unknown) => x);
    expect(b).toBeInstanceOf(ProviderStoppedError);
    expect((b as LlmError).kind).toBe('timeout');
    expect(model.calls).toHaveLength(4);
  });
});

describe('circuit breaker and answers', () => {
  it('invalid answers do not stop it (the provider answered; callers re-ask them) and restart the count', async () => {
    let n = 0;
    // 2 server errors, then an invalid answer (after its repairs), then 2 server errors: never 3 in a row.
    const model = new FakeChatModel([], {
      fallback: () => {
        const i = n++;
        if (i < 2 || (i >= 5 && i < 7)) return apiError(500);
        if (i < 5) return answer('not json');
        return answer('{"label":"x"}');
      },
    });
    const gw = createGateway({ clock: recordingClock(), maxConsecutiveFailures: 3, retry: { maxAttempts: 1 }, maxRepairs: 2 });
    const kinds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call(gw, model, i).catch((x: unknown) => x);
      expect(isProviderStopped(r)).toBe(false);
      kinds.push(r instanceof LlmError ? r.kind : 'ok');
    }
    expect(kinds).toEqual(['server', 'server', 'invalid_output', 'server', 'server']);
    const many = new FakeChatModel([], { fallback: answer('not json') });
    for (let i = 0; i < 12; i++) expect(isProviderStopped(await call(gw, many, 100 + i).catch((x: unknown) => x))).toBe(false);
  });
});
