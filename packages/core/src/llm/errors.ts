/**
 * Typed LLM errors and the classification of whatever a provider SDK throws into them.
 *
 * The shapes read here are the ones the real clients produce: openai v6 `APIError` (`status`, `headers` as a Headers
 * object, `code`, `error`), @langchain/openai's wrappers (timeouts become `Error` named "TimeoutError", user aborts
 * "AbortError", other API errors pass through with `lc_error_code` added), undici/fetch network failures
 * (`TypeError('fetch failed')` with a `cause` carrying `code: 'ECONNRESET'`), and `SyntaxError` from parsing a
 * malformed or truncated response body.
 */
import { redactText } from '../util/redact.js';
import type { TokenUsage } from './types.js';
import { readRateLimitHintMs, readStatedRateLimits, type StatedRateLimits } from './rate-limit-hints.js';

export type LlmErrorKind =
  | 'rate_limit'
  | 'server'
  | 'timeout'
  | 'network'
  | 'quota'
  | 'auth'
  | 'bad_request'
  | 'invalid_output'
  | 'refusal'
  | 'aborted'
  /** The call was not made: its estimated cost would have taken the spend over the gateway's budget. */
  | 'budget'
  | 'unknown';

/** Kinds worth another transport attempt. */
export const RETRYABLE_KINDS: ReadonlySet<LlmErrorKind> = new Set(['rate_limit', 'server', 'timeout', 'network']);

export interface LlmErrorInit {
  kind: LlmErrorKind;
  status?: number;
  attempts?: number;
  retryable?: boolean;
  raw?: string;
  code?: string;
  retryAfterMs?: number;
  usage?: TokenUsage;
  cause?: unknown;
}

export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly status?: number;
  /** Transport attempts made before giving up. */
  attempts: number;
  /** Whether this kind of failure is transient (it may still be final because the attempt limit was reached). */
  readonly retryable: boolean;
  /** The model's raw answer, for invalid_output and refusal. */
  readonly raw?: string;
  /** Provider error code, e.g. 'insufficient_quota'. */
  readonly code?: string;
  readonly retryAfterMs?: number;
  /**
   * Tokens of the attempts the model answered before the call failed (an invalid answer and its re-asks, a refusal,
   * an answer cut off at the token limit, an abort between re-asks): billed by the provider, so real spend. Set by
   * the gateway, which also counts them in its usage report; absent when no attempt got an answer.
   */
  usage?: TokenUsage;

  constructor(message: string, init: LlmErrorInit) {
    // Error serialisation's choke point: providers echo keys in their messages ("Incorrect API key provided: sk-..."),
    // and this message ends up in label lines, manifests and on the terminal. The cause keeps the original, in memory.
    super(redactText(message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'LlmError';
    this.kind = init.kind;
    this.status = init.status;
    this.attempts = init.attempts ?? 0;
    this.retryable = init.retryable ?? RETRYABLE_KINDS.has(init.kind);
    this.raw = init.raw === undefined ? undefined : redactText(init.raw);
    this.code = init.code;
    this.retryAfterMs = init.retryAfterMs;
    if (init.usage !== undefined) this.usage = init.usage;
  }
}

export function isLlmError(err: unknown): err is LlmError {
  return err instanceof LlmError;
}

export interface ErrorClassification {
  kind: LlmErrorKind;
  retryable: boolean;
  status?: number;
  code?: string;
  /** Server-requested wait (Retry-After / retry-after-ms), in ms. */
  retryAfterMs?: number;
  /** A 429's stated limits (OpenAI's x-ratelimit-limit-* headers): the gateway paces the model under them. */
  statedLimits?: StatedRateLimits;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null;

/** The error and the objects providers nest the real cause in (LangChain and fetch wrap errors). */
function layers(err: unknown): Obj[] {
  const out: Obj[] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown, depth: number): void => {
    if (!isObj(v) || seen.has(v) || depth > 4) return;
    seen.add(v);
    out.push(v);
    visit(v.cause, depth + 1);
    visit(v.response, depth + 1);
    visit(v.error, depth + 1);
  };
  visit(err, 0);
  return out;
}

function firstNumber(ls: Obj[], keys: string[]): number | undefined {
  for (const l of ls) {
    for (const k of keys) {
      const v = l[k];
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      if (typeof v === 'string' && /^\d{3}$/.test(v) && k !== 'code') return Number(v);
    }
  }
  return undefined;
}

function firstString(ls: Obj[], key: string): string | undefined {
  for (const l of ls) {
    const v = l[key];
    if (typeof v === 'string' && v) return v;
  }
  return undefined;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!isObj(headers)) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const v = (headers as { get(n: string): string | null }).get(name);
    return v ?? undefined;
  }
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? String(v[0]) : v == null ? undefined : String(v);
  }
  return undefined;
}

/**
 * Server-requested delay from `retry-after-ms` (OpenAI's precise header) or `retry-after` (seconds or an HTTP date,
 * resolved against `now`).
 */
export function readRetryAfterMs(err: unknown, now: number = Date.now()): number | undefined {
  for (const l of layers(err)) {
    const ms = headerValue(l.headers, 'retry-after-ms');
    if (ms !== undefined && ms.trim() !== '') {
      const n = Number(ms);
      if (Number.isFinite(n) && n >= 0) return n;
    }
    const ra = headerValue(l.headers, 'retry-after');
    if (ra !== undefined && ra.trim() !== '') {
      const secs = Number(ra);
      if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
      const date = Date.parse(ra);
      if (!Number.isNaN(date)) return Math.max(0, date - now);
    }
  }
  return undefined;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const NETWORK_MESSAGES = /socket hang up|fetch failed|\bterminated\b|other side closed|connection error|network error|ECONNRESET|ECONNREFUSED|premature close/i;
const TIMEOUT_MESSAGES = /timed? ?out|timeout/i;
const MALFORMED_MESSAGES = /Unexpected end of JSON|Unexpected token|is not valid JSON|JSON at position|Unterminated string in JSON|Bad control character|invalid json response body/i;
const QUOTA_MESSAGES = /insufficient[_ -]?quota|exceeded your current quota|quota (?:has been )?exhausted|billing|credit balance|out of credits/i;

/** Classify any thrown value into an LlmError kind; `now` resolves HTTP-date Retry-After headers. */
export function classifyError(err: unknown, now: number = Date.now()): ErrorClassification {
  const message = err instanceof Error ? err.message : isObj(err) && typeof err.message === 'string' ? err.message : String(err);
  if (err instanceof LlmError) {
    return { kind: err.kind, retryable: err.retryable, status: err.status, code: err.code, retryAfterMs: err.retryAfterMs, message };
  }
  const ls = layers(err);
  const status = firstNumber(ls, ['status', 'statusCode']);
  const code = firstString(ls, 'code');
  const type = firstString(ls, 'type');
  const names = ls.map((l) => (l instanceof Error ? l.name : typeof l.name === 'string' ? l.name : '')).concat(
    ls.map((l) => (l.constructor && typeof l.constructor.name === 'string' ? l.constructor.name : '')),
  );
  const messages = ls.map((l) => (typeof l.message === 'string' ? l.message : '')).join('\n');
  const base = { status, code, message };

  if (names.includes('AbortError') || names.includes('APIUserAbortError') || /^AbortError/.test(message)) return { ...base, kind: 'aborted', retryable: false };
  if (names.includes('ContentFilterFinishReasonError')) return { ...base, kind: 'refusal', retryable: false };
  if (names.includes('LengthFinishReasonError')) return { ...base, kind: 'invalid_output', retryable: false };
  if (names.includes('TimeoutError') || names.includes('APIConnectionTimeoutError')) return { ...base, kind: 'timeout', retryable: true };

  if (status !== undefined) {
    if (status === 429) {
      if (code === 'insufficient_quota' || type === 'insufficient_quota' || QUOTA_MESSAGES.test(messages)) {
        return { ...base, kind: 'quota', retryable: false };
      }
      // Retry-After first; else what OpenAI's body ("Please try again in 1.5s") or x-ratelimit-reset-* headers say.
      const statedLimits = readStatedRateLimits(ls);
      return {
        ...base,
        kind: 'rate_limit',
        retryable: true,
        retryAfterMs: readRetryAfterMs(err, now) ?? readRateLimitHintMs(ls),
        ...(statedLimits ? { statedLimits } : {}),
      };
    }
    if (status === 401 || status === 403) return { ...base, kind: 'auth', retryable: false };
    if (status === 408) return { ...base, kind: 'timeout', retryable: true, retryAfterMs: readRetryAfterMs(err, now) };
    if (status === 409 || status >= 500) return { ...base, kind: 'server', retryable: true, retryAfterMs: readRetryAfterMs(err, now) };
    if (status >= 400) return { ...base, kind: 'bad_request', retryable: false };
  }

  if (code && TIMEOUT_CODES.has(code)) return { ...base, kind: 'timeout', retryable: true };
  if (code && NETWORK_CODES.has(code)) return { ...base, kind: 'network', retryable: true };
  if (names.includes('APIConnectionError')) return { ...base, kind: 'network', retryable: true };
  // A body cut off mid-way or a non-JSON body surfaces as a SyntaxError from JSON parsing inside the client.
  if (names.includes('SyntaxError') || names.includes('MalformedResponseError') || MALFORMED_MESSAGES.test(messages)) return { ...base, kind: 'server', retryable: true };
  if (NETWORK_MESSAGES.test(messages)) return { ...base, kind: 'network', retryable: true };
  if (TIMEOUT_MESSAGES.test(messages) && !/context|token/i.test(messages)) return { ...base, kind: 'timeout', retryable: true };
  if (names.includes('ContextOverflowError') || /context_length_exceeded|maximum context length/i.test(messages)) {
    return { ...base, kind: 'bad_request', retryable: false };
  }
  return { ...base, kind: 'unknown', retryable: false };
}

/**
 * The gateway stopped calling the provider: an authentication or quota error (every later call would fail the same
 * way), or `maxConsecutiveFailures` calls in a row failed with the same kind (a hanging or dead server). Every call
 * after that fails at once with this error, without a request; `kind` is the kind that stopped it. A caller running
 * many calls (the labeler) stops its run, leaving the remaining work for a resume.
 */
export class ProviderStoppedError extends LlmError {
  constructor(message: string, init: { kind: LlmErrorKind; status?: number; cause?: unknown; attempts?: number; retryAfterMs?: number }) {
    super(message, { ...init, retryable: false });
    this.name = 'ProviderStoppedError';
  }
}

/** Whether an error (or what it wraps) is the gateway's ProviderStoppedError, by name so copies of core agree. */
export function isProviderStopped(err: unknown): err is ProviderStoppedError {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ProviderStoppedError';
}
