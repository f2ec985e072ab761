/**
 * The one HTTP helper of the Echo client: POST JSON, turn every failure into an error the Taxonomist gateway can
 * classify. The gateway owns retries, so this helper never retries; it only has to describe failures faithfully:
 *
 * - an HTTP error becomes an `EchoApiError` carrying `status`, `code` and the response `headers` (the gateway reads
 *   `retry-after-ms` / `retry-after` from them, classifies 429 as rate_limit, 401 as auth, 5xx as server...);
 * - a network failure stays fetch's own `TypeError('fetch failed')` with its cause (classified as network);
 * - an aborted call stays fetch's `AbortError` (classified as aborted, never retried);
 * - a body that is not JSON surfaces as the `SyntaxError` of JSON.parse (classified as a retryable server fault).
 */

export interface EchoConnection {
  /** Base URL of the Echo API, e.g. http://127.0.0.1:8080/v1 (no trailing slash needed). */
  baseURL: string;
  /** Sent as `Authorization: Bearer <apiKey>`. Never logged and never put in an error message. */
  apiKey: string;
  /** Per-request timeout in ms (the gateway has its own per-attempt timeout too). */
  timeoutMs?: number;
}

/** An error answer of the Echo API. Field names follow what Taxonomist's error classifier reads. */
export class EchoApiError extends Error {
  override readonly name = 'EchoApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly headers: Headers,
    readonly code?: string,
    readonly type?: string,
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { message?: string; code?: string | null; type?: string };
}

/** POST `body` as JSON to `${baseURL}${path}` and return the parsed JSON answer. */
export async function postJson<T>(connection: EchoConnection, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const signals = [signal, connection.timeoutMs === undefined ? undefined : AbortSignal.timeout(connection.timeoutMs)];
  const active = signals.filter((s): s is AbortSignal => s !== undefined);
  const response = await fetch(`${connection.baseURL.replace(/\/+$/, '')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${connection.apiKey}` },
    body: JSON.stringify(body),
    ...(active.length > 0 ? { signal: active.length === 1 ? active[0] : AbortSignal.any(active) } : {}),
  });
  // Read the body as text first: a truncated body rejects here (network), a non-JSON one in JSON.parse (SyntaxError).
  const text = await response.text();
  if (!response.ok) {
    let parsed: ErrorBody = {};
    try {
      parsed = JSON.parse(text) as ErrorBody;
    } catch {
      // An error page that is not JSON: the status says enough.
    }
    const message = parsed.error?.message ?? `HTTP ${response.status}`;
    throw new EchoApiError(`Echo API ${path}: ${response.status} ${message}`, response.status, response.headers, parsed.error?.code ?? undefined, parsed.error?.type);
  }
  return JSON.parse(text) as T;
}
