/**
 * A provider-style rate limit for the test server: requests per minute and tokens per minute, each a bucket refilled
 * continuously. Like OpenAI's, the limits are quantized: a per-minute limit is enforced over `quantumMs` (default
 * 1 s) windows, so 600 RPM admits bursts of 10 requests, not 600 at once. A request over either limit gets a 429
 * with `retry-after-ms` / `retry-after` saying when enough of the bucket will have refilled. Like OpenAI, every
 * answer (429 or not) carries `x-ratelimit-limit-requests` / `-remaining-requests` / `-reset-requests` and the same
 * for tokens, unless `headers: false` (a provider that says nothing but 429 + retry-after). See headers().
 */
export interface RateLimitOptions {
  requestsPerMinute?: number;
  /** Tokens charged per request: its estimated prompt tokens (body bytes / 4) plus its max_tokens, as a provider does. */
  tokensPerMinute?: number;
  /** Window over which the per-minute limits are enforced (bucket size = limit x quantumMs / 60 000). Default 1000. */
  quantumMs?: number;
  /** Send OpenAI's x-ratelimit-* headers on every answer (default true). */
  headers?: boolean;
}

export interface RateLimitStats {
  /** Requests answered 429 by the limiter. */
  limited: number;
  /** Requests admitted, and the tokens charged for them. */
  admittedRequests: number;
  admittedTokens: number;
  /**
   * Requests and tokens admitted, and requests refused, in each second since the first request the limiter saw
   * (index = whole seconds since then): the share of the limit used over any part of a run (warm-up, steady state).
   */
  perSecond: { admittedRequests: number[]; admittedTokens: number[]; limited: number[] };
}

interface Bucket {
  perMs: number;
  capacity: number;
  level: number;
  perMinute: number;
}

export class RateLimiter {
  private readonly buckets: { requests?: Bucket; tokens?: Bucket };
  private last: number;
  private firstAt: number | undefined;
  private readonly sendHeaders: boolean;
  readonly stats: RateLimitStats = { limited: 0, admittedRequests: 0, admittedTokens: 0, perSecond: { admittedRequests: [], admittedTokens: [], limited: [] } };

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
      return { perMs: perMinute / 60_000, capacity, level: capacity, perMinute };
    };
    this.buckets = { requests: bucket(options.requestsPerMinute, 'requestsPerMinute'), tokens: bucket(options.tokensPerMinute, 'tokensPerMinute') };
    this.sendHeaders = options.headers ?? true;
    this.last = this.now();
  }

  /** Estimated tokens a request is charged: prompt (body bytes / 4) plus the completion it may produce. */
  static tokensOf(rawBody: string, body: Record<string, unknown>): number {
    const maxTokens = Number(body.max_completion_tokens ?? body.max_tokens ?? 0);
    return Math.ceil(Buffer.byteLength(rawBody) / 4) + (Number.isFinite(maxTokens) && maxTokens > 0 ? maxTokens : 0);
  }

  /**
   * Admit a request costing `tokens` (consuming the buckets), or return the milliseconds to wait before retrying.
   * `headers` are the x-ratelimit-* headers to send with the answer (empty with `headers: false`).
   */
  take(tokens: number): { ok: true; headers: Record<string, string> } | { ok: false; retryAfterMs: number; headers: Record<string, string> } {
    const t = this.now();
    const elapsed = t - this.last;
    this.last = t;
    this.firstAt ??= t;
    const second = Math.floor((t - this.firstAt) / 1000);
    const { requests, tokens: tok } = this.buckets;
    for (const b of [requests, tok]) if (b) b.level = Math.min(b.capacity, b.level + elapsed * b.perMs);
    // A request larger than the whole token bucket is charged the bucket (it would otherwise never pass).
    const charge = tok ? Math.min(tokens, tok.capacity) : 0;
    let wait = 0;
    if (requests && requests.level < 1) wait = Math.max(wait, (1 - requests.level) / requests.perMs);
    if (tok && tok.level < charge) wait = Math.max(wait, (charge - tok.level) / tok.perMs);
    if (wait > 0) {
      this.stats.limited++;
      add(this.stats.perSecond.limited, second, 1);
      return { ok: false, retryAfterMs: Math.ceil(wait), headers: this.headers() };
    }
    if (requests) requests.level -= 1;
    if (tok) tok.level -= charge;
    this.stats.admittedRequests++;
    this.stats.admittedTokens += tokens;
    add(this.stats.perSecond.admittedRequests, second, 1);
    add(this.stats.perSecond.admittedTokens, second, tokens);
    return { ok: true, headers: this.headers() };
  }

  /** A copy of the stats (the per-second lists included), safe to keep while the limiter goes on. */
  snapshot(): RateLimitStats {
    const { perSecond: p } = this.stats;
    return { ...this.stats, perSecond: { admittedRequests: [...p.admittedRequests], admittedTokens: [...p.admittedTokens], limited: [...p.limited] } };
  }

  /**
   * OpenAI's headers: the limit per minute, what remains of it (the limit less what the window has used and not yet
   * refilled: 500 RPM, one request just sent -> 499, reset in 120ms) and how long until it is all refilled. As with
   * OpenAI, a 429 may come while "remaining" is above 0: the limit is enforced over the short window.
   */
  private headers(): Record<string, string> {
    const out: Record<string, string> = {};
    if (!this.sendHeaders) return out;
    for (const [name, b] of [['requests', this.buckets.requests], ['tokens', this.buckets.tokens]] as const) {
      if (!b) continue;
      out[`x-ratelimit-limit-${name}`] = String(b.perMinute);
      out[`x-ratelimit-remaining-${name}`] = String(Math.max(0, Math.floor(b.perMinute - (b.capacity - b.level))));
      out[`x-ratelimit-reset-${name}`] = duration((b.capacity - b.level) / b.perMs);
    }
    return out;
  }
}

function add(list: number[], index: number, n: number): void {
  while (list.length <= index) list.push(0);
  list[index]! += n;
}

/** A duration in OpenAI's notation: "0s", "120ms", "1.5s", "6m0s". */
function duration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return whole === 0 ? '0s' : `${whole}ms`;
  const s = whole / 1000;
  if (s < 60) return `${Number(s.toFixed(3))}s`;
  return `${Math.floor(s / 60)}m${Number((s % 60).toFixed(3))}s`;
}
