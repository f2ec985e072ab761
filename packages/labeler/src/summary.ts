import { z } from 'zod';
import { AssignmentErrorKindSchema } from '@taxonomist/core';

const count = z.number().int().nonnegative();

/** See RunUsage (./usage.ts): tokens and cost include the billed attempts of failed calls. */
export const RunUsageSchema = z.object({
  calls: count,
  cachedCalls: count,
  failedCalls: count,
  inputTokens: count,
  outputTokens: count,
  costUsd: z.number().nonnegative(),
});

export const PackStatsSchema = z.object({
  packedCalls: count,
  missing: count,
  duplicated: count,
  extra: count,
  outOfTaxonomy: count,
  failedPacks: count,
  reasked: count,
});

export const EnsembleAgreementReportSchema = z.object({
  models: z.array(z.string()),
  records: count,
  allAnswered: count,
  unanimous: count,
  unanimousShare: z.number(),
  partial: count,
  pairwise: z.array(z.object({ a: z.string(), b: z.string(), n: count, agreement: z.number(), kappa: z.number() })),
});

/** Progress of a run, given to onProgress and the 'label:progress' hook. */
export const LabelProgressSchema = z.object({
  /** Input records read so far. */
  seen: count,
  /** Records skipped because the output file already had them labeled ok. */
  alreadyOk: count,
  /** Records written in this run (ok + failed). */
  done: count,
  ok: count,
  failed: count,
  costUsd: z.number().nonnegative(),
});
export type LabelProgress = z.infer<typeof LabelProgressSchema>;

/**
 * What a run did. input.records = input.alreadyOk + input.duplicateIds + ok + failed + notAttempted; for a corpus
 * file, lines the reader could not turn into a record (no id, so no output line) are counted apart in input.issues.
 * Records with an empty text are records: they get a failed 'input' line and count in `failed`.
 */
export const LabelSummarySchema = z.object({
  /**
   * done: every record has a line; stopped: the budget was reached, or the provider was stopped (auth/quota error,
   * too many consecutive failures: see stopError); aborted: signal or consumer stopped early.
   */
  status: z.enum(['done', 'stopped', 'aborted']),
  stopReason: z.enum(['budget', 'provider', 'signal', 'consumer']).optional(),
  /** Why the provider was stopped (stopReason 'provider'): the error kind and message. */
  stopError: z.object({ kind: z.string(), message: z.string() }).optional(),
  input: z.object({
    /** Records read from the corpus. */
    records: count,
    /** Already labeled ok in the output file (resume): skipped. */
    alreadyOk: count,
    /**
     * Repeated ids in an in-memory corpus (second and later occurrences skipped). For a corpus file the reader
     * skips them itself: they are in `issues` (kind duplicate_id).
     */
    duplicateIds: count,
    /** Lines of a corpus file the reader skipped: bad JSON, missing text field, duplicate id, blank line... */
    issues: count,
    /** Those skipped lines by reader issue kind (core's CorpusIssueKind). */
    issuesByKind: z.record(z.string(), count),
    /** The reader's file:line messages about the first 20 skipped lines. */
    issueExamples: z.array(z.string()),
    /** With the shard option: records of the corpus left to other shards (not counted in `records`). */
    otherShards: count.optional(),
  }),
  ok: count,
  failed: count,
  failedByKind: z.partialRecord(AssignmentErrorKindSchema, count),
  /** Records answered "none of these" (ok). */
  none: count,
  /** Records whose answer was a near miss mapped onto a label. */
  mapped: count,
  truncated: count,
  /**
   * Records not labeled because the run stopped or was aborted; a later run with the same output labels them. The
   * rest of the corpus is read to count them (not for an async-iterable corpus aborted by a signal or the consumer).
   */
  notAttempted: count,
  confidence: z.object({
    method: z.enum(['none', 'logprobs', 'self-consistency', 'vote']),
    /** ok records without a confidence (e.g. the provider returned no logprobs). */
    missing: count,
  }),
  usage: RunUsageSchema,
  budgetUsd: z.number().optional(),
  pack: PackStatsSchema,
  ensemble: EnsembleAgreementReportSchema.optional(),
  models: z.array(z.string()),
  taxonomyId: z.string(),
  out: z
    .object({
      path: z.string(),
      /** Lines in the file at the end (one per id after compaction). */
      lines: count,
      ok: count,
      failed: count,
      /** The file was rewritten to one line per id (a resumed run replaced failed lines). */
      compacted: z.boolean(),
      /** Bytes of a torn final line (left by a killed run) removed on open. */
      repairedBytes: count,
      /** Unparsable lines found in the existing file (dropped by compaction). */
      badLines: count,
    })
    .optional(),
  elapsedMs: z.number().nonnegative(),
});
export type LabelSummary = z.infer<typeof LabelSummarySchema>;
