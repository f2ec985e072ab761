/**
 * When a rate-limited provider says it will take requests again, from what a 429 carries besides Retry-After:
 * OpenAI's error body ("Rate limit reached ... Please try again in 1.5s.", also "in 20ms", "in 6m0s") and its
 * `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens` headers (durations like "1s", "6m0s", "120ms").
 * Retry-After and retry-after-ms, when present, are read first by errors.ts; these are the fallbacks.
 */

type Obj = Record<string, unknown>;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** One duration in OpenAI's notation: number+unit groups, e.g. "1.5s", "6m0s", "1h2m3.5s", "20ms". */
const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|h|m|s))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
const TRY_AGAIN_RE = /try again in\s+((?:\d+(?:\.\d+)?\s?(?:ms|h|m|s)\b\s?)+)/i;

/** Milliseconds of an OpenAI-style duration ("1.5s", "6m0s", "20ms"), or undefined when it is not one. */
export function parseProviderDuration(text: string): number | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!DURATION_RE.test(compact)) return undefined;
  let total = 0;
  for (const [, n, unit] of compact.matchAll(PART_RE)) total += Number(n) * UNIT_MS[unit!]!;
  return Number.isFinite(total) ? Math.ceil(total) : undefined;
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v == null ? undefined : String(Array.isArray(v) ? v[0] : v);
  return undefined;
}

/**
 * The wait a 429 asks for through its body text or the x-ratelimit-reset-* headers, in ms. Of the two reset
 * headers, the one of the exhausted limit (remaining 0) is taken; when neither says, the shorter one.
 */
export function readRateLimitHintMs(layers: readonly Obj[]): number | undefined {
  for (const l of layers) {
    const m = typeof l.message === 'string' ? TRY_AGAIN_RE.exec(l.message) : null;
    const ms = m ? parseProviderDuration(m[1]!) : undefined;
    if (ms !== undefined) return ms;
  }
  for (const l of layers) {
    const requests = header(l.headers, 'x-ratelimit-reset-requests');
    const tokens = header(l.headers, 'x-ratelimit-reset-tokens');
    if (requests === undefined && tokens === undefined) continue;
    const r = requests === undefined ? undefined : parseProviderDuration(requests);
    const t = tokens === undefined ? undefined : parseProviderDuration(tokens);
    if (header(l.headers, 'x-ratelimit-remaining-requests') === '0' && r !== undefined) return r;
    if (header(l.headers, 'x-ratelimit-remaining-tokens') === '0' && t !== undefined) return t;
    const known = [r, t].filter((x): x is number => x !== undefined);
    if (known.length > 0) return Math.min(...known);
  }
  return undefined;
}

/** A provider's rate limit as its answers state it (OpenAI's x-ratelimit-limit-requests / -tokens), per minute. */
export interface StatedRateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/**
 * The limits a rate-limited answer states in OpenAI's `x-ratelimit-limit-requests` / `x-ratelimit-limit-tokens`
 * headers, or Anthropic's `anthropic-ratelimit-requests-limit` / `anthropic-ratelimit-tokens-limit` (per minute, as
 * their RPM/TPM limits are), or undefined when it states none.
 */
export function readStatedRateLimits(layers: readonly Obj[]): StatedRateLimits | undefined {
  for (const l of layers) {
    const out: StatedRateLimits = {};
    const requests = Number(header(l.headers, 'x-ratelimit-limit-requests') ?? header(l.headers, 'anthropic-ratelimit-requests-limit'));
    const tokens = Number(header(l.headers, 'x-ratelimit-limit-tokens') ?? header(l.headers, 'anthropic-ratelimit-tokens-limit'));
    if (requests > 0 && Number.isFinite(requests)) out.requestsPerMinute = requests;
    if (tokens > 0 && Number.isFinite(tokens)) out.tokensPerMinute = tokens;
    if (out.requestsPerMinute !== undefined || out.tokensPerMinute !== undefined) return out;
  }
  return undefined;
}
