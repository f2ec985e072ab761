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
  /** Requests per second the model is paced at, learnt from the 429s; undefined until the first cut (not paced). */
  pacedPerSecond?: number;
}

/** Successes over this much time measure the rate a provider admits. */
const RATE_WINDOW_MS = 5000;
/** ...but never over less than this (a cut right at the start would otherwise see a burst as a rate). */
const MIN_RATE_WINDOW_MS = 1000;
/** Pace just under what got through when a 429 came. */
const PACE_FACTOR = 0.95;
/** Additive increase of the paced rate, per success, in requests per second (about +5% per second at any rate). */
const PACE_GROWTH = 0.05;

interface Waiter {
  grant: () => void;
  fail: (e: Error) => void;
}

/**
 * How one model's requests get along with its provider's rate limit, learnt from the 429s themselves (it needs no
 * configured limit):
 * - adaptive concurrency (AIMD): a 429 halves the requests allowed in flight (once per window: 429s answering
 *   requests sent before the last cut do not cut again), each success adds 1/limit (one more per window of
 *   successes), up to the gateway's maxConcurrency. A cut never goes below what the learnt pace needs at the
 *   observed latency (Little's law: rate x latency), or a slow provider would be left idle under its limit;
 * - a shared pause: a 429 saying "wait X" holds every new request of the model until then, not only the one that
 *   got it, so the others do not spend their attempts hitting the same wall;
 * - a learnt pace: with a fast provider even one request in flight can exceed a requests-per-minute limit, so a cut
 *   also paces the model's requests at (just under) the rate that got through over the last seconds, and each
 *   success raises that pace a little (AIMD on the rate).
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
  private paceMs = 0;
  private nextStartAt = 0;
  private readonly successTimes: number[] = [];
  private firstEnterAt: number | undefined;
  /** Moving average of how long a request holds its slot (ms), once one has finished. */
  private latencyMs: number | undefined;

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
      ...(this.paceMs > 0 ? { pacedPerSecond: 1000 / this.paceMs } : {}),
    };
  }

  /** Wait for the pause to end and a slot under the current limit; resolves with the release function. */
  async enter(signal?: AbortSignal): Promise<() => void> {
    this.firstEnterAt ??= this.clock.now();
    for (;;) {
      const release = await this.slot(signal);
      if (this.paceMs > 0) {
        // Reserve the next start time of the pace (in arrival order), then wait for it holding the slot.
        const now = this.clock.now();
        const at = Math.max(now, this.nextStartAt);
        this.nextStartAt = at + this.paceMs;
        if (at > now) {
          try {
            await this.clock.sleep(at - now, signal);
          } catch (err) {
            release();
            throw err;
          }
        }
      }
      if (this.pausedUntil <= this.clock.now()) return this.timed(release);
      // A pause began while this request waited for its pace: give the slot back and wait again.
      release();
    }
  }

  /** The release of a request about to be sent, which also measures how long the request took. */
  private timed(release: () => void): () => void {
    const sentAt = this.clock.now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const took = this.clock.now() - sentAt;
      this.latencyMs = this.latencyMs === undefined ? took : 0.8 * this.latencyMs + 0.2 * took;
      release();
    };
  }

  /** A slot under the current limit once no pause holds the model. */
  private async slot(signal?: AbortSignal): Promise<() => void> {
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
      const now = this.clock.now();
      this.lastCutAt = now;
      this.decreaseCount++;
      const measured = this.admittedPerSecond(now);
      if (measured > 0) {
        const pace = 1000 / (measured * PACE_FACTOR);
        // Never speed up on a 429: keep the slower of the current pace and the measured one.
        this.paceMs = Math.max(this.paceMs, pace);
      }
      // Requests the pace keeps busy at the observed latency: fewer in flight would leave the limit unused.
      const needed = this.paceMs > 0 && this.latencyMs !== undefined ? Math.ceil(this.latencyMs / this.paceMs) : 1;
      this.limitValue = Math.min(this.max, Math.max(1, needed, Math.floor(this.limitValue / 2)));
    }
    const until = this.clock.now() + Math.max(0, waitMs);
    if (until > this.pausedUntil) this.pausedUntil = until;
  }

  /** A request got through (any answer but a 429): grow the limit by one per window of successes. */
  succeeded(): void {
    const now = this.clock.now();
    this.successTimes.push(now);
    if (this.successTimes.length > 64 && this.successTimes[0]! < now - RATE_WINDOW_MS) {
      this.successTimes.splice(0, this.successTimes.findIndex((t) => t >= now - RATE_WINDOW_MS));
    }
    if (this.paceMs > 0) this.paceMs = 1000 / (1000 / this.paceMs + PACE_GROWTH);
    if (this.limitValue >= this.max) return;
    const before = Math.floor(this.limitValue);
    this.limitValue = Math.min(this.max, this.limitValue + 1 / Math.max(1, before));
    if (Math.floor(this.limitValue) > before) this.grantWaiters();
  }

  /** Successes per second over the last RATE_WINDOW_MS (at least MIN_RATE_WINDOW_MS, at most since the first request). */
  private admittedPerSecond(now: number): number {
    const since = now - RATE_WINDOW_MS;
    let n = 0;
    for (let i = this.successTimes.length - 1; i >= 0 && this.successTimes[i]! >= since; i--) n++;
    const window = Math.min(RATE_WINDOW_MS, Math.max(MIN_RATE_WINDOW_MS, now - (this.firstEnterAt ?? now)));
    return (n * 1000) / window;
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
