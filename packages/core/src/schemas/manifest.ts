import { z } from 'zod';

export const RUN_MANIFEST_SCHEMA_VERSION = 1 as const;

export const StageUsageSchema = z.object({
  calls: z.number().int().nonnegative(),
  cachedCalls: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type StageUsage = z.infer<typeof StageUsageSchema>;

export const RunStageSchema = z.object({
  name: z.string(),
  status: z.enum(['pending', 'running', 'done', 'failed', 'stopped']),
  /** Artifact paths relative to the run directory. */
  artifacts: z.array(z.string()).default([]),
  usage: StageUsageSchema.optional(),
  counts: z.record(z.string(), z.number()).optional(),
  error: z.string().optional(),
  /**
   * sha256 of the files the stage read (artifacts of the stages before it), taken when it started: when one changes,
   * the stage runs again (and starts over instead of resuming). Absent in manifests of older versions.
   */
  inputs: z.record(z.string(), z.string()).optional(),
  /** sha256 of the artifacts the stage wrote, taken when it finished: a later change is a hand edit (validated). */
  outputs: z.record(z.string(), z.string()).optional(),
});
export type RunStage = z.infer<typeof RunStageSchema>;

/** What a run did, with what inputs and options, so it can be resumed and audited. Never holds secrets. */
export const RunManifestSchema = z.object({
  schemaVersion: z.literal(RUN_MANIFEST_SCHEMA_VERSION),
  tool: z.object({ name: z.string(), version: z.string() }),
  input: z.object({ path: z.string(), sha256: z.string().optional(), records: z.number().int().optional() }),
  seed: z.number().int(),
  options: z.record(z.string(), z.unknown()),
  models: z.record(z.string(), z.string()).default({}),
  stages: z.array(RunStageSchema),
});
export type RunManifest = z.infer<typeof RunManifestSchema>;
