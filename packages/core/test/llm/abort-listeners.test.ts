/**
 * Hundreds of calls wait on one run's AbortSignal (for a concurrency slot, or in a retry backoff): none of that may
 * trigger Node's "MaxListenersExceededWarning: Possible EventTarget memory leak", and aborting must still reach every
 * waiter. Warnings are captured from the process while 200 calls wait.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Semaphore, createGateway, systemClock } from '../../src/llm/index.js';
import { onAbort } from '../../src/llm/abort-fanout.js';
import { FakeChatModel, answer, apiError } from './fakes.js';

const Schema = z.object({ label: z.string() });
let warnings: Error[];
const collect = (w: Error): void => {
  warnings.push(w);
};
beforeEach(() => {
  warnings = [];
  process.on('warning', collect);
});
afterEach(() => {
  process.off('warning', collect);
});
const leakWarnings = () => warnings.filter((w) => w.name === 'MaxListenersExceededWarning' || /memory leak/i.test(w.message));
const tick = () => new Promise((r) => setTimeout(r, 20));

describe('abort listeners under load', () => {
  it('a check that can fail: 200 plain listeners on one signal do warn', async () => {
    const ctl = new AbortController();
    for (let i = 0; i < 200; i++) ctl.signal.addEventListener('abort', () => undefined);
    await tick();
    expect(leakWarnings().length).toBeGreaterThan(0);
  });

  it('200 waiters for a gateway slot on one signal: no warning, and an abort reaches them all', async () => {
    const ctl = new AbortController();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const model = new FakeChatModel([], { fallback: answer('{"label":"x"}') });
    model.onStart = () => gate;
    const gw = createGateway({ maxConcurrency: 1, clock: systemClock });
    const calls = Array.from({ length: 201 }, (_, i) =>
      gw.structured({ stage: 's', model, messages: [{ role: 'user', content: `t${i}` }], schema: Schema, signal: ctl.signal, cache: false }),
    );
    await tick();
    expect(model.calls).toHaveLength(1); // one in flight, 200 waiting for the slot
    ctl.abort();
    release();
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(201);
    await tick();
    expect(leakWarnings()).toEqual([]);
  });

  it('200 calls backing off at once on one signal: no warning, all answered', async () => {
    const ctl = new AbortController();
    let n = 0;
    const model = new FakeChatModel([], { fallback: () => (n++ < 200 ? apiError(500) : answer('{"label":"x"}')) });
    const gw = createGateway({ maxConcurrency: 200, clock: systemClock, retry: { baseDelayMs: 30, maxDelayMs: 30, jitter: false } });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        gw.structured({ stage: 's', model, messages: [{ role: 'user', content: `t${i}` }], schema: Schema, signal: ctl.signal, cache: false }),
      ),
    );
    expect(results.every((r) => r.value.label === 'x')).toBe(true);
    await tick();
    expect(leakWarnings()).toEqual([]);
  });

  it('semaphore waiters leave on abort and the fan-out listener is removed when the last one is granted', async () => {
    const ctl = new AbortController();
    const sem = new Semaphore(1);
    const first = await sem.acquire(ctl.signal);
    const waiting = Array.from({ length: 50 }, () => sem.acquire(ctl.signal));
    expect(sem.waiting).toBe(50);
    first();
    const r = await waiting[0]!;
    r();
    // Every grant unregisters its callback: after all are granted nothing is left on the signal.
    for (const w of waiting.slice(1)) (await w)();
    let fired = 0;
    const off = onAbort(ctl.signal, () => fired++);
    off();
    ctl.abort();
    expect(fired).toBe(0);
    expect(leakWarnings()).toEqual([]);
  });
});
