/**
 * @google/generative-ai errors carry `status` and the body's `errorDetails`, not the response headers. The gateway
 * reads a wait from a `retry-after-ms` header and treats 401/403 as auth, so:
 * - a google.rpc.RetryInfo `retryDelay` ("2s", "0.5s") becomes a retry-after-ms header on the error;
 * - a bad key (Gemini answers 400 with ErrorInfo reason API_KEY_INVALID) becomes status 401, so it stops at once
 *   instead of being treated as a bad request.
 */
interface Detail {
  '@type'?: string;
  retryDelay?: string;
  reason?: string;
}

export function describeGoogleError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as Error & { status?: number; errorDetails?: Detail[]; headers?: unknown };
  const details = Array.isArray(e.errorDetails) ? e.errorDetails : [];
  const retry = details.find((d) => d['@type']?.endsWith('google.rpc.RetryInfo'))?.retryDelay;
  const seconds = typeof retry === 'string' ? Number(retry.replace(/s$/, '')) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0 && e.headers === undefined) {
    Object.assign(e, { headers: new Headers({ 'retry-after-ms': String(Math.round(seconds * 1000)) }) });
  }
  if (e.status === 400 && details.some((d) => d.reason === 'API_KEY_INVALID')) Object.assign(e, { status: 401 });
  return e;
}

/** A success answer that does not hold what it must (e.g. fewer vectors than texts). Retryable by name. */
export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}
