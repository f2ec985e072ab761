import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { createGateway, createManualClock, Semaphore, TokenBucket, LlmError } from '../../src/llm/index.js';
import { countMessagesTokens } from '../../src/tokens/index.js';
import { FakeChatModel, answer } from './fakes.js';

const Schema = z.object({ n: z.number() });
const ask = (i: number) => [{ role: 'user' as const, content: `item ${i}` }];

describe('limits', () => {
  it('never has more than maxConcurrency requests in flight', async () => {
    const model = new FakeChatModel([], {
      fallback: async () => {
        await new Promise((r) => setTimeout(r, 1));
        return answer('{"n":1}');
      },
    });
    const gw = createGateway({ clock: createManualClock(), maxConcurrency: 3 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => gw.structured({ stage: 's', model, messages: ask(i), schema: Schema })),
    );
    expect(results).toHaveLength(20);
    expect(model.calls).toHaveLength(20);
    expect(model.maxInFlight).toBe(3);
  });

  it('releases the slot during backoff so other calls proceed', async () => {
    const err = Object.assign(new Error('503'), { status: 503 });
    let first = true;
    const model = new FakeChatModel([], {
      fallback: () => {
        if (first) {
          first = false;
          return err;
        }
        return answer('{"n":1}');
      },
    });
    const order: string[] = [];
    const clock = createManualClock();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms, signal) => {
      order.push(`sleep:${ms}`);
      await new Promise((r) => setTimeout(r, 5)); // let the other call run meanwhile
      return sleep(ms, signal);
    };
    const gw = createGateway({ clock, maxConcurrency: 1, random: () => 1 });
    const a = gw.structured({ stage: 'a', model, messages: ask(1), schema: Schema }).then(() => order.push('a done'));
    const b = gw.structured({ stage: 'b', model, messages: ask(2), schema: Schema }).then(() => order.push('b done'));
    await Promise.all([a, b]);
    expect(order).toEqual(['sleep:500', 'b done', 'a done']);
  });

  it('requests per minute are paced, not burst: at 3 rpm one request every 20 s on the clock', async () => {
    const clock = createManualClock();
    const model = new FakeChatModel([], { fallback: answer('{"n":1}') });
    const gw = createGateway({ clock, requestsPerMinute: 3 });
    const starts: number[] = [];
    model.onStart = () => void starts.push(clock.now());
    for (let i = 0; i < 5; i++) await gw.structured({ stage: 's', model, messages: ask(i), schema: Schema });
    // The bucket holds one second's worth (at least one request): a minute's budget at once is what providers 429.
    expect(starts).toEqual([0, 20_000, 40_000, 60_000, 80_000]);
    expect(clock.sleeps).toEqual([20_000, 20_000, 20_000, 20_000]);
  });

  it('tokens per minute: waits for the estimated tokens, then settles with the reported usage', async () => {
    const clock = createManualClock();
    // Estimated at prompt tokens + maxTokens 1000 before sending; the provider then reports 6000 tokens.
    const model = new FakeChatModel([], { fallback: answer('ok', { input_tokens: 5000, output_tokens: 1000 }) });
    const gw = createGateway({ clock, tokensPerMinute: 12_000 });
    const starts: number[] = [];
    model.onStart = () => void starts.push(clock.now());
    for (let i = 0; i < 3; i++) await gw.text({ stage: 's', model, messages: ask(i), maxTokens: 1000 });
    // 200 tokens/s, one second's worth (200) in the bucket: call 0 starts at once and settles at 6000, which puts the
    // bucket 5800 in debt; each next call waits until a full bucket is back: 6000 tokens at 200/s = 30 s.
    expect(countMessagesTokens(ask(0)) + 1000).toBeGreaterThan(200);
    expect(starts).toEqual([0, 30_000, 60_000]);
  });

  it('aborting while queued for a slot fails with aborted and frees nothing it did not take', async () => {
    let releaseFirst!: () => void;
    const model = new FakeChatModel([], { fallback: answer('{"n":1}') });
    model.onStart = (call) =>
      call.messages.at(-1)!.content === 'item 0' ? new Promise<void>((r) => (releaseFirst = r)) : undefined;
    const gw = createGateway({ clock: createManualClock(), maxConcurrency: 1 });
    const first = gw.structured({ stage: 's', model, messages: ask(0), schema: Schema });
    const ctl = new AbortController();
    const second = gw.structured({ stage: 's', model, messages: ask(1), schema: Schema, signal: ctl.signal });
    await new Promise((r) => setTimeout(r, 5));
    ctl.abort();
    await expect(second).rejects.toMatchObject({ kind: 'aborted' });
    releaseFirst();
    await first;
    const third = await gw.structured({ stage: 's', model, messages: ask(2), schema: Schema });
    expect(third.value.n).toBe(1);
    expect(model.calls.map((c) => c.messages.at(-1)!.content)).toEqual(['item 0', 'item 2']);
  });

  it('aborting while waiting on the rate budget fails with aborted', async () => {
    const clock = createManualClock();
    const model = new FakeChatModel([], { fallback: answer('{"n":1}') });
    const gw = createGateway({ clock, requestsPerMinute: 1 });
    await gw.structured({ stage: 's', model, messages: ask(0), schema: Schema });
    const ctl = new AbortController();
    clock.sleep = (_ms, signal) =>
      new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    const p = gw.structured({ stage: 's', model, messages: ask(1), schema: Schema, signal: ctl.signal });
    await new Promise((r) => setTimeout(r, 5));
    ctl.abort();
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect((err as LlmError).kind).toBe('aborted');
    expect(model.calls).toHaveLength(1);
  });
});

describe('Semaphore and TokenBucket', () => {
  it('semaphore grants in FIFO order', async () => {
    const s = new Semaphore(1);
    const order: number[] = [];
    const r0 = await s.acquire();
    const p1 = s.acquire().then((r) => (order.push(1), r));
    const p2 = s.acquire().then((r) => (order.push(2), r));
    expect(s.waiting).toBe(2);
    r0();
    (await p1)();
    (await p2)();
    expect(order).toEqual([1, 2]);
    expect(s.inFlight).toBe(0);
  });

  it('token bucket refills on the clock and clamps requests above capacity', async () => {
    const clock = createManualClock();
    const b = new TokenBucket(60, clock); // 1 per second
    await b.take(60);
    expect(b.available()).toBe(0);
    await b.take(3);
    expect(clock.now()).toBe(3000);
    await b.take(1000); // clamped to 60
    expect(clock.now()).toBe(63_000);
    b.adjust(-1000);
    expect(b.available()).toBe(60);
  });
});

describe('createManualClock', () => {
  it('records sleeps, advances time, fires due timers in order, honours abort', async () => {
    const clock = createManualClock(100);
    const fired: string[] = [];
    clock.setTimer!(50, () => fired.push('b'));
    clock.setTimer!(10, () => fired.push('a'));
    const cancel = clock.setTimer!(20, () => fired.push('never'));
    cancel();
    await clock.sleep(30);
    expect(fired).toEqual(['a']);
    clock.advance(100);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(230);
    expect(clock.sleeps).toEqual([30]);
    await expect(clock.sleep(5, AbortSignal.abort())).rejects.toThrow();
    expect(createManualClock({ realTimers: true }).setTimer).toBeUndefined();
  });
});
