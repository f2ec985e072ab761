import { LlmError, ProviderStoppedError, type LlmErrorKind } from './errors.js';
import type { Clock } from './types.js';
import { systemClock } from './clock.js';

/** Kinds that stop the gateway at the first occurrence: no later call can succeed with the same credentials. */
export const STOP_AT_ONCE_KINDS: ReadonlySet<LlmErrorKind> = new Set(['auth', 'quota']);

export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 10;

/** How long nothing may succeed before rate-limit failures stop the provider (default: the retry patience, 120 s). */
export const DEFAULT_RATE_LIMIT_STALL_MS = 120_000;

export interface CircuitBreakerOptions {
  clock?: Clock;
  /** Rate-limit failures stop the provider only when no call has succeeded for this long (ms). */
  rateLimitStallMs?: number;
  /** A 429 asking to wait longer than this (the retry policy's Retry-After cap) stops the provider at once. */
  maxRetryAfterMs?: number;
}

/** Failures where the provider did answer: they say nothing about a dead key or server, and restart the count. */
const ANSWERED_KINDS: ReadonlySet<LlmErrorKind> = new Set(['invalid_output', 'refusal']);

/**
 * Stops a gateway that keeps failing, so a dead key or a hanging server costs one failure (or N), not one per
 * record: an auth or quota error trips it at once; otherwise `max` final call failures in a row of the same kind do
 * (any success, an answer that was invalid or refused, or a failure of another kind restarts the count). Once
 * tripped, every call fails at once.
 *
 * Rate limits are different: a call fails `rate_limit` only after retrying for its patience, and under a tight
 * limit many calls may do so while others get through. So rate-limit failures neither count nor restart the count;
 * they stop the provider when nothing has succeeded for `rateLimitStallMs` (since the last success, or since the
 * breaker's first call), or at once when the provider asks to wait longer than the Retry-After cap (a daily limit).
 */
export class CircuitBreaker {
  private tripped: ProviderStoppedError | undefined;
  private streakKind: LlmErrorKind | undefined;
  private streak = 0;
  private readonly clock: Clock;
  private readonly stallMs: number;
  private readonly maxRetryAfterMs: number;
  private lastProgressAt: number;

  /** `max` consecutive failures of one kind trip it; 0 or Infinity: only auth/quota (and stalled rate limits) do. */
  constructor(
    private readonly max: number = DEFAULT_MAX_CONSECUTIVE_FAILURES,
    options: CircuitBreakerOptions = {},
  ) {
    if (!(max >= 0)) throw new RangeError(`maxConsecutiveFailures must be >= 0, got ${max}`);
    this.clock = options.clock ?? systemClock;
    this.stallMs = options.rateLimitStallMs ?? DEFAULT_RATE_LIMIT_STALL_MS;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? Number.POSITIVE_INFINITY;
    this.lastProgressAt = this.clock.now();
  }

  get stoppedBy(): ProviderStoppedError | undefined {
    return this.tripped;
  }

  /** Throw if tripped (called before every request, so nothing more is sent). */
  check(label: string): void {
    if (this.tripped) {
      throw new ProviderStoppedError(`${label}: not sent: ${this.tripped.message}`, { kind: this.tripped.kind, cause: this.tripped });
    }
  }

  success(): void {
    this.lastProgressAt = this.clock.now();
    this.streak = 0;
    this.streakKind = undefined;
  }

  /** Record a final failure; returns the error to throw (the ProviderStoppedError when this one trips it). */
  failure(err: unknown): unknown {
    // A budget refusal sent nothing: it says nothing about the provider, so it neither counts nor resets.
    if (!(err instanceof LlmError) || err.name === 'ProviderStoppedError' || err.kind === 'aborted' || err.kind === 'budget') return err;
    if (this.tripped) return this.converted(err, `the provider was already stopped: ${this.tripped.message}`);
    if (ANSWERED_KINDS.has(err.kind)) {
      // The model answered (badly): the provider works, and callers re-ask such answers themselves (induction).
      this.success();
      return err;
    }
    if (err.kind === 'rate_limit') return this.rateLimitFailure(err);
    if (err.kind === this.streakKind) this.streak++;
    else {
      this.streakKind = err.kind;
      this.streak = 1;
    }
    if (STOP_AT_ONCE_KINDS.has(err.kind)) {
      this.tripped = this.converted(err, `stopped at the first ${err.kind} error (no later call can succeed): ${err.message}`);
      return this.tripped;
    }
    if (this.max > 0 && Number.isFinite(this.max) && this.streak >= this.max) {
      this.tripped = this.converted(err, `stopped after ${this.streak} consecutive ${err.kind} failures; last: ${err.message}`);
      return this.tripped;
    }
    return err;
  }

  private rateLimitFailure(err: LlmError): unknown {
    if (err.retryAfterMs !== undefined && err.retryAfterMs > this.maxRetryAfterMs) {
      this.tripped = this.converted(
        err,
        `stopped: the provider asks to wait ${Math.ceil(err.retryAfterMs / 1000)} s (rate limit), more than the ${Math.ceil(this.maxRetryAfterMs / 1000)} s the retry policy waits; last: ${err.message}`,
      );
      return this.tripped;
    }
    const stalled = this.clock.now() - this.lastProgressAt;
    if (stalled >= this.stallMs) {
      this.tripped = this.converted(err, `stopped: rate-limited with no successful call for ${Math.round(stalled / 1000)} s; last: ${err.message}`);
      return this.tripped;
    }
    return err;
  }

  private converted(err: LlmError, message: string): ProviderStoppedError {
    const e = new ProviderStoppedError(message, {
      kind: err.kind,
      cause: err,
      attempts: err.attempts,
      ...(err.status !== undefined ? { status: err.status } : {}),
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    });
    if (err.usage) e.usage = err.usage;
    return e;
  }
}
