import type { Clock } from './types.js';
import { abortError } from './clock.js';
import { onAbort } from './abort-fanout.js';

/** Counting semaphore with FIFO waiters; a waiter whose signal aborts leaves the queue. */
export class Semaphore {
  private active = 0;
  private readonly waiters: { grant: () => void; fail: (e: Error) => void }[] = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`concurrency must be >= 1, got ${max}`);
  }

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves with a release function once a slot is free. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const release = this.makeRelease();
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      // One fanned-out listener per signal, not one per waiter: hundreds of calls wait on one run's signal.
      let unregister: () => void = () => undefined;
      const waiter = {
        grant: () => {
          unregister();
          this.active++;
          resolve(release);
        },
        fail: reject,
      };
      this.waiters.push(waiter);
      if (signal) {
        unregister = onAbort(signal, () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortError(signal));
        });
      }
    });
  }

  private makeRelease(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      const next = this.waiters.shift();
      if (next) next.grant();
    };
  }
}

/**
 * Token bucket refilled continuously on the injected clock: `perMinute` units per 60 s, holding at most `capacity`
 * (default: a minute's worth). Providers enforce their per-minute limits over short windows (OpenAI: about a
 * second), so the gateway paces with a one-second capacity: a minute's budget taken at once would be answered with
 * 429s. Takers are served in arrival order. A take larger than the capacity waits for a full bucket and takes it
 * all and more (the level goes negative, which delays later takers), so the long-run rate holds for any size.
 * `adjust` settles an estimate against the real amount afterwards (the level may go negative too).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private tail: Promise<void> = Promise.resolve();
  private readonly perMs: number;
  readonly capacity: number;

  constructor(
    readonly perMinute: number,
    private readonly clock: Clock,
    capacity?: number,
    /** Units in the bucket at the start (default: full). */
    initial?: number,
  ) {
    if (!(perMinute > 0)) throw new RangeError(`rate per minute must be > 0, got ${perMinute}`);
    if (capacity !== undefined && !(capacity > 0)) throw new RangeError(`bucket capacity must be > 0, got ${capacity}`);
    this.capacity = capacity ?? perMinute;
    this.tokens = Math.min(this.capacity, initial ?? this.capacity);
    this.last = clock.now();
    this.perMs = perMinute / 60_000;
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
    }
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Wait until n units (at most a full bucket) are available and take n. */
  take(n: number, signal?: AbortSignal): Promise<void> {
    const p = this.tail.then(() => this.waitAndTake(Math.max(0, n), signal));
    this.tail = p.catch(() => undefined);
    return p;
  }

  private async waitAndTake(n: number, signal?: AbortSignal): Promise<void> {
    const needed = Math.min(n, this.capacity);
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      this.refill();
      if (this.tokens >= needed) {
        this.tokens -= n;
        return;
      }
      await this.clock.sleep(Math.max(1, Math.ceil((needed - this.tokens) / this.perMs)), signal);
    }
  }

  /** Take (delta > 0) or give back (delta < 0) units without waiting. */
  adjust(delta: number): void {
    this.refill();
    this.tokens = Math.min(this.capacity, this.tokens - delta);
  }
}

/**
 * The bucket pacing a requests-per-minute limit: one request every 60/rpm s from the start, and after a stall (a
 * pause after a 429, a busy event loop) up to half a second's worth at once to catch up, since a pace that can
 * never catch up loses every delay for good. Providers admit a whole window's worth (OpenAI: about a second) at once.
 */
export function requestsPerMinuteBucket(rpm: number, clock: Clock): TokenBucket {
  return new TokenBucket(rpm, clock, Math.max(1, rpm / 120), 1);
}

/** The bucket pacing a tokens-per-minute limit: up to one second's worth at once, as request sizes vary. */
export function tokensPerMinuteBucket(tpm: number, clock: Clock): TokenBucket {
  return new TokenBucket(tpm, clock, Math.max(1, tpm / 60));
}
