import type { IncomingHttpHeaders } from 'node:http';
import type { JsonSchema } from '../json-schema-sample.js';
import type { NormalizedAnswer } from '../reply.js';
import type { ScriptedMessage } from '../scripted-chat-model.js';
import type { ChatRequestInfo, ChatScript, Fault, FaultKind, FaultRule, OpenAIServerOptions } from '../openai-server/types.js';

/**
 * How a request asked for structured output, in words that hold for any wire protocol:
 * - 'native_schema': the JSON Schema went in the provider's own structured-output field (OpenAI
 *   response_format.json_schema, Ollama `format`, Gemini generationConfig.responseSchema, Anthropic output_config.format);
 * - 'tool': the schema is the parameters of a tool the model is told to call;
 * - 'json_mode': the provider was asked for "some JSON" without a schema;
 * - 'none': nothing structured was asked for on the wire (the prompt method pastes the schema into the prompt).
 */
export type StructuredVia = 'native_schema' | 'tool' | 'json_mode' | 'none';

export type RequestKind = 'chat' | 'embed' | 'other';

/** A request as every fake server records it, whatever its wire format. Secret headers are redacted. */
export interface NeutralRequest {
  /** 0-based index over all requests. */
  index: number;
  kind: RequestKind;
  /** 0-based index over requests of the same kind. */
  kindIndex: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The wire body: parsed JSON, or the raw text when it was not JSON. */
  body: unknown;
  /** Model name as sent (in the body or, for Gemini, in the URL). */
  model?: string;
  /** Chat messages, system instructions included, flattened to text. */
  messages?: ScriptedMessage[];
  structured?: {
    via: StructuredVia;
    /** Where on the wire the schema or JSON request was found, e.g. 'response_format.json_schema', 'format', 'tools'. */
    field?: string;
    schemaSent: boolean;
    schema?: JsonSchema;
    toolName?: string;
  };
  /** Whether token log-probabilities were asked for. */
  logprobs?: boolean;
  /** Texts to embed (embed requests). */
  texts?: string[];
  /** Embedding size asked for, if any. */
  dimensions?: number;
  /** Protocol-specific facts worth asserting on (e.g. Anthropic's `cacheControl: true`). */
  extras: Record<string, unknown>;
  fault?: FaultKind;
  /** HTTP status sent (undefined for hang / reset / while pending). */
  status?: number;
  usage?: { inputTokens: number; outputTokens: number };
  /**
   * True when the client closed the connection before the server sent its response: what an aborted call must do.
   * A client that ignores its AbortSignal leaves this false (the socket stays open until the server gives up).
   */
  closedBeforeResponse: boolean;
}

/** What the protocol read from a chat request. */
export interface ParsedChat {
  /** The request as scripts see it (same shape as the OpenAI server's). */
  info: ChatRequestInfo;
  structured: NonNullable<NeutralRequest['structured']>;
  logprobs: boolean;
  /** Answer as a stream (NDJSON / SSE) rather than one JSON body. */
  stream: boolean;
  extras: Record<string, unknown>;
}

export interface ParsedEmbed {
  model: string;
  texts: string[];
  dimensions?: number;
  /** Protocol-specific facts the answer needs (e.g. Gemini's single vs batch embedding routes). */
  extras?: Record<string, unknown>;
}

/** An HTTP answer body in the protocol's format. */
export interface WireBody {
  payload: string;
  contentType: string;
  headers?: Record<string, string>;
  /** Overrides the HTTP status (a provider that answers a bad key with 400 rather than 401, like Gemini). */
  status?: number;
}

/**
 * One provider's wire protocol, as the generic fake server needs it: which routes exist, how a request says what it
 * wants, how answers and errors look. Implement this (about 150 lines) to test a provider whose HTTP API is not
 * OpenAI-compatible; `startFakeProviderServer(protocol)` does the HTTP, recording, scripts and fault injection.
 */
export interface WireProtocol {
  /** Short name, e.g. 'anthropic'. */
  name: string;
  /** Path appended to http://127.0.0.1:<port> to form the URL given to clients ('' when the client adds /v1 itself). */
  basePath: string;
  /** The status the provider uses for "overloaded, try later" (Anthropic 529, most others 503). */
  overloadStatus: number;
  /**
   * Whether the provider tells clients how long to wait on 429 in a form a client can surface (a Retry-After header,
   * Gemini's RetryInfo). When false the conformance suite expects the gateway's own backoff instead.
   */
  retryHint: boolean;
  /** The kind of a route, with the model when the URL carries it; undefined for an unknown route (404). */
  route(method: string, path: string): { kind: 'chat' | 'embed'; model?: string } | undefined;
  /** Whether the request carries `apiKey` the way this provider expects. */
  authorized(headers: IncomingHttpHeaders, url: URL, apiKey: string): boolean;
  /** Read a chat request; throw BadRequest for what the real API would reject with 400. */
  parseChat(body: Record<string, unknown>, ctx: { index: number; routeModel?: string; options: FakeServerOptions }): ParsedChat;
  /** The success answer for a chat request. */
  chatResponse(answer: NormalizedAnswer, parsed: ParsedChat, usage: { inputTokens: number; outputTokens: number }): WireBody;
  parseEmbed(body: Record<string, unknown>, routeModel?: string): ParsedEmbed;
  embedResponse(vectors: number[][], parsed: ParsedEmbed, tokens: number): WireBody;
  /**
   * An error answer. `fault` is the injected fault (undefined for a request the server itself rejects); a
   * rate_limit fault carries the wait to announce in the protocol's own way.
   */
  error(status: number, message: string, fault?: Fault): WireBody;
  /** Forget protocol state (e.g. a prompt cache) when the server is reset. */
  reset?(): void;
}

export interface FakeServerOptions {
  /** Port on 127.0.0.1 (default 0: a random free port). */
  port?: number;
  script?: ChatScript;
  faults?: FaultRule[];
  /** Seed for probabilistic faults and schema samples (default 0). */
  seed?: number;
  choice?: OpenAIServerOptions['choice'];
  /** When set, requests must carry this key the protocol's way, or get the protocol's auth error. */
  apiKey?: string;
  /** Default embedding size when the request does not say (default 64). */
  embeddingDimensions?: number;
  embed?: (text: string, dimensions: number) => number[];
}

/**
 * A running fake provider server, protocol-neutral: what the conformance suite drives. `startFakeProviderServer`
 * returns one for any WireProtocol; `openaiFakeServer()` wraps the OpenAI server as one.
 */
export interface FakeProviderServer {
  protocol: string;
  /** The base URL to give the provider's client. */
  url: string;
  port: number;
  /** The key the server expects (undefined: none checked). */
  apiKey?: string;
  overloadStatus: number;
  retryHint: boolean;
  /** Every request so far, in arrival order (a live array). */
  readonly requests: NeutralRequest[];
  count(kind?: RequestKind): number;
  setScript(script: ChatScript | undefined): void;
  setFaults(rules: FaultRule[]): void;
  /** Forget recorded requests and fault history (keeps script and faults). */
  reset(): void;
  close(): Promise<void>;
}
