import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/**
 * A `fetch` for the openai client built on node:http(s) with a keep-alive agent, for what the chat and embeddings
 * endpoints send: a string or byte body, JSON back. Node's built-in fetch (undici) builds WHATWG Request, Headers
 * and stream objects for every call; on the labeling client that was the largest CPU item (about 0.8 ms of ~1.5 ms
 * per call at pack 1; this transport about 0.37 ms in the same microbenchmark, 32 calls in flight to a local server). Anything else (a
 * Request object, a stream or form body for file uploads, a non-http URL) goes to the global fetch unchanged.
 *
 * What the openai client relies on is kept: the abort signal destroys the request and rejects with the signal's
 * reason (an AbortError, which the client turns into its timeout / user-abort errors); a reset connection or a body
 * cut off mid-way rejects with the socket's error (classified as 'network' and retried by the gateway); redirects are
 * followed by handing the request to the global fetch; gzip / deflate / br bodies are decoded; an event stream
 * (`stream: true`) is returned as it arrives, anything else is read whole.
 */
export function createHttpFetch(options: { fallback?: typeof fetch } = {}): typeof fetch {
  const fallback = options.fallback ?? globalThis.fetch;
  // Keep-alive: one TCP connection per request in flight, reused. Idle sockets are unref'd by the agent, so they do
  // not keep the process alive.
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

  return ((input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
    const body = init.body;
    const simpleBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (!url || !simpleBody || (url.protocol !== 'http:' && url.protocol !== 'https:')) return fallback(input, init);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const headers = headerRecord(init.headers);
    if (body !== undefined && body !== null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    const protocol = url.protocol as 'http:' | 'https:';
    const send = protocol === 'https:' ? https.request : http.request;

    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const finish = (err: unknown, response?: Response): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (err !== undefined) reject(err);
        else resolve(response!);
      };
      const req = send(url, { method: init.method ?? 'GET', headers, agent: agents[protocol] }, (res) => {
        try {
          onResponse(res);
        } catch (err) {
          // e.g. a header value the Headers class refuses: fail this request, never the process.
          res.destroy();
          finish(err);
        }
      });
      const onResponse = (res: http.IncomingMessage): void => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location !== undefined && status !== 304) {
          // Redirects are rare on these APIs: let fetch follow them (it knows the rules for methods and bodies).
          res.resume();
          fallback(input, init).then((r) => finish(undefined, r), (e: unknown) => finish(e));
          return;
        }
        const responseHeaders = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const decoded = decode(res, res.headers['content-encoding']);
        if (decoded !== res) responseHeaders.delete('content-encoding');
        const init_ = { status, statusText: res.statusMessage ?? '', headers: responseHeaders };
        const nullBody = status === 101 || status === 204 || status === 205 || status === 304;
        if (!nullBody && /^text\/event-stream/i.test(String(res.headers['content-type'] ?? ''))) {
          // A stream: hand it over as it arrives (an abort or a reset errors the stream the client reads).
          finish(undefined, withUrl(new Response(Readable.toWeb(decoded) as ReadableStream<Uint8Array>, init_), url));
          // An abort after the headers errors the body being read, as with fetch.
          signal?.addEventListener('abort', () => res.destroy(abortReason(signal) as Error), { once: true });
          return;
        }
        const chunks: Buffer[] = [];
        decoded.on('data', (c: Buffer) => chunks.push(c));
        decoded.on('error', (e) => finish(e));
        decoded.on('end', () => {
          // 'end' after a connection closed mid-body would hand back a truncated body as if it were whole.
          if (!res.complete) return finish(cutOff());
          const bytes = Buffer.concat(chunks);
          const response = withUrl(new Response(nullBody ? null : bytes, init_), url);
          // Node's Response reads even a body it already holds through a web stream; the openai client reads these
          // bodies with json() or text() only, so those read the bytes directly.
          if (!nullBody) {
            Object.defineProperties(response, {
              text: { value: () => Promise.resolve(bytes.toString('utf8')) },
              json: { value: () => new Promise((ok) => ok(JSON.parse(bytes.toString('utf8')) as unknown)) },
            });
          }
          finish(undefined, response);
        });
        res.on('close', () => {
          if (!res.complete) finish(cutOff());
        });
      };
      const onAbort = (): void => {
        req.destroy();
        finish(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e) => finish(e));
      if (body !== undefined && body !== null) req.end(body);
      else req.end();
    });
  }) as typeof fetch;
}

/** What fetch rejects with on abort: the signal's reason, or an AbortError DOMException. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** The error of a body cut off mid-way (what Node's fetch reports as 'terminated'), with a network error code. */
function cutOff(): Error {
  return Object.assign(new Error('socket hang up: the response body was cut off'), { code: 'ECONNRESET' });
}

/** Request headers as a plain record (Headers, an array of pairs or a record). */
function headerRecord(h: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) h.forEach((v, k) => (out[k] = v));
  else if (Array.isArray(h)) for (const [k, v] of h) out[k!.toLowerCase()] = v!;
  else for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  return out;
}

function decode(res: http.IncomingMessage, encoding: string | undefined): Readable {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(createGunzip());
    case 'deflate':
      return res.pipe(createInflate());
    case 'br':
      return res.pipe(createBrotliDecompress());
    default:
      return res;
  }
}

/** Response.url is read-only and set only by fetch; the openai client logs it. */
function withUrl(response: Response, url: URL): Response {
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}
