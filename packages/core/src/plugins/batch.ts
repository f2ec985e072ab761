import { z } from 'zod';

/**
 * The `batch` provider capability: asynchronous, discounted bulk calls (OpenAI's Batch API, Anthropic's Message
 * Batches). A provider that has one returns a BatchClient from `ProviderDefinition.batch(modelName, settings)`.
 * Requests and results are provider-neutral (these schemas); the client translates them to its wire format.
 */

export const BatchChatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

/** One request of a batch: a structured chat call, matched back to its result by `customId`. */
export const BatchRequestSchema = z.object({
  /** Unique within a batch; results carry it back (providers limit it to 64 characters). */
  customId: z.string().min(1).max(64),
  messages: z.array(BatchChatMessageSchema).min(1),
  /** JSON Schema the answer must follow (sent as structured output); absent = free text. */
  schema: z.record(z.string(), z.unknown()).optional(),
  /** Name of the schema sent to the model. */
  schemaName: z.string().min(1).optional(),
  temperature: z.number().min(0).optional(),
  maxTokens: z.number().int().positive().optional(),
  /** Ask for token log-probabilities of the answer. */
  logprobs: z.boolean().optional(),
});
export type BatchRequest = z.infer<typeof BatchRequestSchema>;

/**
 * Provider-neutral batch status. OpenAI's statuses are used as the common vocabulary: `validating`, `in_progress`,
 * `finalizing` are still running; `completed`, `failed`, `expired`, `cancelled` are final (`cancelling` is not).
 */
export const BatchStatusSchema = z.enum(['validating', 'in_progress', 'finalizing', 'completed', 'failed', 'expired', 'cancelling', 'cancelled']);
export type BatchStatus = z.infer<typeof BatchStatusSchema>;

/** Statuses after which a batch changes no more: its results (possibly none) can be fetched. */
export const FINAL_BATCH_STATUSES: ReadonlySet<BatchStatus> = new Set(['completed', 'failed', 'expired', 'cancelled']);

export const BatchInfoSchema = z.object({
  id: z.string().min(1),
  status: BatchStatusSchema,
  counts: z.object({
    total: z.number().int().nonnegative(),
    completed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }),
  /** Batch-level errors (a `failed` batch's validation errors), as the provider reported them. */
  errors: z.array(z.string()).optional(),
});
export type BatchInfo = z.infer<typeof BatchInfoSchema>;

export const BatchTokenLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  top: z.array(z.object({ token: z.string(), logprob: z.number() })).optional(),
});

/** The outcome of one request, by custom id: the answer text with its usage, or the provider's error for it. */
export const BatchResultSchema = z.discriminatedUnion('status', [
  z.object({
    customId: z.string(),
    status: z.literal('ok'),
    /** The answer's text (JSON text for structured requests); a refusal is an error, not an ok. */
    text: z.string(),
    usage: z.object({ inputTokens: z.number().nonnegative(), outputTokens: z.number().nonnegative() }),
    logprobs: z.array(BatchTokenLogprobSchema).optional(),
  }),
  z.object({
    customId: z.string(),
    status: z.literal('error'),
    /** Provider error code, e.g. 'batch_expired', 'batch_cancelled', 'invalid_request', 'refusal'. */
    code: z.string(),
    message: z.string(),
    /** Tokens billed for the request although it failed (e.g. a refused answer). */
    usage: z.object({ inputTokens: z.number().nonnegative(), outputTokens: z.number().nonnegative() }).optional(),
  }),
]);
export type BatchResult = z.infer<typeof BatchResultSchema>;

/** One batch created by `submit`, with the custom ids of the requests it holds. */
export interface SubmittedBatch {
  id: string;
  customIds: string[];
}

export interface BatchSubmitOptions {
  /**
   * Called (and awaited) right after each batch is created, before the next one is: record the id durably here, so a
   * kill during a multi-batch submit never leads to submitting the recorded part again.
   */
  onSubmitted?(batch: SubmittedBatch): void | Promise<void>;
  /**
   * A key the caller generated and recorded durably before calling submit. The client tags every batch it creates
   * with it (provider metadata, with the batch's place among the requests), so that a batch the provider created but
   * the caller never heard of (a kill or a lost answer between the create call and `onSubmitted`) is found by
   * `findSubmitted(key)` instead of being submitted again.
   */
  submissionKey?: string;
  signal?: AbortSignal;
}

/**
 * A batch found by its submission key: it holds the `count` requests from position `start` (0-based) of the request
 * list passed to the submit call that created it.
 */
export interface FoundBatch {
  id: string;
  start: number;
  count: number;
}

/** Metadata keys a batch client tags its batches with (`submissionKey`, and the requests' place in the submit call). */
export const BATCH_METADATA_KEYS = { key: 'taxonomist_submission', start: 'taxonomist_start', count: 'taxonomist_count' } as const;

/** A provider's batch client for one model. Created by `ProviderDefinition.batch`. */
export interface BatchClient {
  /** Provider id, e.g. 'openai'. */
  readonly provider: string;
  /** Model name as the provider knows it, e.g. 'gpt-4o-mini'. */
  readonly model: string;
  /** Multiplier on the list price for batch calls (0.5: half price). Cost estimates and budgets use it. */
  readonly priceFactor: number;
  /** The provider's limits per batch; `submit` splits larger request lists into several batches. */
  readonly limits: { maxRequests: number; maxBytes: number };
  /** Submit requests (split within `limits`); resolves to the ids of the batches created, in request order. */
  submit(requests: readonly BatchRequest[], options?: BatchSubmitOptions): Promise<string[]>;
  /** Current status and counts of a batch. */
  poll(id: string, options?: { signal?: AbortSignal }): Promise<BatchInfo>;
  /**
   * Results of a batch in a final status, one per request it answered or failed (any order). Requests a failed batch
   * never ran may be missing: the caller accounts for them.
   */
  fetchResults(id: string, options?: { signal?: AbortSignal }): Promise<BatchResult[]>;
  /** Ask the provider to cancel a batch (it goes through `cancelling` to `cancelled`). */
  cancel(id: string, options?: { signal?: AbortSignal }): Promise<BatchInfo>;
  /**
   * The batches created by submit calls with this `submissionKey` (by listing the provider's batches), in request
   * order. `since` (ms since the epoch, when the key was recorded) lets the client stop listing at older batches.
   * A client without it cannot close the window between a batch's creation and `onSubmitted`.
   */
  findSubmitted?(submissionKey: string, options?: { since?: number; signal?: AbortSignal }): Promise<FoundBatch[]>;
}

/**
 * Split serialized requests into consecutive chunks within a provider's per-batch limits (request count, bytes of
 * the lines plus a newline each), in order. A single request over the byte limit is an error naming it.
 */
export function splitWithinBatchLimits<T extends { customId: string; line: string }>(items: readonly T[], limits: { maxRequests: number; maxBytes: number }): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(item.line) + 1;
    if (size > limits.maxBytes) throw new RangeError(`batch request "${item.customId}" is ${size} bytes, over the per-batch limit of ${limits.maxBytes} bytes`);
    if (current.length > 0 && (current.length >= limits.maxRequests || bytes + size > limits.maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
