import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { BatchStatusSchema, writeJsonAtomic } from '@taxonomist/core';

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
 * The state file of batch labeling, next to the output (`labels.jsonl.batch.json`). Written atomically right after
 * each batch is created (before any polling), so a kill at any point leaves the submitted batch ids on disk and a
 * re-run attaches to them instead of submitting the records again.
 */
export const BatchStateSchema = z.object({
  version: z.literal(1),
  /** What the requests asked (model, prompts, schema, options): a re-run with different ones must not attach. */
  fingerprint: z.string(),
  model: z.string(),
  batches: z.array(BatchEntrySchema),
});
export type BatchState = z.infer<typeof BatchStateSchema>;

export function batchStatePath(out: string): string {
  return `${out}.batch.json`;
}

/** Read the state file (undefined when absent); a damaged one is an error naming the file and field. */
export async function readBatchState(path: string): Promise<BatchState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
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
