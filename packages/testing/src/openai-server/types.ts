import type { RateLimitOptions, RateLimitStats } from './rate-limiter.js';
import type { JsonSchema } from '../json-schema-sample.js';
import type { ReplyLogprob, ScriptedReply } from '../reply.js';
import type { RequestedFormat, ScriptedMessage } from '../scripted-chat-model.js';

/**
 * Faults the local server can inject, described as data so tests and benchmarks can list, schedule and count them.
 * Transport faults: rate_limit, quota, server_error, http_error, auth, hang, reset, malformed_body, truncated_body.
 * Content faults (chat only; the HTTP exchange succeeds but the answer is bad): truncated_json, schema_invalid,
 * refusal.
 */
export type Fault =
  /** 429 with a Retry-After header in seconds and/or retry-after-ms (neither = no Retry-After at all). */
  | { kind: 'rate_limit'; retryAfterSeconds?: number; retryAfterMs?: number }
  /** 429 with error code insufficient_quota (must not be retried). */
  | { kind: 'quota' }
  /** 5xx (default 500); `message` replaces the error body's message. */
  | { kind: 'server_error'; status?: number; message?: string }
  /** Any other HTTP error, e.g. 400, 404, 408, 409. */
  | { kind: 'http_error'; status: number; code?: string; message?: string; headers?: Record<string, string> }
  /** 401 invalid_api_key; `message` replaces the error body's message (real servers echo the key there). */
  | { kind: 'auth'; message?: string }
  /** Never answers; the exchange ends when the client aborts (or the server closes). */
  | { kind: 'hang' }
  /** Destroys the connection without a response. */
  | { kind: 'reset' }
  /** Status 200 with a body that is not JSON (labelled application/json unless contentType says otherwise); `body` replaces the default HTML page. */
  | { kind: 'malformed_body'; contentType?: string; body?: string }
  /** Content-Length larger than what is sent, then the connection ends. */
  | { kind: 'truncated_body' }
  /** Valid HTTP JSON whose message content (or tool arguments) is cut-off JSON. */
  | { kind: 'truncated_json' }
  /** Valid JSON content that does not follow the requested schema. */
  | { kind: 'schema_invalid' }
  /** message.refusal set, content null. */
  | { kind: 'refusal'; message?: string };

export type FaultKind = Fault['kind'];

export const CONTENT_FAULTS: ReadonlySet<FaultKind> = new Set(['truncated_json', 'schema_invalid', 'refusal']);

export type Endpoint = 'chat' | 'embeddings' | 'models' | 'files' | 'batches' | 'other';

/**
 * What can go wrong with an emulated batch (files + batches endpoints), described as data:
 * - failed: validation fails (status validating -> failed, `errors` set, no output);
 * - expired / cancelled: the 24h window ran out / the provider cancelled it after the first `completed` lines (default
 *   0) were answered; the other lines are in the error file (codes batch_expired / batch_cancelled);
 * - partial: the 0-based input `lines` fail with a 500 in the error file, the others are answered;
 * - out_of_order: output and error files list their lines shuffled (seeded);
 * - lost_response: the batch is created but the client never gets the answer (connection reset).
 */
export type BatchFault =
  | { kind: 'failed'; message?: string }
  | { kind: 'expired'; completed?: number }
  | { kind: 'cancelled'; completed?: number }
  | { kind: 'partial'; lines: number[] }
  | { kind: 'out_of_order' }
  /**
   * The batch is created, but the answer to POST /v1/batches is lost (the connection is reset): what a client killed
   * or cut off between the provider creating a batch and recording its id sees. The batch then runs normally.
   */
  | { kind: 'lost_response' };

/** Which created batches (0-based, in creation order) get a batch fault; no `at` = every batch (up to `times`). */
export interface BatchFaultRule {
  fault: BatchFault;
  at?: number | number[];
  times?: number;
}

export type EmulatedBatchStatus = 'validating' | 'in_progress' | 'finalizing' | 'completed' | 'failed' | 'expired' | 'cancelling' | 'cancelled';

/** A batch the server created (what tests assert on: e.g. that no record was submitted twice). */
export interface EmulatedBatch {
  id: string;
  /** 0-based creation index. */
  index: number;
  inputFileId: string;
  /** custom_id of every input line, in file order. */
  customIds: string[];
  status: EmulatedBatchStatus;
  /** Retrievals (GET /v1/batches/{id}) so far. */
  polls: number;
  /** The metadata it was created with (null when none). */
  metadata: Record<string, string> | null;
}

/** A recorded request. Authorization / api-key headers are redacted. */
export interface RecordedRequest {
  /** 0-based index over all requests. */
  index: number;
  /** 0-based index over requests to the same endpoint. */
  endpointIndex: number;
  /** When the request arrived (performance.now() of the server's process, ms): the rate a provider sees. */
  receivedAt: number;
  endpoint: Endpoint;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON body (or the raw text when it was not JSON; undefined for GET). */
  body: unknown;
  /** The fault injected into this request, if any. */
  fault?: FaultKind;
  /** HTTP status sent (undefined for hang / reset / while pending). */
  status?: number;
  /** Token usage reported in the answer (chat and embeddings answers that carried one). */
  usage?: { promptTokens: number; completionTokens: number };
  /** True when the client closed the connection before the server answered (what an aborted call must do). */
  closedBeforeResponse?: boolean;
}

/** When a fault fires. All given conditions must hold; a rule with none fires on every request (up to `times`). */
export interface FaultRule {
  fault: Fault;
  /** Endpoint the rule watches (default 'chat'). Content faults only ever fire on chat. */
  endpoint?: 'chat' | 'embeddings' | 'any';
  /** 0-based request indices (per endpoint) to fire on. */
  at?: number | number[];
  /** Predicate on the request. */
  when?: (request: RecordedRequest) => boolean;
  /**
   * Fire on this fraction of matching requests. The draw is a seeded hash of (seed, request body, how many times that
   * same body was seen), so it does not depend on the arrival order of concurrent requests, and a retried request
   * gets a fresh draw.
   */
  probability?: number;
  /** Fire at most this many times in total. */
  times?: number;
}

/** A chat completion request as scripts see it. */
export interface ChatRequestInfo {
  /** 0-based index among chat requests. */
  index: number;
  model: string;
  messages: ScriptedMessage[];
  lastUserMessage: string;
  format: RequestedFormat;
  schema?: JsonSchema;
  schemaName?: string;
  tools: { name: string; description?: string; parameters: JsonSchema }[];
  /** The raw request body. */
  body: Record<string, unknown>;
  /** A schema-following value for `schema` (deterministic per seed). */
  sample(): unknown;
}

const FAULT = Symbol.for('@taxonomist/testing.fault');
export interface FaultAnswer {
  readonly [FAULT]: Fault;
}
/** A script answer that injects a fault into this one request. */
export function faultAnswer(fault: Fault): FaultAnswer {
  return { [FAULT]: fault } as FaultAnswer;
}
export function isFaultAnswer(v: unknown): v is FaultAnswer {
  return typeof v === 'object' && v !== null && FAULT in v;
}
export function faultOf(v: FaultAnswer): Fault {
  return v[FAULT];
}

/** What a chat script returns: text, an object (JSON / tool args), a reply.*, a faultAnswer(...), or undefined for the default. */
export type ServerAnswer = string | object | ScriptedReply | FaultAnswer | undefined;
export type ChatScriptFunction = (request: ChatRequestInfo) => ServerAnswer | Promise<ServerAnswer>;
/** A function, or a queue consumed one answer per chat request (then the default answer). */
export type ChatScript = ChatScriptFunction | ServerAnswer[];

export interface OpenAIServerOptions {
  /** Port on 127.0.0.1 (default 0: a random free port). */
  port?: number;
  script?: ChatScript;
  faults?: FaultRule[];
  /** Seed for probabilistic faults and seeded schema samples (default 0). */
  seed?: number;
  /** How default answers choose enum values / union branches: 'first' (default) or 'seeded'. */
  choice?: 'first' | 'seeded';
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get 401. */
  apiKey?: string;
  /** Artificial latency before every answer, in ms (for benchmarks; real timers). Default 0. */
  latencyMs?: number;
  /**
   * Extra latency drawn per request, uniform in [0, latencyJitterMs] ms, from a stream seeded by `seed`: answers come
   * back in a shuffled order (reproducible draws), to test that outputs do not depend on completion order. Default 0.
   */
  latencyJitterMs?: number;
  /**
   * A provider-style rate limit on chat and embeddings requests (requests and tokens per minute, quantized to 1 s
   * windows by default): requests over it get a 429 with retry-after. Off by default. See RateLimitOptions.
   */
  rateLimit?: RateLimitOptions;
  /** Default embedding size when the request does not ask for `dimensions` (default 64). */
  embeddingDimensions?: number;
  /** Custom embedding function (default: deterministic hashed bag-of-words vectors). */
  embed?: (text: string, dimensions: number) => number[];
  /** Custom logprobs for answers when a request asks for them. */
  logprobs?: (request: ChatRequestInfo, tokens: string[]) => ReplyLogprob[];
  /** Model ids listed by GET /v1/models. */
  models?: string[];
  /** Faults of emulated batches (see BatchFault). */
  batchFaults?: BatchFaultRule[];
  /** Retrievals a batch spends in each running status before stepping on (default 1; 0 = one step per retrieval). */
  batchPollsPerStep?: number;
  /** Order of the lines in batch output/error files: 'input' (default) or 'shuffled' (seeded, like a real provider may). */
  batchResultOrder?: 'input' | 'shuffled';
}

export interface ServerStats {
  requests: number;
  byEndpoint: Record<Endpoint, number>;
  /** Requests per injected fault kind. */
  faults: Partial<Record<FaultKind, number>>;
  /** Requests answered normally with 2xx. */
  succeeded: number;
  /** With `rateLimit`: requests it answered 429, and requests/tokens it admitted (since start: reset() keeps them). */
  rateLimit?: RateLimitStats;
}

export interface OpenAIServer {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:43123/v1 (give it to the OpenAI client as baseURL). */
  url: string;
  port: number;
  /** Every request so far, in arrival order. */
  requests: RecordedRequest[];
  stats(): ServerStats;
  /** Number of requests so far, optionally to one endpoint. */
  count(endpoint?: Endpoint): number;
  setScript(script: ChatScript | undefined): void;
  setFaults(rules: FaultRule[]): void;
  /** Batches created through POST /v1/batches, in creation order. */
  readonly batches: readonly EmulatedBatch[];
  setBatchFaults(rules: BatchFaultRule[]): void;
  /** Set the latency (and optionally the jitter) of the next answers. */
  setLatency(ms: number, jitterMs?: number): void;
  /** Forget recorded requests, counters and fault/body history (keeps script and faults). */
  reset(): void;
  /** Stop listening and destroy every open socket (hung requests included). */
  close(): Promise<void>;
}
