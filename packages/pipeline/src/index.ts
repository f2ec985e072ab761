/**
 * @taxonomist/pipeline: the whole Taxonomist run as a library (what `taxonomist run` is a shell over).
 *
 *   const result = await runPipeline('corpus.jsonl', { outDir: 'out', useCase: "the customer's intent" });
 *
 * runPipeline owns manifest.json, resume and stage skipping by content hashes, and the out-dir lock; it reports
 * through events and typed errors, never through stdout or process.exit. The stage helpers below are what the
 * CLI's single-stage commands (induce, label, distill, predict) are made of.
 */
export { runPipeline, PipelineRunError, RUN_LOCK_FILE, RECORDS_FILE, type PipelineRecord } from './run-pipeline.js';
export { PipelineOptionsSchema, PipelineSettingsSchema, PipelineRuntimeSchema, PIPELINE_SETTING_NAMES, type PipelineOptions, type PipelineSettings } from './options.js';
export { STAGES, type StageName, type StageResult, type PipelineResult } from './result.js';
export { eventReporter, type PipelineEvent } from './events.js';
export type { Reporter, ProgressHandle, ProgressState } from './reporter.js';
export { OUTCOME, type Outcome } from './outcome.js';
export {
  PipelineError,
  PipelineInputError,
  PipelineUsageError,
  toPipelineError,
  cliIssueMessage,
  INTERRUPTED_MESSAGE,
  type PipelineErrorKind,
  type ErrorLocation,
} from './errors.js';
export { HOW_TO_CONFIGURE_LLM, createModelSetup, safeUrl, type ModelSetup } from './models.js';
export { ARTIFACTS } from '@taxonomist/report';
export { pipelineVersion } from './version.js';

// Stage helpers (one stage each, as the CLI's single-stage commands use them).
export { corpusFlags, loadCorpus, reportIssues, reportEmptyTexts, withText, IssueTally, type CorpusFlags, type LoadedCorpus } from './corpus.js';
export { induceSettingsFromFlags, inductionOutcome, runInduceStage, type InducePaths, type InduceStageResult } from './induce-stage.js';
export { labelSettingsFromFlags, runLlmLabelStage, type LabelStageResult } from './label-stage.js';
export { StreamedCorpus } from './label-corpus-file.js';
export { runBatchLabelStage } from './batch-label-stage.js';
export { runActiveLabelStage, STOP_REASON_TEXT, type ActiveLabelStageResult } from './active-label-stage.js';
export { clusterModelPathFor, loadClusterModel, runCentroidLabelStage, CENTROID_MODEL_ID } from './centroid-label.js';
export { runDistillStage, type DistillStageResult } from './distill-stage.js';
export { runPredictStage } from './predict-stage.js';
export { loadAssignments } from './assignments.js';
export { estimateInduce, type StepEstimate, type InduceEstimate } from './estimate-induce.js';
export { offlineNotice, warnIgnoredOffline } from './offline-notice.js';
export { sampleInOrder, splitInOrder } from './sample.js';
export { bool, defined, inputPath, list, num, seedOf, str, DEFAULT_SEED, type StageValues } from './values.js';
export { RunManifestStore, MANIFEST_FILE } from './manifest.js';
