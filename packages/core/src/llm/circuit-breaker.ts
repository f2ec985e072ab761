import { LlmError, ProviderStoppedError, type LlmErrorKind } from './errors.js';

/** Kinds that stop the gateway at the first occurrence: no later call can succeed with the same credentials. */
export const STOP_AT_ONCE_KINDS: ReadonlySet<LlmErrorKind> = new Set(['auth', 'quota']);

export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 10;

/** Failures where the provider did answer: they say nothing about a dead key or server, and restart the count. */
const ANSWERED_KINDS: ReadonlySet<LlmErrorKind> = new Set(['invalid_output', 'refusal']);

/**
 * Stops a gateway that keeps failing, so a dead key or a hanging server costs one failure (or N), not one per
 * record: an auth or quota error trips it at once; otherwise `max` final call failures in a row of the same kind do
 * (any success, an answer that was invalid or refused, or a failure of another kind restarts the count). Once
 * tripped, every call fails at once.
 */
export class CircuitBreaker {
  private tripped: ProviderStoppedError | undefined;
  private streakKind: LlmErrorKind | undefined;
  private streak = 0;

  /** `max` consecutive failures of one kind trip it; 0 or Infinity: only auth/quota do. */
  constructor(private readonly max: number = DEFAULT_MAX_CONSECUTIVE_FAILURES) {
    if (!(max >= 0)) throw new RangeError(`maxConsecutiveFailures must be >= 0, got ${max}`);
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

  private converted(err: LlmError, message: string): ProviderStoppedError {
    const e = new ProviderStoppedError(message, { kind: err.kind, cause: err, attempts: err.attempts, ...(err.status !== undefined ? { status: err.status } : {}) });
    if (err.usage) e.usage = err.usage;
    return e;
  }
}
