import type { Clock, RetryPolicy } from './types.js';
import { LlmError, classifyError, type ErrorClassification } from './errors.js';
import { clockTimer, abortError } from './clock.js';
import type { StatedRateLimits } from './rate-limit-hints.js';

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  rateLimitPatienceMs: 120_000,
  jitter: true,
};

export const DEFAULT_ATTEMPT_TIMEOUT_MS = 60_000;

/** Backoff before attempt `failedAttempt + 1`: base x 2^(n-1), capped, then scaled into [0.5, 1] when jittering. */
export function backoffDelay(failedAttempt: number, policy: RetryPolicy, random: () => number): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempt - 1));
  return policy.jitter ? Math.round(raw * (0.5 + 0.5 * random())) : raw;
}

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: LlmError;
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  random: () => number;
  /** The caller's signal: aborting it stops everything at once with kind 'aborted'. */
  signal?: AbortSignal;
  /** Per-attempt timeout (starts after `acquire` resolves). */
  attemptTimeoutMs: number;
  /** Label for error messages, e.g. "label openai:gpt-4o-mini". */
  label: string;
  /** Obtain capacity (concurrency slot, rate budget) before each attempt; returns the release function. */
  acquire?: (signal: AbortSignal | undefined) => Promise<() => void>;
  onRetry?: (info: RetryInfo) => void | Promise<void>;
  /**
   * An attempt started at `startedAt` (clock ms, once capacity was obtained) was answered 429; it waits `delayMs`.
   * `statedLimits`: the limits the 429 stated (x-ratelimit-limit-* headers), if any.
   */
  onRateLimited?: (info: { startedAt: number; delayMs: number; statedLimits?: StatedRateLimits }) => void;
  /** The attempt succeeded. */
  onSuccess?: () => void;
}

export interface RetryOutcome<T> {
  value: T;
  attempts: number;
}

function toLlmError(c: ErrorClassification, label: string, attempts: number, cause: unknown, extra = ''): LlmError {
  return new LlmError(`${label}: ${c.kind}${c.status ? ` (HTTP ${c.status})` : ''}${extra}: ${c.message}`, {
    kind: c.kind,
    status: c.status,
    code: c.code,
    retryable: c.retryable,
    retryAfterMs: c.retryAfterMs,
    attempts,
    cause,
  });
}

function abortedError(label: string, attempts: number, signal?: AbortSignal): LlmError {
  return new LlmError(`${label}: aborted by the caller`, { kind: 'aborted', attempts, retryable: false, cause: signal?.reason });
}

function fmtSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Reject as soon as the signal aborts, even if the wrapped promise ignores it. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Run one transport call with the SDK's retry policy: transient failures (rate limits, 408/409/5xx, timeouts,
 * network resets, malformed bodies) are retried with exponential backoff and jitter, Retry-After is honoured up to
 * a cap, everything else fails at once with a typed LlmError. Rate limits are a matter of waiting, not of a broken
 * request: 429s do not count toward `maxAttempts`; they are retried until `rateLimitPatienceMs` has passed since
 * the call's first 429.
 */
export async function runWithRetry<T>(
  fn: (signal: AbortSignal, attempt: number) => Promise<T>,
  opts: RetryOptions,
): Promise<RetryOutcome<T>> {
  const { policy, clock, signal, label } = opts;
  const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  const patienceMs = policy.rateLimitPatienceMs ?? DEFAULT_RETRY_POLICY.rateLimitPatienceMs;
  let rateLimitedSince: number | undefined;
  let rateLimitedAttempts = 0;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortedError(label, attempt - 1, signal);
    let release: (() => void) | undefined;
    try {
      release = opts.acquire ? await opts.acquire(signal) : undefined;
    } catch (err) {
      if (signal?.aborted) throw abortedError(label, attempt - 1, signal);
      throw err;
    }
    const startedAt = clock.now();
    const attemptCtl = new AbortController();
    let timedOut = false;
    const cancelTimer = clockTimer(clock, opts.attemptTimeoutMs, () => {
      timedOut = true;
      const e = new Error(`attempt timed out after ${opts.attemptTimeoutMs} ms`);
      e.name = 'TimeoutError';
      attemptCtl.abort(e);
    });
    const combined = signal ? AbortSignal.any([signal, attemptCtl.signal]) : attemptCtl.signal;
    let classification: ErrorClassification;
    let cause: unknown;
    try {
      const value = await raceAbort(fn(combined, attempt), combined);
      opts.onSuccess?.();
      return { value, attempts: attempt };
    } catch (err) {
      if (signal?.aborted) throw abortedError(label, attempt, signal);
      cause = err;
      classification = timedOut
        ? { kind: 'timeout', retryable: true, message: `attempt timed out after ${opts.attemptTimeoutMs} ms` }
        : classifyError(err, clock.now());
    } finally {
      cancelTimer();
      release?.();
    }
    if (classification.kind === 'aborted') {
      // An abort we did not ask for (neither the caller nor our timeout): treat as a dropped connection.
      classification = { ...classification, kind: 'network', retryable: true };
    }
    if (!classification.retryable) throw toLlmError(classification, label, attempt, cause);
    const rateLimited = classification.kind === 'rate_limit';
    if (rateLimited) {
      rateLimitedAttempts++;
      rateLimitedSince ??= clock.now();
    } else if (attempt - rateLimitedAttempts >= maxAttempts) {
      throw toLlmError(classification, label, attempt, cause, ` after ${attempt} attempts`);
    }
    let delayMs: number;
    if (classification.retryAfterMs !== undefined) {
      if (classification.retryAfterMs > policy.maxRetryAfterMs) {
        throw toLlmError(
          classification,
          label,
          attempt,
          cause,
          ` (Retry-After ${classification.retryAfterMs} ms exceeds the ${policy.maxRetryAfterMs} ms cap)`,
        );
      }
      delayMs = Math.ceil(classification.retryAfterMs);
    } else {
      delayMs = backoffDelay(rateLimited ? rateLimitedAttempts : attempt, policy, opts.random);
    }
    if (rateLimited) {
      const waited = clock.now() - rateLimitedSince!;
      if (waited + delayMs > patienceMs) {
        throw toLlmError(
          classification,
          label,
          attempt,
          cause,
          ` after ${attempt} attempts (still rate-limited after ${fmtSeconds(waited)}; the rate-limit patience is ${fmtSeconds(patienceMs)})`,
        );
      }
      opts.onRateLimited?.({ startedAt, delayMs, ...(classification.statedLimits ? { statedLimits: classification.statedLimits } : {}) });
    }
    await opts.onRetry?.({ attempt, delayMs, error: toLlmError(classification, label, attempt, cause) });
    try {
      await clock.sleep(delayMs, signal);
    } catch (err) {
      if (signal?.aborted) throw abortedError(label, attempt, signal);
      throw err;
    }
  }
}
