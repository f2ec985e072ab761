import { z } from 'zod';

/** One text of a corpus. `id` is stable across runs (generated from the content when the source has none). */
export const CorpusRecordSchema = z.object({
  id: z.string().min(1),
  text: z.string(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type CorpusRecord = z.infer<typeof CorpusRecordSchema>;

/** A record with a known (gold, LLM-given or predicted) label name. */
export const LabeledRecordSchema = CorpusRecordSchema.extend({
  label: z.string().min(1),
  labels: z.array(z.string().min(1)).optional(),
});
export type LabeledRecord = z.infer<typeof LabeledRecordSchema>;
