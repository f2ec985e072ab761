/**
 * The Quill API (made up for this example; nothing like OpenAI's):
 *
 *   POST {base}/v2/reply     header `Quill-Key: <key>`
 *     { engine, turns: [{ from: 'guide' | 'person' | 'quill', text }], shape?: <JSON Schema>, strict_json?: true, warmth? }
 *     -> { reply: { text }, meter: { read, wrote }, done: true }
 *   POST {base}/v2/vectors   { engine, texts: [...], size? } -> { vectors: [[...], ...], meter: { read } }
 *   errors: HTTP status + { fault: { code, detail } }; 429 carries `Quill-Retry-In: <seconds>`; 503 when busy.
 *
 * `shape` is Quill's native structured output (the answer text is JSON following the schema); `strict_json` asks
 * for some JSON without a schema. This file is the only one that knows the wire format.
 */
export interface QuillConnection {
  baseURL: string;
  /** Sent as the Quill-Key header only; never logged, never in an error. */
  apiKey: string;
  timeoutMs?: number;
}

export type QuillTurn = { from: 'guide' | 'person' | 'quill'; text: string };

export interface QuillReplyBody {
  engine: string;
  turns: QuillTurn[];
  shape?: Record<string, unknown>;
  strict_json?: true;
  warmth?: number;
}

export interface QuillReplyAnswer {
  reply: { text: string };
  meter: { read: number; wrote: number };
  done: boolean;
}

/**
 * A Quill error, described the way Taxonomist's gateway classifies provider errors: `status`, and `headers` with
 * `retry-after-ms`, translated from Quill's own Quill-Retry-In (seconds) so the gateway waits as the server asked.
 */
export class QuillApiError extends Error {
  override readonly name = 'QuillApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly headers: Headers,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** POST JSON to Quill; abort through `signal` closes the HTTP request (fetch's own behaviour). */
export async function quillPost<T>(c: QuillConnection, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const signals = [signal, c.timeoutMs === undefined ? undefined : AbortSignal.timeout(c.timeoutMs)].filter((s): s is AbortSignal => s !== undefined);
  const response = await fetch(`${c.baseURL.replace(/\/+$/, '')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'quill-key': c.apiKey },
    body: JSON.stringify(body),
    ...(signals.length > 0 ? { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) } : {}),
  });
  // Text first: a cut-off body rejects here (a network error), a non-JSON one in JSON.parse (a SyntaxError); the
  // gateway retries both.
  const text = await response.text();
  if (!response.ok) {
    let fault: { code?: string; detail?: string } = {};
    try {
      fault = (JSON.parse(text) as { fault?: typeof fault }).fault ?? {};
    } catch {
      // not JSON: the status says enough
    }
    const headers = new Headers();
    const retryIn = Number(response.headers.get('quill-retry-in'));
    if (response.headers.has('quill-retry-in') && Number.isFinite(retryIn) && retryIn >= 0) headers.set('retry-after-ms', String(retryIn * 1000));
    throw new QuillApiError(`Quill ${path}: ${response.status} ${fault.detail ?? 'error'}`, response.status, headers, fault.code);
  }
  return JSON.parse(text) as T;
}
