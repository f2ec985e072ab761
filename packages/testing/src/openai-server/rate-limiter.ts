/**
 * A provider-style rate limit for the test server: requests per minute and tokens per minute, each a bucket refilled
 * continuously. Like OpenAI's, the limits are quantized: a per-minute limit is enforced over `quantumMs` (default
 * 1 s) windows, so 600 RPM admits bursts of 10 requests, not 600 at once. A request over either limit gets a 429
 * with `retry-after-ms` / `retry-after` saying when enough of the bucket will have refilled.
 */
export interface RateLimitOptions {
  requestsPerMinute?: number;
  /** Tokens charged per request: its estimated prompt tokens (body bytes / 4) plus its max_tokens, as a provider does. */
  tokensPerMinute?: number;
  /** Window over which the per-minute limits are enforced (bucket size = limit x quantumMs / 60 000). Default 1000. */
  quantumMs?: number;
}

export interface RateLimitStats {
  /** Requests answered 429 by the limiter. */
  limited: number;
  /** Requests admitted, and the tokens charged for them. */
  admittedRequests: number;
  admittedTokens: number;
}

interface Bucket {
  perMs: number;
  capacity: number;
  level: number;
}

export class RateLimiter {
  private readonly buckets: { requests?: Bucket; tokens?: Bucket };
  private last: number;
  readonly stats: RateLimitStats = { limited: 0, admittedRequests: 0, admittedTokens: 0 };

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    const quantum = options.quantumMs ?? 1000;
    if (!(quantum > 0)) throw new RangeError(`rateLimit.quantumMs must be > 0, got ${quantum}`);
    const bucket = (perMinute: number | undefined, name: string): Bucket | undefined => {
      if (perMinute === undefined) return undefined;
      if (!(perMinute > 0)) throw new RangeError(`rateLimit.${name} must be > 0, got ${perMinute}`);
      const capacity = Math.max(1, (perMinute * quantum) / 60_000);
      return { perMs: perMinute / 60_000, capacity, level: capacity };
    };
    this.buckets = { requests: bucket(options.requestsPerMinute, 'requestsPerMinute'), tokens: bucket(options.tokensPerMinute, 'tokensPerMinute') };
    this.last = this.now();
  }

  /** Estimated tokens a request is charged: prompt (body bytes / 4) plus the completion it may produce. */
  static tokensOf(rawBody: string, body: Record<string, unknown>): number {
    const maxTokens = Number(body.max_completion_tokens ?? body.max_tokens ?? 0);
    return Math.ceil(Buffer.byteLength(rawBody) / 4) + (Number.isFinite(maxTokens) && maxTokens > 0 ? maxTokens : 0);
  }

  /** Admit a request costing `tokens` (consuming the buckets), or return the milliseconds to wait before retrying. */
  take(tokens: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const t = this.now();
    const elapsed = t - this.last;
    this.last = t;
    const { requests, tokens: tok } = this.buckets;
    for (const b of [requests, tok]) if (b) b.level = Math.min(b.capacity, b.level + elapsed * b.perMs);
    // A request larger than the whole token bucket is charged the bucket (it would otherwise never pass).
    const charge = tok ? Math.min(tokens, tok.capacity) : 0;
    let wait = 0;
    if (requests && requests.level < 1) wait = Math.max(wait, (1 - requests.level) / requests.perMs);
    if (tok && tok.level < charge) wait = Math.max(wait, (charge - tok.level) / tok.perMs);
    if (wait > 0) {
      this.stats.limited++;
      return { ok: false, retryAfterMs: Math.ceil(wait) };
    }
    if (requests) requests.level -= 1;
    if (tok) tok.level -= charge;
    this.stats.admittedRequests++;
    this.stats.admittedTokens += tokens;
    return { ok: true };
  }
}
