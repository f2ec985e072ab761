import { z } from 'zod';
import { BatchStatusSchema, readTextIfExists, writeJsonAtomic } from '@taxonomist/core';

const TruncatedSchema = z.object({ originalTokens: z.number().int().nonnegative(), keptTokens: z.number().int().nonnegative() });

/** One submitted batch: which records each of its requests covers (so results can be collected without the corpus). */
export const BatchEntrySchema = z.object({
  id: z.string().min(1),
  /** Last status seen. */
  status: BatchStatusSchema,
  /** True once its results were written to the output file (a re-run skips it). */
  collected: z.boolean(),
  /** Cost estimate at submit time (discounted), USD; replaced by the billed cost once collected. */
  estimatedUsd: z.number().nonnegative(),
  costUsd: z.number().nonnegative().optional(),
  requests: z.array(
    z.object({
      customId: z.string().min(1),
      records: z.array(z.object({ id: z.string(), truncated: TruncatedSchema.optional() })).min(1),
    }),
  ),
});
export type BatchEntry = z.infer<typeof BatchEntrySchema>;

/**
 * A submit in progress, recorded before the provider is asked to create anything: the key the batch client tags its
 * batches with, and every request with its records and estimate. A run that finds it (the last one stopped inside
 * submit) lists the provider's batches by the key and attaches to the ones it never recorded.
 */
export const SubmitIntentSchema = z.object({
  key: z.string().min(1),
  /** When it was recorded, ms since the epoch (the listing stops at much older batches). */
  since: z.number(),
  requests: z.array(BatchEntrySchema.shape.requests.element.extend({ estimatedUsd: z.number().nonnegative() })),
});
export type SubmitIntent = z.infer<typeof SubmitIntentSchema>;

/**
 * The state file of batch labeling, next to the output (`labels.jsonl.batch.json`). The submit intent (a key and the
 * requests) is written before anything is submitted, and each batch right after it is created (before any polling),
 * so a kill at any point — even between the provider creating a batch and its id being written — leaves enough on
 * disk for a re-run to attach to every batch instead of submitting the records again.
 */
export const BatchStateSchema = z.object({
  version: z.literal(1),
  /** What the requests asked (model, prompts, schema, options): a re-run with different ones must not attach. */
  fingerprint: z.string(),
  model: z.string(),
  batches: z.array(BatchEntrySchema),
  /** Present only while a submit is under way (or was cut off): see SubmitIntentSchema. */
  submitting: SubmitIntentSchema.optional(),
});
export type BatchState = z.infer<typeof BatchStateSchema>;

export function batchStatePath(out: string): string {
  return `${out}.batch.json`;
}

/** Read the state file (undefined when absent); a damaged one is an error naming the file and field. */
export async function readBatchState(path: string): Promise<BatchState | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${err instanceof Error ? err.message : String(err)}); it records submitted batches, restore it or delete it to submit again`);
  }
  const parsed = BatchStateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: field "${issue.path.join('.')}": ${issue.message}`);
  }
  return parsed.data;
}

export async function writeBatchState(path: string, state: BatchState): Promise<void> {
  await writeJsonAtomic(path, state);
}
