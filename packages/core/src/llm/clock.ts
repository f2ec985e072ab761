import type { Clock } from './types.js';
import { onAbort } from './abort-fanout.js';

/** Error used when a sleep or a wait is cut short by an AbortSignal. */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const err = new Error(typeof reason === 'string' ? reason : 'The operation was aborted');
  err.name = 'AbortError';
  return err;
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    // Many calls back off at once on one run's signal: a fanned-out listener, not one each.
    const unregister = signal
      ? onAbort(signal, () => {
          clearTimeout(timer);
          reject(abortError(signal));
        })
      : () => undefined;
    const timer = setTimeout(() => {
      unregister();
      resolve();
    }, Math.max(0, ms));
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: realSleep,
  setTimer: (ms, fn) => {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/** Schedule fn after ms on the clock's timers (real timers when the clock has none). */
export function clockTimer(clock: Clock, ms: number, fn: () => void): () => void {
  if (clock.setTimer) return clock.setTimer(ms, fn);
  const t = setTimeout(fn, Math.max(0, ms));
  return () => clearTimeout(t);
}

export interface ManualClock extends Clock {
  /** Every sleep requested, in ms, in order. */
  readonly sleeps: number[];
  /** Move time forward, firing due timers. */
  advance(ms: number): void;
}

export interface ManualClockOptions {
  start?: number;
  /**
   * Leave per-attempt timeouts on real timers (the clock then has no setTimer). Useful against a real server whose
   * "hang" fault must be cut by a short real timeout while backoff sleeps stay virtual.
   */
  realTimers?: boolean;
}

/**
 * A virtual clock for tests and simulations: `sleep` advances virtual time and resolves at once (still honouring
 * an AbortSignal) and records the requested delay; timers fire when time is advanced past them (by `advance` or by
 * any sleep), so a request "hanging" for longer than the attempt timeout needs someone to advance the clock.
 */
export function createManualClock(startOrOptions: number | ManualClockOptions = 0): ManualClock {
  const opts = typeof startOrOptions === 'number' ? { start: startOrOptions } : startOrOptions;
  const start = opts.start ?? 0;
  let now = start;
  const sleeps: number[] = [];
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const fireDue = (): void => {
    const due = [...timers.entries()].filter(([, t]) => t.at <= now).sort((a, b) => a[1].at - b[1].at || a[0] - b[0]);
    for (const [id, t] of due) {
      timers.delete(id);
      t.fn();
    }
  };
  const clock: ManualClock = {
    sleeps,
    now: () => now,
    advance(ms: number) {
      now += Math.max(0, ms);
      fireDue();
    },
    async sleep(ms: number, signal?: AbortSignal) {
      if (signal?.aborted) throw abortError(signal);
      sleeps.push(ms);
      clock.advance(ms);
      // Yield so an abort issued "during" the sleep (by a timer or another task) is observed.
      await Promise.resolve();
      if (signal?.aborted) throw abortError(signal);
    },
    setTimer(ms: number, fn: () => void) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return () => {
        timers.delete(id);
      };
    },
  };
  if (opts.realTimers) delete clock.setTimer;
  return clock;
}
