import type { PluginHost } from '../plugins/types.js';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Embeddings } from '@langchain/core/embeddings';
import type { z } from 'zod';
import type { BudgetState } from './budget.js';
import type { RateGovernorState } from './rate-governor.js';
import type { BatchClient } from '../plugins/batch.js';

/**
 * The LLM gateway contract: the one way every phase (induce, label, evaluate) calls a model.
 * Implementation: ./gateway.ts (`createGateway`).
 */

/** A chat message as the gateway sees it (converted to LangChain messages at the edge). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** How structured output is obtained from a model. */
export type StructuredMethod = 'auto' | 'jsonSchema' | 'functionCalling' | 'jsonMode' | 'prompt';

/**
 * A model reference: a provider id string ("openai:gpt-4o-mini", resolved through plugins), a LangChain chat model
 * instance, or an instance with an explicit id (used in cache keys, accounting and prices) and settings.
 */
export type ChatModelRef =
  | string
  | BaseChatModel
  | { id: string; model: BaseChatModel; structuredMethod?: StructuredMethod; supportsLogprobs?: boolean };

export type EmbeddingsRef = string | Embeddings | { id: string; model: Embeddings };

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** True when the provider reported no usage and the counts were estimated with tiktoken. */
  estimated?: boolean;
}

export interface StructuredRequest<T> {
  /** Accounting bucket, e.g. 'summarize', 'generate', 'label'. */
  stage: string;
  model: ChatModelRef;
  messages: ChatMessage[];
  /** zod schema: validates the answer and is sent to the model as JSON Schema. */
  schema: z.ZodType<T>;
  /** Name of the schema / tool sent to the model. */
  schemaName?: string;
  temperature?: number;
  maxTokens?: number;
  /**
   * Output tokens to assume when estimating this call for the budget and the tokens-per-minute limit, when it sets
   * no maxTokens (default: the gateway's `assumedOutputTokens`). Never sent: a hint for answers known to be long.
   */
  expectedOutputTokens?: number;
  /** Override the model's structured-output method. */
  method?: StructuredMethod;
  /** Ask the provider for token log-probabilities (returned in `logprobs` when it gives them). */
  logprobs?: boolean;
  /** Re-asks after invalid JSON / schema-invalid answers (default: gateway option `maxRepairs`). */
  maxRepairs?: number;
  /** Extra validation beyond the schema; return a list of problems to re-ask with (empty = valid). */
  validate?: (value: T) => string[];
  /** Read and write the cache for this call (default true when the gateway has a cache). */
  cache?: boolean;
  /** Extra distinct cache key part, e.g. a sample index for self-consistency. */
  cacheSalt?: string;
  /** Prompt id handed to 'prompt:messages' transform hooks (default: the stage). */
  promptId?: string;
  signal?: AbortSignal;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  top?: { token: string; logprob: number }[];
}

export interface StructuredResult<T> {
  value: T;
  usage: TokenUsage;
  /** The model's raw text answer (JSON text for structured calls). */
  raw: string;
  modelId: string;
  /** Transport attempts made (1 = first try succeeded; 0 when served from cache). */
  attempts: number;
  /** Re-asks made because the answer was invalid. */
  repairs: number;
  cached: boolean;
  logprobs?: TokenLogprob[];
}

export interface TextRequest {
  stage: string;
  model: ChatModelRef;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  cache?: boolean;
  cacheSalt?: string;
  /** Prompt id handed to 'prompt:messages' transform hooks (default: the stage). */
  promptId?: string;
  signal?: AbortSignal;
}

export interface TextResult {
  text: string;
  usage: TokenUsage;
  modelId: string;
  attempts: number;
  cached: boolean;
}

export interface EmbedRequest {
  stage: string;
  model: EmbeddingsRef;
  texts: string[];
  cache?: boolean;
  signal?: AbortSignal;
}

export interface EmbedResult {
  vectors: number[][];
  modelId: string;
  usage: TokenUsage;
  cachedCount: number;
}

/** Clock used for backoff and rate limits; inject a fake one in tests so nothing sleeps. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Run fn after ms (used for per-attempt timeouts); returns a cancel function. Optional: real timers are used when
   * absent, so a fake clock whose sleep() returns at once does not time every request out.
   */
  setTimer?(ms: number, fn: () => void): () => void;
}

export interface RetryPolicy {
  /** Total transport attempts per call, including the first (default 5). */
  maxAttempts: number;
  /** First backoff delay (default 500 ms); doubles each attempt. */
  baseDelayMs: number;
  /** Cap on computed backoff (default 20 s). */
  maxDelayMs: number;
  /** Cap on an honoured Retry-After (default 60 s); a longer Retry-After fails the call as rate_limit. */
  maxRetryAfterMs: number;
  /**
   * How long a call keeps retrying 429s (rate limits), from its first 429 (default 120 s). 429s do not count toward
   * `maxAttempts`: waiting out a provider's limit is normal, so patience is measured in time.
   */
  rateLimitPatienceMs: number;
  /** Full jitter in [0.5, 1] x delay (default true). */
  jitter: boolean;
}

/** USD per million tokens. Keys are model ids ("openai:gpt-4o-mini") or bare model names ("gpt-4o-mini"). */
export type PriceTable = Record<string, { input: number; output: number }>;

export interface UsageRow {
  stage: string;
  model: string;
  calls: number;
  cachedCalls: number;
  failedCalls: number;
  attempts: number;
  inputTokens: number;
  outputTokens: number;
  /** Calls whose token counts were estimated because the provider reported no usage. */
  estimatedCalls?: number;
  costUsd: number;
  /** Set on the rows of calls billed at a discount (provider batch APIs: 0.5), whose costUsd includes it. */
  priceFactor?: number;
}

export interface UsageReport {
  rows: UsageRow[];
  byStage: Record<string, Omit<UsageRow, 'stage' | 'model'>>;
  byModel: Record<string, Omit<UsageRow, 'stage' | 'model'>>;
  total: Omit<UsageRow, 'stage' | 'model'>;
}

export interface Gateway {
  structured<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>>;
  text(req: TextRequest): Promise<TextResult>;
  embed(req: EmbedRequest): Promise<EmbedResult>;
  /** Resolve a ref to a LangChain model + stable id (through plugins for string ids). */
  resolveChatModel(ref: ChatModelRef): Promise<ResolvedChatModel>;
  resolveEmbeddings(ref: EmbeddingsRef): Promise<ResolvedEmbeddings>;
  /**
   * The batch client (provider Batch API) of a "provider:model" id; rejects when the provider has none. Optional so
   * hand-written gateways keep compiling; createGateway always has it.
   */
  resolveBatch?(modelId: string): Promise<BatchClient>;
  usage(): UsageReport;
  /** Cost in USD of a token count for a model, from the price table (0 when unknown). */
  cost(modelId: string, usage: TokenUsage): number;
  /** The spending budget's state (limit, spent, in flight), or undefined when the gateway has none. */
  budget?(): BudgetState | undefined;
  /**
   * Accounting for calls made through a provider's batch API (which bypass the gateway's chat path): the same budget
   * and usage report, at the batch price. Optional so hand-written gateways keep compiling; createGateway has it.
   */
  batchAccount?(stage: string, modelId: string, priceFactor: number): BatchAccount;
  /** Per model: its adaptive concurrency limit, requests in flight and waiting, pause and 429s seen (see RateGovernor). */
  rateLimits?(): Record<string, RateGovernorState>;
  /**
   * The plugin host the gateway was created with (`createGateway({ resolver: host })`), if any. Stages given this
   * gateway (induceTaxonomy, the labeler) use it for prompt overrides and observer hooks, so one host passed once
   * reaches every stage.
   */
  readonly host?: PluginHost;
}

/** One batch labeling run's account with the gateway (see Gateway.batchAccount and createBatchAccount). */
export interface BatchAccount {
  /**
   * Reserve the estimated cost (USD, at the batch price) of requests about to be submitted; throws
   * BudgetExceededError (kind 'budget') without reserving when it would take the gateway's spend over its budget.
   */
  reserve(estimatedUsd: number): void;
  /** What is left of the gateway's budget for new batch requests (Infinity without a budget). */
  remaining(): number;
  /** A batch's results were collected: its calls and billed tokens go into the usage report and the budget's spend. */
  record(result: { calls: number; failedCalls: number; usage: TokenUsage }): void;
  /** The run is over: give back the reservations (batches still running are accounted by the run that collects them). */
  close(): void;
}

export interface ResolvedChatModel {
  id: string;
  model: BaseChatModel;
  structuredMethod: Exclude<StructuredMethod, 'auto'>;
  supportsLogprobs: boolean;
  /**
   * The server it talks to (normalised base URL, never credentials), when the model says; part of the cache key so
   * the same model name on two servers never shares answers. Undefined: the provider's default endpoint.
   */
  endpoint?: string;
}

export interface ResolvedEmbeddings {
  id: string;
  model: Embeddings;
  /** As ResolvedChatModel.endpoint. */
  endpoint?: string;
}
