import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What @langchain/ollama 1.3 does not do for us, done at the fetch level:
 * - ChatOllama never hands the call's AbortSignal to the HTTP request (it only stops reading between stream chunks),
 *   so an aborted call would leave the request running in Ollama until the answer is complete. The signal travels
 *   here through AsyncLocalStorage and is joined to the request's own.
 * - ollama-js errors carry `status_code` and no headers; the gateway reads `status` and `retry-after`. The response
 *   headers of a failed request are kept for `describeOllamaError`.
 * - The bearer token (hosted Ollama, proxies) is added here, so it is never a field of a LangChain object.
 */
interface CallState {
  signal?: AbortSignal;
  headers?: Headers;
}

const calls = new AsyncLocalStorage<CallState>();

export function ollamaFetch(options: { apiKey?: string; timeoutMs?: number }): typeof fetch {
  return async (input, init = {}) => {
    const state = calls.getStore();
    const signals = [init.signal ?? undefined, state?.signal, options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const headers = new Headers(init.headers);
    if (options.apiKey !== undefined) headers.set('authorization', `Bearer ${options.apiKey}`);
    const response = await fetch(input, { ...init, headers, ...(signals.length > 0 ? { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) } : {}) });
    if (state && !response.ok) state.headers = response.headers;
    return response;
  };
}

/** Run one model call with its signal visible to ollamaFetch; errors come out classifiable by the gateway. */
export async function withOllamaCall<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  const state: CallState = signal ? { signal } : {};
  try {
    return await calls.run(state, run);
  } catch (error) {
    throw describeOllamaError(error, state.headers);
  }
}

/** ollama-js's ResponseError gets the `status` (and response headers) the gateway's classifier reads. */
export function describeOllamaError(error: unknown, headers?: Headers): unknown {
  if (error instanceof Error && error.name === 'ResponseError') {
    const status = (error as Error & { status_code?: unknown }).status_code;
    if (typeof status === 'number') Object.assign(error, { status });
    if (headers) Object.assign(error, { headers });
  }
  // ollama-js's own words for a stream without its closing chunk (a body that was not NDJSON, or cut off).
  if (error instanceof Error && /did not receive done or success response/i.test(error.message)) {
    return new MalformedResponseError(`Ollama: ${error.message}`, error);
  }
  return error;
}

/** An answer that ended without Ollama's closing chunk: cut off, or not NDJSON at all. Retryable by name. */
export class MalformedResponseError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'MalformedResponseError';
  }
}
