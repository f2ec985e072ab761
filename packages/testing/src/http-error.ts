/**
 * Errors shaped like the ones the openai v6 client throws (APIError and subclasses: `.status`, `.headers` as a Web
 * `Headers`, `.error` body, `.code`, `.type`), so the in-process scripted model can exercise the gateway's error
 * classification exactly as a real HTTP failure would, without a server.
 */
export interface HttpErrorOptions {
  /** Sets a `retry-after` header (seconds). */
  retryAfterSeconds?: number;
  /** Sets a `retry-after-ms` header (OpenAI's millisecond variant). */
  retryAfterMs?: number;
  /** Error code in the body, e.g. 'insufficient_quota', 'invalid_api_key'. */
  code?: string;
  /** Error type in the body, e.g. 'rate_limit_error'. */
  type?: string;
  message?: string;
  headers?: Record<string, string>;
}

const NAMES: Record<number, string> = {
  400: 'BadRequestError',
  401: 'AuthenticationError',
  403: 'PermissionDeniedError',
  404: 'NotFoundError',
  409: 'ConflictError',
  422: 'UnprocessableEntityError',
  429: 'RateLimitError',
};

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Invalid request.',
  401: 'Incorrect API key provided.',
  403: 'Permission denied.',
  404: 'Not found.',
  408: 'Request timed out.',
  409: 'Conflict.',
  429: 'Rate limit reached for requests.',
  500: 'The server had an error while processing your request.',
  502: 'Bad gateway.',
  503: 'The engine is currently overloaded, please try again later.',
};

export class ScriptedHttpError extends Error {
  readonly status: number;
  readonly headers: Headers;
  readonly error: { message: string; type: string; code: string | null; param: null };
  readonly code: string | null;
  readonly type: string;
  readonly param = null;

  constructor(status: number, options: HttpErrorOptions = {}) {
    const message = options.message ?? DEFAULT_MESSAGES[status] ?? `HTTP ${status}`;
    // Same message format as openai's APIError.makeMessage: "<status> <message>".
    super(`${status} ${message}`);
    this.name = NAMES[status] ?? (status >= 500 ? 'InternalServerError' : 'APIError');
    this.status = status;
    const headers = new Headers(options.headers ?? {});
    if (options.retryAfterSeconds !== undefined) headers.set('retry-after', String(options.retryAfterSeconds));
    if (options.retryAfterMs !== undefined) headers.set('retry-after-ms', String(options.retryAfterMs));
    this.headers = headers;
    const type = options.type ?? defaultType(status);
    this.code = options.code ?? null;
    this.type = type;
    this.error = { message, type, code: this.code, param: null };
  }
}

function defaultType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 401) return 'invalid_request_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** An error shaped like an openai APIError for this HTTP status. */
export function httpError(status: number, options: HttpErrorOptions = {}): ScriptedHttpError {
  return new ScriptedHttpError(status, options);
}

/** Ready-made transport failures for scripts. */
export const transportErrors = {
  rateLimit: (retry: { retryAfterSeconds?: number; retryAfterMs?: number } = {}) => httpError(429, retry),
  quota: () =>
    httpError(429, {
      code: 'insufficient_quota',
      type: 'insufficient_quota',
      message: 'You exceeded your current quota, please check your plan and billing details.',
    }),
  server: (status = 500) => httpError(status),
  auth: () => httpError(401, { code: 'invalid_api_key' }),
  badRequest: (message?: string) => httpError(400, { message }),
  /** Like openai's APIConnectionTimeoutError as re-thrown by @langchain/openai (name 'TimeoutError'). */
  timeout: () => Object.assign(new Error('Request timed out.'), { name: 'TimeoutError' }),
  /** A socket reset, as Node reports it. */
  connectionReset: () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' }),
};
