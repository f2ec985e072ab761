import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_BODY_BYTES, closeWithSockets, listenOnLoopback, redactHeaders } from '../server-common.js';
import { hashedEmbedding } from '../hashed-embedding.js';
import { answerText } from '../reply.js';
import { countChatPromptTokens, countTextTokens } from '../tokens.js';
import { BadRequest, applyContentFault, defaultServerAnswer, normalizeForRequest } from '../openai-server/chat-completions.js';
import { FaultScheduler } from '../openai-server/fault-scheduler.js';
import { CONTENT_FAULTS, faultOf, isFaultAnswer, type ChatScript, type Fault, type RecordedRequest } from '../openai-server/types.js';
import type { FakeProviderServer, FakeServerOptions, NeutralRequest, ParsedChat, RequestKind, WireBody, WireProtocol } from './types.js';


/**
 * Start a real HTTP server on 127.0.0.1 that speaks `protocol`: answers follow the request's schema / tool unless a
 * script says otherwise, faults are injected from rules (the same FaultRule / Fault as the OpenAI server; a rate_limit
 * fault announces its wait the protocol's way), every request is recorded in the neutral form, including whether
 * the client closed the connection before an answer was sent.
 */
export async function startFakeProviderServer(protocol: WireProtocol, options: FakeServerOptions = {}): Promise<FakeProviderServer> {
  const sockets = new Set<Socket>();
  const requests: NeutralRequest[] = [];
  const kindCounts: Record<RequestKind, number> = { chat: 0, embed: 0, other: 0 };
  let script: ChatScript | undefined = options.script;
  let queuePosition = 0;
  let closing = false;
  const scheduler = new FaultScheduler(options.faults ?? [], options.seed ?? 0);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        const body = protocol.error(500, `test server error: ${(error as Error)?.message ?? String(error)}`);
        res.writeHead(500, { 'content-type': body.contentType });
        res.end(body.payload);
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function send(res: ServerResponse, record: NeutralRequest, wanted: number, body: WireBody): void {
    const status = body.status ?? wanted;
    record.status = status;
    res.writeHead(status, {
      'content-type': body.contentType,
      'content-length': String(Buffer.byteLength(body.payload)),
      'request-id': `req_${record.index}`,
      ...body.headers,
    });
    res.end(body.payload);
  }

  function sendError(res: ServerResponse, record: NeutralRequest, status: number, message: string, fault?: Fault): void {
    send(res, record, status, protocol.error(status, message, fault));
  }

  /** Transport faults: the HTTP exchange itself goes wrong. Returns false for content faults. */
  function sendTransportFault(res: ServerResponse, record: NeutralRequest, fault: Fault, ok: () => WireBody): boolean {
    switch (fault.kind) {
      case 'rate_limit':
        sendError(res, record, 429, 'Rate limit reached. Please try again later.', fault);
        return true;
      case 'quota':
        sendError(res, record, 429, 'You exceeded your current quota, please check your plan and billing details.', fault);
        return true;
      case 'server_error': {
        const status = fault.status ?? 500;
        sendError(res, record, status, status === protocol.overloadStatus ? 'Overloaded' : 'Internal server error', fault);
        return true;
      }
      case 'http_error':
        send(res, record, fault.status, { ...protocol.error(fault.status, fault.message ?? `HTTP ${fault.status}`, fault), ...(fault.headers ? { headers: fault.headers } : {}) });
        return true;
      case 'auth':
        sendError(res, record, 401, 'invalid x-api-key', fault);
        return true;
      case 'hang':
        return true;
      case 'reset':
        res.socket?.destroy();
        return true;
      case 'malformed_body': {
        const payload = '<html><body><h1>502 Bad Gateway</h1></body></html>';
        record.status = 200;
        res.writeHead(200, { 'content-type': fault.contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
        res.end(payload);
        return true;
      }
      case 'truncated_body': {
        const body = ok();
        const half = Buffer.from(body.payload).subarray(0, Math.floor(Buffer.byteLength(body.payload) / 2));
        record.status = 200;
        res.writeHead(200, { 'content-type': body.contentType, 'content-length': String(Buffer.byteLength(body.payload)) });
        res.write(half, () => res.socket?.destroySoon());
        return true;
      }
      default:
        return false;
    }
  }

  function usageOf(answerTextValue: string, parsed: ParsedChat, override?: { inputTokens?: number; outputTokens?: number }) {
    const schemaTokens = parsed.structured.schemaSent ? countTextTokens(JSON.stringify(parsed.structured.schema ?? {})) : 0;
    return {
      inputTokens: override?.inputTokens ?? countChatPromptTokens(parsed.info.messages) + schemaTokens,
      outputTokens: override?.outputTokens ?? countTextTokens(answerTextValue),
    };
  }

  async function handleChat(res: ServerResponse, record: NeutralRequest, parsed: ParsedChat, fault: Fault | undefined): Promise<void> {
    const respond = (value: unknown, contentFault?: Fault): WireBody => {
      let answer = normalizeForRequest(value, parsed.info);
      if (contentFault) answer = applyContentFault(answer, contentFault, parsed.info);
      const usage = usageOf(answerText(answer), parsed, answer.usage);
      record.usage = usage;
      return protocol.chatResponse(answer, parsed, usage);
    };
    // A transport fault means the model never answered: the script is not consulted (a queue is not used up).
    if (fault && !CONTENT_FAULTS.has(fault.kind)) {
      sendTransportFault(res, record, fault, () => respond(defaultServerAnswer(parsed.info)));
      return;
    }
    let value: unknown = undefined;
    if (typeof script === 'function') value = await script(parsed.info);
    else if (script !== undefined && queuePosition < script.length) value = script[queuePosition++];
    let effective = fault;
    if (isFaultAnswer(value)) {
      effective = faultOf(value);
      record.fault = effective.kind;
      value = undefined;
      if (!CONTENT_FAULTS.has(effective.kind)) {
        sendTransportFault(res, record, effective, () => respond(defaultServerAnswer(parsed.info)));
        return;
      }
    }
    if (value instanceof Error) throw value;
    send(res, record, 200, respond(value === undefined ? defaultServerAnswer(parsed.info) : value, effective));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const route = protocol.route(method, path);
    const kind: RequestKind = route?.kind ?? 'other';
    const record: NeutralRequest = {
      index: requests.length,
      kind,
      kindIndex: kindCounts[kind]++,
      method,
      path,
      headers: redactHeaders(req.headers),
      body: undefined,
      extras: {},
      closedBeforeResponse: false,
      ...(route?.model !== undefined ? { model: route.model } : {}),
    };
    requests.push(record);
    // The abort check: the client closed its side while the server had not answered yet.
    res.on('close', () => {
      if (!res.writableFinished && !res.headersSent && !closing && record.fault !== 'reset') record.closedBeforeResponse = true;
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return sendError(res, record, 413, `request body larger than ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
        record.body = body;
      } catch {
        record.body = raw;
        return sendError(res, record, 400, 'The request body is not valid JSON.');
      }
    }
    if (options.apiKey !== undefined && !protocol.authorized(req.headers, url, options.apiKey)) {
      return sendError(res, record, 401, 'invalid API key', { kind: 'auth' });
    }
    if (route === undefined) return sendError(res, record, 404, `Unknown route ${method} ${path}`);
    try {
      if (route.kind === 'chat') {
        const parsed = protocol.parseChat(body, { index: record.kindIndex, routeModel: route.model, options });
        Object.assign(record, { model: parsed.info.model, messages: parsed.info.messages, structured: parsed.structured, logprobs: parsed.logprobs, extras: parsed.extras });
        const fault = scheduler.pick(schedulerView(record, 'chat'), raw);
        if (fault) record.fault = fault.kind;
        if (closing) return;
        await handleChat(res, record, parsed, fault);
      } else {
        const parsed = protocol.parseEmbed(body, route.model);
        Object.assign(record, { model: parsed.model, texts: parsed.texts, dimensions: parsed.dimensions });
        const fault = scheduler.pick(schedulerView(record, 'embeddings'), raw);
        if (fault) record.fault = fault.kind;
        const answer = (): WireBody => {
          const dims = parsed.dimensions ?? options.embeddingDimensions ?? 64;
          const embed = options.embed ?? hashedEmbedding;
          const tokens = parsed.texts.reduce((s, t) => s + countTextTokens(t), 0);
          record.usage = { inputTokens: tokens, outputTokens: 0 };
          return protocol.embedResponse(parsed.texts.map((t) => embed(t, dims)), parsed, tokens);
        };
        if (fault && sendTransportFault(res, record, fault, answer)) return;
        send(res, record, 200, answer());
      }
    } catch (error) {
      if (error instanceof BadRequest) return sendError(res, record, 400, error.message);
      throw error;
    }
  }

  /** The fault scheduler speaks the OpenAI server's record type; give it the fields it reads. */
  function schedulerView(record: NeutralRequest, endpoint: 'chat' | 'embeddings'): RecordedRequest {
    return { index: record.index, endpointIndex: record.kindIndex, endpoint, method: record.method, path: record.path, headers: record.headers, body: record.body, receivedAt: performance.now() };
  }

  const port = await listenOnLoopback(server, options.port, 'fake server');

  return {
    protocol: protocol.name,
    url: `http://127.0.0.1:${port}${protocol.basePath}`,
    port,
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    overloadStatus: protocol.overloadStatus,
    retryHint: protocol.retryHint,
    requests,
    count: (kind) => (kind === undefined ? requests.length : kindCounts[kind]),
    setScript(next) {
      script = next;
      queuePosition = 0;
    },
    setFaults(rules) {
      scheduler.setRules(rules);
    },
    reset() {
      requests.length = 0;
      for (const key of Object.keys(kindCounts) as RequestKind[]) kindCounts[key] = 0;
      queuePosition = 0;
      scheduler.reset();
      protocol.reset?.();
    },
    async close() {
      if (closing) return;
      closing = true;
      await closeWithSockets(server, sockets);
    },
  };
}
