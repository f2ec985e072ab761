import type { Clock } from './types.js';
import { abortError } from './clock.js';
import { onAbort } from './abort-fanout.js';
import { requestsPerMinuteBucket, tokensPerMinuteBucket, type TokenBucket } from './limits.js';
import type { StatedRateLimits } from './rate-limit-hints.js';

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
  /** The limits the provider stated in a 429's x-ratelimit-limit-* headers: the model is paced under them since. */
  statedLimits?: StatedRateLimits;
}

/** Requests sent over this much time (less those answered 429) measure the rate a provider admits. */
const RATE_WINDOW_MS = 5000;
/** ...but never over less than this (a cut right at the start would otherwise see a burst as a rate). */
const MIN_RATE_WINDOW_MS = 1000;
/** Pace just under what got through when a 429 came. */
const PACE_FACTOR = 0.97;
/** After a cut the pace climbs back toward the rate the 429 came at: this share of the gap per success. */
const PACE_RECOVERY = 0.1;
/** At or above that rate it probes higher slowly (the limit may have been under-measured or raised): share of it per second. */
const PACE_PROBE_PER_SECOND = 0.01;
/** Requests kept in flight on a cut: this many times what the pace needs at the observed latency (latencies vary). */
const IN_FLIGHT_MARGIN = 2;

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
  /** When requests were sent, and when those answered 429 had been sent, over the last RATE_WINDOW_MS (sorted). */
  private readonly sentTimes: number[] = [];
  private readonly refusedTimes: number[] = [];
  /** The admitted rate (requests/s) measured at the last cut: about where the provider's limit is. */
  private ceilingPerSecond = 0;
  /** The rate the pace recovers toward after a cut (the ceiling when measured over a full window, else 0). */
  private recoverTo = 0;
  private lastGrowthAt = 0;
  private firstEnterAt: number | undefined;
  /** Moving average of how long a request holds its slot (ms), once one has finished. */
  private latencyMs: number | undefined;
  /** The provider's stated limits (x-ratelimit-limit-* headers of a 429) and the buckets pacing under them. */
  private stated: StatedRateLimits | undefined;
  private statedRequests: TokenBucket | undefined;
  private statedTokens: TokenBucket | undefined;

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
      ...(this.stated ? { statedLimits: { ...this.stated } } : {}),
    };
  }

  /**
   * The provider stated its limits (a 429's x-ratelimit-limit-requests / -tokens, per minute): from now on requests
   * are paced under them like a configured `rateLimit` (the same buckets: see limits.ts),
   * and the learnt pace and the concurrency cuts, which only guess at the limit, step aside.
   */
  learnLimits(limits: StatedRateLimits): void {
    const { requestsPerMinute: rpm, tokensPerMinute: tpm } = limits;
    if (rpm !== undefined && rpm !== this.stated?.requestsPerMinute) this.statedRequests = requestsPerMinuteBucket(rpm, this.clock);
    if (tpm !== undefined && tpm !== this.stated?.tokensPerMinute) this.statedTokens = tokensPerMinuteBucket(tpm, this.clock);
    this.stated = { ...this.stated, ...limits };
    if (this.paceMs > 0 || this.limitValue < this.max) {
      this.paceMs = 0;
      this.limitValue = this.max;
      this.grantWaiters();
    }
  }

  /** The limits the provider stated, once a 429 carried them. */
  get statedLimits(): StatedRateLimits | undefined {
    return this.stated;
  }

  /** Wait for the stated limits to admit a request of about `tokens` tokens (at once when none were stated). */
  async paceStated(tokens: number, signal?: AbortSignal): Promise<void> {
    if (this.statedRequests) await this.statedRequests.take(1, signal);
    if (this.statedTokens) await this.statedTokens.take(tokens, signal);
  }

  /** Settle a request's token estimate against what it really used (the stated tokens-per-minute bucket). */
  settleTokens(delta: number): void {
    this.statedTokens?.adjust(delta);
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
    pushRecent(this.sentTimes, sentAt);
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
  rateLimited(startedAt: number, waitMs: number, statedLimits?: StatedRateLimits): void {
    this.rateLimitedCount++;
    if (statedLimits) this.learnLimits(statedLimits);
    if (!this.stated) insertSorted(this.refusedTimes, startedAt);
    // Under stated limits a 429 is a timing accident (or another client sharing the key): wait as asked, guess nothing.
    if (!this.stated && startedAt >= this.lastCutAt) {
      const now = this.clock.now();
      this.lastCutAt = now;
      this.decreaseCount++;
      const { perSecond: measured, fullWindow } = this.admittedPerSecond(startedAt);
      if (measured > 0) {
        this.ceilingPerSecond = measured;
        // A measure over less than a full window is biased up by the provider's first burst (a window's worth at
        // once): pace under it, but let only the slow probe, not the recovery, climb back toward it.
        this.recoverTo = fullWindow ? measured : 0;
        this.lastGrowthAt = now;
        const pace = 1000 / (measured * PACE_FACTOR);
        // Never speed up on a 429: keep the slower of the current pace and the measured one.
        this.paceMs = Math.max(this.paceMs, pace);
      }
      // The pace is what keeps under a rate limit; the concurrency cut is for providers that limit requests in
      // flight. It never goes below what the pace needs at the observed latency (Little's law: rate x latency),
      // with a margin as latencies vary, or a slow provider would be left idle under its limit.
      this.limitValue = Math.min(this.max, Math.max(1, this.inFlightNeeded(), Math.floor(this.limitValue / 2)));
    }
    const until = this.clock.now() + Math.max(0, waitMs);
    if (until > this.pausedUntil) this.pausedUntil = until;
  }

  /**
   * A request got through (any answer but a 429): grow the limit by one per window of successes, and the pace back
   * toward the rate the last 429 came at (quickly), then beyond it (slowly: 1% a second).
   */
  succeeded(): void {
    const now = this.clock.now();
    if (this.paceMs > 0) {
      let rate = 1000 / this.paceMs;
      const ceiling = this.ceilingPerSecond;
      // (at least a thousandth of the way per success, so it gets there and starts probing)
      if (rate < this.recoverTo) rate = Math.min(this.recoverTo, rate + Math.max((this.recoverTo - rate) * PACE_RECOVERY, ceiling / 1000));
      else rate += (ceiling * PACE_PROBE_PER_SECOND * Math.min(1000, now - this.lastGrowthAt)) / 1000;
      this.lastGrowthAt = now;
      this.paceMs = 1000 / rate;
      // As the pace or the latency grow, keep enough requests in flight for the pace (see rateLimited).
      const needed = Math.min(this.max, this.inFlightNeeded());
      if (needed > this.limitValue) {
        this.limitValue = needed;
        this.grantWaiters();
      }
    }
    if (this.limitValue >= this.max) return;
    const before = Math.floor(this.limitValue);
    this.limitValue = Math.min(this.max, this.limitValue + 1 / Math.max(1, before));
    if (Math.floor(this.limitValue) > before) this.grantWaiters();
  }

  /**
   * Requests in flight the learnt pace needs at the observed latency (Little's law: rate x latency), with a margin
   * as latencies vary (a slot is held from sending to the answer, through the client's own delays); 1 when not paced.
   */
  private inFlightNeeded(): number {
    return this.paceMs > 0 && this.latencyMs !== undefined ? Math.ceil((IN_FLIGHT_MARGIN * this.latencyMs) / this.paceMs) : 1;
  }

  /**
   * Requests per second the provider admitted over the RATE_WINDOW_MS before `at` (at least MIN_RATE_WINDOW_MS, at
   * most since the first request): those sent less those answered 429. Counted at sending, not at answering, so a
   * slow provider's latency does not make the measure lag behind; a request still unanswered counts as admitted
   * (429s come back at once).
   */
  private admittedPerSecond(at: number): { perSecond: number; fullWindow: boolean } {
    const since = at - RATE_WINDOW_MS;
    const n = countBetween(this.sentTimes, since, at) - countBetween(this.refusedTimes, since, at);
    const history = at - (this.firstEnterAt ?? at);
    const window = Math.min(RATE_WINDOW_MS, Math.max(MIN_RATE_WINDOW_MS, history));
    return { perSecond: (Math.max(0, n) * 1000) / window, fullWindow: history >= RATE_WINDOW_MS };
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

/** Keep the list to the times of the last RATE_WINDOW_MS (times come in order). */
function pushRecent(times: number[], t: number): void {
  times.push(t);
  if (times.length > 256 && times[0]! < t - 2 * RATE_WINDOW_MS) times.splice(0, times.findIndex((x) => x >= t - RATE_WINDOW_MS));
}

/** Insert in order (429s come back in about the order their requests were sent) and keep the window. */
function insertSorted(times: number[], t: number): void {
  let i = times.length;
  while (i > 0 && times[i - 1]! > t) i--;
  times.splice(i, 0, t);
  if (times.length > 256 && times[0]! < t - 2 * RATE_WINDOW_MS) times.splice(0, times.findIndex((x) => x >= t - RATE_WINDOW_MS));
}

/** How many of the sorted times are in [from, to). */
function countBetween(times: readonly number[], from: number, to: number): number {
  let n = 0;
  for (let i = times.length - 1; i >= 0 && times[i]! >= from; i--) if (times[i]! < to) n++;
  return n;
}
