import { existsSync } from 'node:fs';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from '../io/json-file.js';
import { IterationRecordSchema, StepUsageSchema, SummaryRecordSchema, type IterationRecord, type SummaryRecord } from './result.js';
import { InductionError } from './options.js';

/** Bumped when the meaning of stored steps changes, so old checkpoints are refused rather than misread. */
export const CHECKPOINT_VERSION = 1 as const;

/** A completed model step: the validated answer (null when every attempt was invalid) and what it cost. */
export const StepOutputSchema = z.object({
  stage: z.string(),
  value: z.unknown(),
  attempts: z.number().int().nonnegative(),
  violations: z.array(z.array(z.string())),
  usage: StepUsageSchema,
  /** For a step without a valid answer: the last rule-breaking answer (input of the deterministic fallbacks). */
  candidate: z.unknown().optional(),
});
export type StepOutput = z.infer<typeof StepOutputSchema>;

/**
 * The checkpoint file. `steps` is what resuming needs: every completed model step by its stable key. The run is
 * a deterministic function of the settings, the sample and these answers, so replaying them reproduces the
 * uninterrupted run exactly. `summaries` and `history` are derived copies for people inspecting the file.
 */
export const InductionCheckpointSchema = z.object({
  format: z.literal('taxonomist-induce-checkpoint'),
  version: z.literal(CHECKPOINT_VERSION),
  optionsHash: z.string(),
  seed: z.number().int(),
  corpusHash: z.string(),
  complete: z.boolean(),
  steps: z.record(z.string(), StepOutputSchema),
  summaries: z.array(SummaryRecordSchema),
  history: z.array(IterationRecordSchema),
});
export type InductionCheckpoint = z.infer<typeof InductionCheckpointSchema>;

/**
 * Completed steps of a run, optionally persisted to a checkpoint file. Steps are recorded as they finish and
 * written (atomically) on `flush()`, which the pipeline calls at every step boundary.
 */
export class StepStore {
  private readonly steps = new Map<string, StepOutput>();
  private dirty = false;
  private summaries: SummaryRecord[] = [];
  private history: IterationRecord[] = [];
  private complete = false;
  /** Steps found in the checkpoint when the run started. */
  readonly resumedSteps: number;

  private constructor(
    readonly path: string | undefined,
    private readonly identity: { optionsHash: string; seed: number; corpusHash: string },
    existing: InductionCheckpoint | undefined,
  ) {
    if (existing) for (const [k, v] of Object.entries(existing.steps)) this.steps.set(k, v);
    this.resumedSteps = this.steps.size;
  }

  /** Open (or start) the checkpoint at `path`; refuses one written for other settings or another corpus. */
  static async open(
    path: string | undefined,
    identity: { optionsHash: string; seed: number; corpusHash: string },
  ): Promise<StepStore> {
    if (path === undefined || !existsSync(path)) return new StepStore(path, identity, undefined);
    const existing = await readJsonFile(path, InductionCheckpointSchema);
    if (existing.optionsHash !== identity.optionsHash || existing.seed !== identity.seed) {
      throw new InductionError(
        `checkpoint ${path} was written by a run with other options or models (options hash ${existing.optionsHash.slice(0, 12)}, ` +
          `this run ${identity.optionsHash.slice(0, 12)}); use another checkpoint path or delete the file to start over`,
      );
    }
    if (existing.corpusHash !== identity.corpusHash) {
      throw new InductionError(
        `checkpoint ${path} was written for a different corpus (content hash ${existing.corpusHash.slice(0, 12)}, ` +
          `this corpus ${identity.corpusHash.slice(0, 12)}); use another checkpoint path or delete the file to start over`,
      );
    }
    return new StepStore(path, identity, existing);
  }

  get(key: string): StepOutput | undefined {
    return this.steps.get(key);
  }

  set(key: string, output: StepOutput): void {
    this.steps.set(key, output);
    this.dirty = true;
  }

  /** Drop a step (a failure that a rerun should ask again rather than replay). */
  forget(key: string): void {
    if (this.steps.delete(key)) this.dirty = true;
  }

  get size(): number {
    return this.steps.size;
  }

  /** Update the derived copies written alongside the steps. */
  describe(state: { summaries?: SummaryRecord[]; history?: IterationRecord[]; complete?: boolean }): void {
    if (state.summaries) this.summaries = state.summaries;
    if (state.history) this.history = state.history;
    if (state.complete !== undefined && state.complete !== this.complete) {
      this.complete = state.complete;
      this.dirty = true;
    }
  }

  /** Write the checkpoint if anything changed. Returns whether it wrote. */
  async flush(): Promise<boolean> {
    if (this.path === undefined || !this.dirty) return false;
    this.dirty = false;
    const steps: Record<string, StepOutput> = {};
    for (const [k, v] of this.steps) steps[k] = v;
    const checkpoint: InductionCheckpoint = {
      format: 'taxonomist-induce-checkpoint',
      version: CHECKPOINT_VERSION,
      ...this.identity,
      complete: this.complete,
      steps,
      summaries: this.summaries,
      history: this.history,
    };
    await writeJsonAtomic(this.path, checkpoint);
    return true;
  }
}

