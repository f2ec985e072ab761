import { parseChatRequest } from '../openai-server/chat-completions.js';
import { startOpenAIServer } from '../openai-server/server.js';
import type { OpenAIServer, OpenAIServerOptions, RecordedRequest } from '../openai-server/types.js';
import type { FakeProviderServer, NeutralRequest, RequestKind } from './types.js';

const KIND: Record<RecordedRequest['endpoint'], RequestKind> = { chat: 'chat', embeddings: 'embed', models: 'other', files: 'other', batches: 'other', other: 'other' };

/** An OpenAI chat-completions / embeddings request in the neutral form. */
export function neutralFromOpenAI(r: RecordedRequest): NeutralRequest {
  const body = (typeof r.body === 'object' && r.body !== null ? r.body : {}) as Record<string, unknown>;
  const out: NeutralRequest = {
    index: r.index,
    kind: KIND[r.endpoint],
    kindIndex: r.endpointIndex,
    method: r.method,
    path: r.path,
    headers: r.headers,
    body: r.body,
    ...(typeof body.model === 'string' ? { model: body.model } : {}),
    extras: {},
    ...(r.fault !== undefined ? { fault: r.fault } : {}),
    ...(r.status !== undefined ? { status: r.status } : {}),
    ...(r.usage ? { usage: { inputTokens: r.usage.promptTokens, outputTokens: r.usage.completionTokens } } : {}),
    closedBeforeResponse: r.closedBeforeResponse === true,
  };
  if (r.endpoint === 'chat') {
    try {
      const info = parseChatRequest(body, r.endpointIndex, {});
      out.messages = info.messages;
      const rf = body.response_format as { type?: string } | undefined;
      if (info.format === 'functionCalling') {
        out.structured = { via: 'tool', field: 'tools', schemaSent: info.schema !== undefined, schema: info.schema, toolName: info.schemaName };
      } else if (info.format === 'jsonSchema') {
        out.structured = { via: 'native_schema', field: 'response_format.json_schema', schemaSent: true, schema: info.schema };
      } else if (rf?.type === 'json_object') {
        out.structured = { via: 'json_mode', field: 'response_format', schemaSent: false };
      } else out.structured = { via: 'none', schemaSent: false };
    } catch {
      // A body the server rejected (400): nothing more to say about it.
    }
    out.logprobs = body.logprobs === true;
  }
  if (r.endpoint === 'embeddings') {
    const input = body.input;
    out.texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : [];
    if (typeof body.dimensions === 'number') out.dimensions = body.dimensions;
  }
  return out;
}

/** View a running OpenAI server as a protocol-neutral fake server (for the conformance suite). */
export function asFakeProviderServer(server: OpenAIServer, apiKey?: string): FakeProviderServer {
  return {
    protocol: 'openai',
    url: server.url,
    port: server.port,
    ...(apiKey !== undefined ? { apiKey } : {}),
    overloadStatus: 503,
    retryHint: true,
    get requests() {
      return server.requests.map(neutralFromOpenAI);
    },
    count: (kind) => (kind === undefined ? server.count() : kind === 'embed' ? server.count('embeddings') : kind === 'chat' ? server.count('chat') : server.count('models') + server.count('other')),
    setScript: (s) => server.setScript(s),
    setFaults: (rules) => server.setFaults(rules),
    reset: () => server.reset(),
    close: () => server.close(),
  };
}

/** Start the OpenAI-compatible server as a protocol-neutral fake server (the conformance suite's default). */
export async function startOpenAIFakeServer(options: OpenAIServerOptions = {}): Promise<FakeProviderServer> {
  return asFakeProviderServer(await startOpenAIServer(options), options.apiKey);
}
