import type { StageUsage } from '@taxonomist/core';
import type { PipelineErrorKind } from './errors.js';
import type { Outcome } from './outcome.js';

export const STAGES = ['induce', 'label', 'distill', 'predict', 'report'] as const;
export type StageName = (typeof STAGES)[number];

/** How one stage of a run went. */
export interface StageResult {
  stage: StageName;
  /** done: ran now; skipped: unchanged since the last run; failed / stopped (budget, interruption): see note. */
  status: 'done' | 'skipped' | 'failed' | 'stopped';
  /** Artifacts the stage wrote (file names in the out-dir); empty when skipped or failed. */
  artifacts: string[];
  records?: number;
  /** Wall time of this run of the stage (absent when skipped). */
  ms?: number;
  usage?: StageUsage;
  counts?: Record<string, number>;
  /** ok, or partial/provider when the stage finished but not fully (failed records, rejected rounds). */
  outcome: Outcome;
  /** Why a failed or stopped stage ended (the error runPipeline then throws). */
  error?: { kind: PipelineErrorKind; message: string };
  /** One line for a summary (how many labels active learning bought and why it stopped; the error of a failure). */
  note?: string;
}

export interface PipelineResult {
  /** The absolute out-dir. */
  outDir: string;
  /** ok when every stage did all it was asked; otherwise the first stage outcome that was not. */
  outcome: Outcome;
  /** Each stage that was reached, by name. */
  stages: Partial<Record<StageName, StageResult>>;
  /** The same, in run order. */
  order: StageResult[];
  /** report.html. */
  report: string;
}
