import type { Clock } from './types.js';
import { abortError } from './clock.js';
import { onAbort } from './abort-fanout.js';

/** What the governor of one model is doing (for progress lines, tests and benchmarks). */
export interface RateGovernorState {
  /** Requests this model may have in flight now (AIMD: halved on a 429, grown by one per window of successes). */
  limit: number;
  inFlight: number;
  waiting: number;
  /** Until when (clock ms) no new request starts, because the provider asked to wait; 0 when not paused. */
  pausedUntil: number;
  /** 429s seen, and how many of them halved the limit (the others answered requests sent before the last cut). */
  rateLimited: number;
  decreases: number;
}

interface Waiter {
  grant: () => void;
  fail: (e: Error) => void;
}

/**
 * How one model's requests get along with its provider's rate limit, learnt from the 429s themselves (it needs no
 * configured limit):
 * - adaptive concurrency (AIMD): a 429 halves the requests allowed in flight (once per window: 429s answering
 *   requests sent before the last cut do not cut again), each success adds 1/limit (one more per window of
 *   successes), up to the gateway's maxConcurrency;
 * - a shared pause: a 429 saying "wait X" holds every new request of the model until then, not only the one that
 *   got it, so the others do not spend their attempts hitting the same wall.
 * Requests wait in arrival order.
 */
export class RateGovernor {
  private limitValue: number;
  private active = 0;
  private pausedUntil = 0;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  private rateLimitedCount = 0;
  private decreaseCount = 0;
  private readonly waiters: Waiter[] = [];
  private pauseTimer: (() => void) | undefined;

  constructor(
    private readonly max: number,
    private readonly clock: Clock,
  ) {
    if (!(max >= 1)) throw new RangeError(`concurrency must be >= 1, got ${max}`);
    this.limitValue = max;
  }

  state(): RateGovernorState {
    return {
      limit: Math.floor(this.limitValue),
      inFlight: this.active,
      waiting: this.waiters.length,
      pausedUntil: this.pausedUntil > this.clock.now() ? this.pausedUntil : 0,
      rateLimited: this.rateLimitedCount,
      decreases: this.decreaseCount,
    };
  }

  /** Wait for the pause to end and a slot under the current limit; resolves with the release function. */
  async enter(signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const wait = this.pausedUntil - this.clock.now();
      if (wait > 0) {
        await this.clock.sleep(wait, signal);
        // Slots given back during the pause are handed to the requests queued first.
        this.grantWaiters();
        continue;
      }
      if (this.active < Math.floor(this.limitValue) && this.waiters.length === 0) {
        this.active++;
        return this.makeRelease();
      }
      await this.queue(signal);
      // Granted: the slot is ours unless a pause began meanwhile (then give it back and wait again).
      if (this.pausedUntil > this.clock.now()) {
        this.active--;
        continue;
      }
      return this.makeRelease();
    }
  }

  /**
   * A request started at `startedAt` was answered 429; the provider asks to wait `waitMs` (its Retry-After, or our
   * backoff when it said nothing).
   */
  rateLimited(startedAt: number, waitMs: number): void {
    this.rateLimitedCount++;
    if (startedAt >= this.lastCutAt) {
      this.limitValue = Math.max(1, Math.floor(this.limitValue / 2));
      this.lastCutAt = this.clock.now();
      this.decreaseCount++;
    }
    const until = this.clock.now() + Math.max(0, waitMs);
    if (until > this.pausedUntil) this.pausedUntil = until;
  }

  /** A request got through (any answer but a 429): grow the limit by one per window of successes. */
  succeeded(): void {
    if (this.limitValue >= this.max) return;
    const before = Math.floor(this.limitValue);
    this.limitValue = Math.min(this.max, this.limitValue + 1 / Math.max(1, before));
    if (Math.floor(this.limitValue) > before) this.grantWaiters();
  }

  private queue(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let unregister: () => void = () => undefined;
      const waiter: Waiter = {
        grant: () => {
          unregister();
          resolve();
        },
        fail: reject,
      };
      this.waiters.push(waiter);
      if (signal) {
        unregister = onAbort(signal, () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortError(signal));
          // The queue may now start with requests that fit.
          this.grantWaiters();
        });
      }
    });
  }

  /** Hand free slots to waiters in arrival order (each counted as in flight at once, so none is granted twice). */
  private grantWaiters(): void {
    while (this.waiters.length > 0 && this.active < Math.floor(this.limitValue)) {
      this.active++;
      this.waiters.shift()!.grant();
    }
  }

  private makeRelease(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      this.grantWaiters();
    };
  }
}
