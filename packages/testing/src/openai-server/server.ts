import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_BODY_BYTES, closeWithSockets, listenOnLoopback, redactHeaders } from '../server-common.js';
import { createRng } from '@taxonomist/core';
import {
  BadRequest,
  applyContentFault,
  chatCompletionBody,
  chatCompletionChunks,
  defaultServerAnswer,
  normalizeForRequest,
  parseChatRequest,
} from './chat-completions.js';
import { embeddingsBody } from './embeddings.js';
import { BatchEmulator, type LineAnswer } from './batches.js';
import { FaultScheduler } from './fault-scheduler.js';
import { RateLimiter } from './rate-limiter.js';
import {
  CONTENT_FAULTS,
  faultOf,
  isFaultAnswer,
  type ChatScript,
  type Endpoint,
  type Fault,
  type FaultKind,
  type OpenAIServer,
  type OpenAIServerOptions,
  type RecordedRequest,
  type ServerStats,
} from './types.js';

function checkedLatency(ms: number, name: string): number {
  if (!(ms >= 0)) throw new RangeError(`${name} must be >= 0 ms, got ${ms}`);
  return ms;
}

function endpointOf(method: string, path: string): Endpoint {
  if (method === 'POST' && path === '/v1/chat/completions') return 'chat';
  if (method === 'POST' && path === '/v1/embeddings') return 'embeddings';
  if (method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) return 'models';
  if (path === '/v1/files' || path.startsWith('/v1/files/')) return 'files';
  if (path === '/v1/batches' || path.startsWith('/v1/batches/')) return 'batches';
  return 'other';
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function errorPayload(message: string, type: string, code: string | null, param: string | null = null): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

/**
 * Start a real OpenAI-compatible HTTP server on 127.0.0.1 (random port by default): POST /v1/chat/completions,
 * POST /v1/embeddings (float and base64), GET /v1/models. Answers follow the request's JSON schema / tool definition
 * unless a script says otherwise; faults are injected from rules (see FaultRule). Close it with `await server.close()`.
 */
export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: RecordedRequest[] = [];
  const endpointCounts: Record<Endpoint, number> = { chat: 0, embeddings: 0, models: 0, files: 0, batches: 0, other: 0 };
  let faultCounts: Partial<Record<FaultKind, number>> = {};
  let succeeded = 0;
  let script: ChatScript | undefined = options.script;
  let queuePosition = 0;
  let latencyMs = options.latencyMs ?? 0;
  let jitterMs = checkedLatency(options.latencyJitterMs ?? 0, 'latencyJitterMs');
  // Its own stream (not the fault draws'), so adding jitter does not change which requests get faults.
  const jitterRng = createRng(((options.seed ?? 0) ^ 0x6a177e5) >>> 0);
  let closing = false;
  const scheduler = new FaultScheduler(options.faults ?? [], options.seed ?? 0);
  const limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in a script or in the server: answer 500 with the message so the test shows it.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(errorPayload(`test server error: ${(error as Error)?.message ?? String(error)}`, 'server_error', null));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new BadRequest(`request body larger than ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  function send(res: ServerResponse, record: RecordedRequest, status: number, payload: string, headers: Record<string, string> = {}): void {
    record.status = status;
    if (status >= 200 && status < 300) succeeded++;
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
      'x-request-id': `req_${record.index}`,
      ...headers,
    });
    res.end(payload);
  }

  /** Transport-level faults: the HTTP exchange itself goes wrong. Returns false for content faults. */
  function sendTransportFault(res: ServerResponse, record: RecordedRequest, fault: Fault, okPayload: () => string): boolean {
    switch (fault.kind) {
      case 'rate_limit': {
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
        send(res, record, 429, errorPayload('Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded'), headers);
        return true;
      }
      case 'quota':
        send(
          res,
          record,
          429,
          errorPayload('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'),
        );
        return true;
      case 'server_error': {
        const status = fault.status ?? 500;
        const message = fault.message ?? (status === 503 ? 'The server is overloaded or not ready yet.' : 'The server had an error while processing your request.');
        send(res, record, status, errorPayload(message, 'server_error', null));
        return true;
      }
      case 'http_error':
        send(res, record, fault.status, errorPayload(fault.message ?? `HTTP ${fault.status}`, 'invalid_request_error', fault.code ?? null), fault.headers);
        return true;
      case 'auth':
        send(res, record, 401, errorPayload(fault.message ?? 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
        return true;
      case 'hang':
        // Nothing is sent: the client's timeout / abort ends it, or close() destroys the socket.
        return true;
      case 'reset':
        res.socket?.destroy();
        return true;
      case 'malformed_body': {
        const payload = fault.body ?? '<html><body><h1>502 Bad Gateway</h1></body></html>';
        record.status = 200;
        res.writeHead(200, { 'content-type': fault.contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
        res.end(payload);
        return true;
      }
      case 'truncated_body': {
        const payload = okPayload();
        const half = Buffer.from(payload).subarray(0, Math.floor(Buffer.byteLength(payload) / 2));
        record.status = 200;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
        // Send half of what Content-Length promised, then end the connection.
        res.write(half, () => res.socket?.destroySoon());
        return true;
      }
      default:
        return false;
    }
  }

  async function nextScriptValue(info: Parameters<Extract<ChatScript, (...a: never[]) => unknown>>[0]): Promise<unknown> {
    if (script === undefined) return undefined;
    if (typeof script === 'function') return script(info);
    if (queuePosition < script.length) return script[queuePosition++];
    return undefined;
  }

  async function handleChat(res: ServerResponse, record: RecordedRequest, body: Record<string, unknown>, fault: Fault | undefined): Promise<void> {
    const info = parseChatRequest(body, record.endpointIndex, options);
    const defaultPayload = () => JSON.stringify(chatCompletionBody(normalizeForRequest(defaultServerAnswer(info), info), info, options));
    // A transport fault means the model never answered: the script is not consulted, so a scripted queue is not
    // used up by failed attempts (the retry gets the answer the first attempt would have had).
    if (fault && !CONTENT_FAULTS.has(fault.kind)) {
      sendTransportFault(res, record, fault, defaultPayload);
      return;
    }
    let value = await nextScriptValue(info);
    let effective = fault;
    if (isFaultAnswer(value)) {
      if (fault) faultCounts[fault.kind]! -= 1;
      effective = faultOf(value);
      value = undefined;
      countFault(record, effective);
      if (!CONTENT_FAULTS.has(effective.kind)) {
        sendTransportFault(res, record, effective, defaultPayload);
        return;
      }
    }
    if (value instanceof Error) throw value;
    let answer = normalizeForRequest(value === undefined ? defaultServerAnswer(info) : value, info);
    if (effective) answer = applyContentFault(answer, effective, info);
    const completion = chatCompletionBody(answer, info, options);
    const usage = completion.usage as { prompt_tokens: number; completion_tokens: number };
    record.usage = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
    if (body.stream === true) {
      const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      record.status = 200;
      succeeded++;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const event of chatCompletionChunks(completion, includeUsage)) res.write(event);
      res.end();
      return;
    }
    send(res, record, 200, JSON.stringify(completion));
  }

  // Batch input lines are answered by the same logic as POST /v1/chat/completions (script, default sample, content
  // faults); a transport fault from the script becomes that line's HTTP error in the error file.
  let batchLineIndex = 0;
  async function answerBatchLine(body: Record<string, unknown>): Promise<LineAnswer> {
    const info = parseChatRequest(body, batchLineIndex++, options);
    let value = await nextScriptValue(info);
    let fault: Fault | undefined;
    if (isFaultAnswer(value)) {
      fault = faultOf(value);
      value = undefined;
      faultCounts[fault.kind] = (faultCounts[fault.kind] ?? 0) + 1;
      if (!CONTENT_FAULTS.has(fault.kind)) {
        const status = fault.kind === 'rate_limit' || fault.kind === 'quota' ? 429 : fault.kind === 'auth' ? 401 : fault.kind === 'http_error' ? fault.status : 500;
        return { statusCode: status, body: { error: { message: `injected ${fault.kind}`, type: 'server_error', code: fault.kind } } };
      }
    }
    if (value instanceof Error) throw value;
    let answer = normalizeForRequest(value === undefined ? defaultServerAnswer(info) : value, info);
    if (fault) answer = applyContentFault(answer, fault, info);
    return { statusCode: 200, body: chatCompletionBody(answer, info, options) };
  }
  const batchEmulator = new BatchEmulator(options, answerBatchLine);

  function countFault(record: RecordedRequest, fault: Fault): void {
    record.fault = fault.kind;
    faultCounts[fault.kind] = (faultCounts[fault.kind] ?? 0) + 1;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    const endpoint = endpointOf(method, path);
    const record: RecordedRequest = {
      index: requests.length,
      endpointIndex: endpointCounts[endpoint]++,
      endpoint,
      method,
      path,
      headers: redactHeaders(req.headers),
      body: undefined,
      receivedAt: performance.now(),
    };
    requests.push(record);
    // The abort check of the conformance suite: the client closed its side while no answer had been sent.
    res.on('close', () => {
      if (!res.writableFinished && !res.headersSent && !closing && record.fault !== 'reset') record.closedBeforeResponse = true;
    });
    let raw = '';
    try {
      raw = await readBody(req);
    } catch (error) {
      send(res, record, 413, errorPayload((error as Error).message, 'invalid_request_error', null));
      return;
    }
    if (endpoint === 'files' || endpoint === 'batches') {
      if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        send(res, record, 401, errorPayload('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
        return;
      }
      // Uploads are recorded by size, not content (a batch file can be large); batch bodies are small JSON.
      record.body = endpoint === 'files' && method === 'POST' ? { bytes: Buffer.byteLength(raw) } : raw.length > 0 ? safeJson(raw) : undefined;
      try {
        const answer = await batchEmulator.handle(method, path, req.headers, raw, new URL(req.url ?? '/', 'http://127.0.0.1').searchParams);
        if (answer === undefined) send(res, record, 404, errorPayload(`Unknown route ${method} ${path}`, 'invalid_request_error', 'unknown_url'));
        else if (answer.lost === true) {
          // The batch was created, but its answer never reaches the client (the batch fault lost_response).
          record.fault = 'reset';
          res.socket?.destroy();
        } else send(res, record, answer.status, answer.payload, answer.contentType ? { 'content-type': answer.contentType } : {});
      } catch (error) {
        if (!(error instanceof BadRequest)) throw error;
        send(res, record, 400, errorPayload(error.message, 'invalid_request_error', null));
      }
      return;
    }
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
        record.body = body;
      } catch {
        record.body = raw;
        send(res, record, 400, errorPayload('We could not parse the JSON body of your request.', 'invalid_request_error', null));
        return;
      }
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      send(res, record, 401, errorPayload('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
      return;
    }
    if (endpoint === 'other') {
      send(res, record, 404, errorPayload(`Unknown route ${method} ${path}`, 'invalid_request_error', 'unknown_url'));
      return;
    }
    if (endpoint === 'models') {
      const ids = options.models ?? ['gpt-4o-mini', 'text-embedding-3-small'];
      const data = ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'taxonomist-test' }));
      const wanted = path.startsWith('/v1/models/') ? decodeURIComponent(path.slice('/v1/models/'.length)) : undefined;
      if (wanted === undefined) send(res, record, 200, JSON.stringify({ object: 'list', data }));
      else {
        const model = data.find((m) => m.id === wanted);
        if (model) send(res, record, 200, JSON.stringify(model));
        else send(res, record, 404, errorPayload(`The model '${wanted}' does not exist`, 'invalid_request_error', 'model_not_found'));
      }
      return;
    }
    if (limiter) {
      const admitted = limiter.take(RateLimiter.tokensOf(raw, body));
      if (!admitted.ok) {
        const headers = { ...admitted.headers, 'retry-after-ms': String(admitted.retryAfterMs), 'retry-after': String(Math.ceil(admitted.retryAfterMs / 1000)) };
        send(res, record, 429, errorPayload('Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded'), headers);
        return;
      }
      // The admitted request's answer carries them too, whatever it turns out to be (writeHead merges them).
      for (const [name, value] of Object.entries(admitted.headers)) res.setHeader(name, value);
    }
    const fault = scheduler.pick(record, raw);
    if (fault) countFault(record, fault);
    const delay = latencyMs + (jitterMs > 0 ? Math.round(jitterRng.next() * jitterMs) : 0);
    if (delay > 0 && fault?.kind !== 'hang') await wait(delay);
    if (closing) return;
    try {
      if (endpoint === 'chat') {
        await handleChat(res, record, body, fault);
      } else {
        const payload = () => JSON.stringify(embeddingsBody(body, options));
        if (fault && sendTransportFault(res, record, fault, payload)) return;
        const answer = embeddingsBody(body, options);
        record.usage = { promptTokens: (answer.usage as { prompt_tokens: number }).prompt_tokens, completionTokens: 0 };
        send(res, record, 200, JSON.stringify(answer));
      }
    } catch (error) {
      if (error instanceof BadRequest) {
        send(res, record, 400, errorPayload(error.message, 'invalid_request_error', null));
        return;
      }
      throw error;
    }
  }

  const port = await listenOnLoopback(server, options.port, 'test server');

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    stats(): ServerStats {
      return { requests: requests.length, byEndpoint: { ...endpointCounts }, faults: { ...faultCounts }, succeeded, ...(limiter ? { rateLimit: limiter.snapshot() } : {}) };
    },
    count(endpoint?: Endpoint): number {
      return endpoint === undefined ? requests.length : endpointCounts[endpoint];
    },
    setScript(next: ChatScript | undefined): void {
      script = next;
      queuePosition = 0;
    },
    setFaults(rules): void {
      scheduler.setRules(rules);
    },
    get batches() {
      return batchEmulator.batches.map((b) => ({ id: b.id, index: b.index, inputFileId: b.inputFileId, customIds: [...b.customIds], status: b.status, polls: b.polls, metadata: b.metadata === null ? null : { ...b.metadata } }));
    },
    setBatchFaults(rules): void {
      batchEmulator.setFaults(rules);
    },
    setLatency(ms: number, jitter?: number): void {
      if (!(ms >= 0)) throw new RangeError(`latency must be >= 0 ms, got ${ms}`);
      latencyMs = ms;
      if (jitter !== undefined) jitterMs = checkedLatency(jitter, 'jitter');
    },
    reset(): void {
      requests.length = 0;
      for (const key of Object.keys(endpointCounts) as Endpoint[]) endpointCounts[key] = 0;
      faultCounts = {};
      succeeded = 0;
      queuePosition = 0;
      scheduler.reset();
      batchEmulator.reset();
      batchLineIndex = 0;
    },
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await closeWithSockets(server, sockets);
    },
  };
}
