/**
 * @taxonomist/labeler: label corpora against a taxonomy with an LLM, at scale, resumable, losing nothing.
 */
import './hooks.js';

export { label, labelToFile } from './run.js';
export { labelBatchToFile } from './batch-run.js';
export type { BatchLabelOptions, BatchLabelSummary, BatchEvent } from './batch-run.js';
export { BatchStateSchema, batchStatePath, readBatchState } from './batch-state.js';
export type { BatchState, BatchEntry } from './batch-state.js';
export { buildBatchRequest } from './batch-requests.js';
export type { LabelRun } from './run.js';
export { estimate } from './estimate.js';
export type { LabelEstimate, ModelEstimate } from './estimate.js';
export type { LabelOptions, CorpusInput, ConfidenceOption, LabelHookHost } from './options.js';
export { LabelSummarySchema, LabelProgressSchema } from './summary.js';
export type { LabelSummary, LabelProgress } from './summary.js';
export { agreement, coverage, NONE_LABEL } from './quality.js';
export type { AgreementOptions, AgreementReport, CoverageReport, LabelLike, LabelSetInput } from './quality.js';
export { buildCatalog, normalizeAnswer, NONE_ANSWER } from './catalog.js';
export type { LabelCatalog } from './catalog.js';
export { resolveAnswer, levenshtein, allowedEdits } from './near-miss.js';
export type { ResolvedAnswer } from './near-miss.js';
export { singleAnswerSchema, packedAnswerSchema, packKeys } from './answer-schema.js';
export type { LabelMode, AnswerShape, ItemAnswer, PackedAnswer } from './answer-schema.js';
export { buildSystemPrompt, buildMessages } from './prompt.js';
export type { FewShotExample } from './prompt.js';
export type { FewShotOptions, FewShotSource } from './few-shot.js';
export { labelValueProbabilities } from './confidence.js';
export { majorityVote } from './vote.js';
export { EnsembleAgreement } from './ensemble-agreement.js';
export type { EnsembleAgreementReport, PairAgreement } from './ensemble-agreement.js';
export { compactOutput } from './compact.js';
export { readResumeState } from './resume.js';
export type { ResumeState } from './resume.js';
export { LABEL_HOOKS, type LabelRecordEvent } from './hooks.js';
