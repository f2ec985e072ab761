import { z } from 'zod';
import { TaxonomySchema } from '../schemas/taxonomy.js';

/**
 * How one label of the previous revision became labels of the next. Ids are stable: a kept or renamed label keeps
 * its id, the survivor of a merge keeps the id of its first source, split parts and added labels get fresh ids that
 * were never used before in the run (so an id always means one thing).
 */
export const LABEL_EDIT_KINDS = ['kept', 'renamed', 'merged', 'split', 'removed', 'added'] as const;
export const LabelEditSchema = z.object({
  kind: z.enum(LABEL_EDIT_KINDS),
  /** The previous id; null for an added label. */
  from: z.string().nullable(),
  /** The ids in the new revision that took over `from`'s records (empty when removed). */
  to: z.array(z.string()),
  /** For kept labels: the description was rewritten. */
  descriptionChanged: z.boolean().optional(),
});
export type LabelEdit = z.infer<typeof LabelEditSchema>;

/** Tokens, calls and cost of one step (all its attempts). */
export const StepUsageSchema = z.object({
  modelId: z.string(),
  calls: z.number().int().nonnegative(),
  cachedCalls: z.number().int().nonnegative(),
  failedCalls: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type StepUsage = z.infer<typeof StepUsageSchema>;

/** One revision of the taxonomy: the answer to one generate, update or review step. */
export const IterationRecordSchema = z.object({
  /** Position in `history` (0-based). */
  step: z.number().int().nonnegative(),
  /** Stable step key, e.g. "t0/top/e0/b2" (used by the checkpoint). */
  key: z.string(),
  kind: z.enum(['generate', 'update', 'review']),
  trial: z.number().int().nonnegative(),
  level: z.number().int().min(1),
  /** For sub-label chains (level 2): the top label grown. */
  parentId: z.string().optional(),
  epoch: z.number().int().nonnegative(),
  /** Minibatch index within the epoch; null for review. */
  batch: z.number().int().nonnegative().nullable(),
  /** Records in the minibatch shown (0 for review). */
  records: z.number().int().nonnegative(),
  /** The taxonomy after this step (the previous one when the step was rejected). */
  taxonomy: TaxonomySchema,
  /** The model's 0-100 rating of the taxonomy it was shown (null for generate). */
  rating: z.number().nullable(),
  explanation: z.string(),
  suggestions: z.array(z.string()),
  mapping: z.array(LabelEditSchema),
  /** 'rejected': no valid answer within maxAttempts; the previous taxonomy was kept. */
  status: z.enum(['accepted', 'rejected']),
  attempts: z.number().int().positive(),
  /** The rule violations of every invalid attempt, in order. */
  violations: z.array(z.array(z.string())),
  usage: StepUsageSchema,
  /**
   * How a first taxonomy that kept breaking the rules was made to fit them (see README "When the model overshoots"):
   * 'merge-down' (the model merged its labels down to the cap) or 'keep-best-supported' (the best-supported valid
   * labels were kept, without a model call).
   */
  degraded: z.enum(['merge-down', 'keep-best-supported']).optional(),
  /** What happened, in words, for a rejected or degraded step (also in the result's warnings). */
  note: z.string().optional(),
});
export type IterationRecord = z.infer<typeof IterationRecordSchema>;

/** What the model saw for one sampled record. */
export const SummaryRecordSchema = z.object({
  id: z.string(),
  /** The ~20-word summary, or the (token-truncated) text itself when it was not summarized. */
  summary: z.string(),
  /** What mattered for the use case (model summaries only). */
  note: z.string().optional(),
  source: z.enum(['model', 'text']),
  /** Tokens of the original text and whether it was cut to maxTextTokens. */
  originalTokens: z.number().int().nonnegative(),
  truncated: z.boolean(),
  /** Why the model summary is missing although one was due (the text is used instead). */
  error: z.string().optional(),
});
export type SummaryRecord = z.infer<typeof SummaryRecordSchema>;

export const JudgeDecisionSchema = z.object({
  recordId: z.string(),
  /** Trial index shown in the first position. */
  first: z.number().int().nonnegative(),
  /** The verdict as the judge gave it (relative to positions); 'inconsistent' when both orders disagreed. */
  choice: z.enum(['first', 'second', 'tie', 'inconsistent']),
  /** Winning trial index, null for a tie. */
  winner: z.number().int().nonnegative().nullable(),
  reason: z.string(),
});
export type JudgeDecision = z.infer<typeof JudgeDecisionSchema>;

export const TrialComparisonSchema = z.object({
  a: z.number().int().nonnegative(),
  b: z.number().int().nonnegative(),
  aWins: z.number().int().nonnegative(),
  bWins: z.number().int().nonnegative(),
  ties: z.number().int().nonnegative(),
  decisions: z.array(JudgeDecisionSchema),
});
export type TrialComparison = z.infer<typeof TrialComparisonSchema>;

export const TrialsInfoSchema = z.object({
  candidates: z.array(
    z.object({
      trial: z.number().int().nonnegative(),
      seed: z.number().int(),
      taxonomy: TaxonomySchema,
      /** The model's last rating in that chain (null if it never rated). */
      lastRating: z.number().nullable(),
    }),
  ),
  comparisons: z.array(TrialComparisonSchema),
  /** Records won per candidate over all comparisons (the selection score). */
  scores: z.array(z.number().int().nonnegative()),
  chosen: z.number().int().nonnegative(),
  /** Share of decided verdicts that picked the first position (near 0.5 = little position bias). */
  firstPositionRate: z.number().nullable(),
});
export type TrialsInfo = z.infer<typeof TrialsInfoSchema>;

export const HierarchyInfoSchema = z.object({
  /** Training records the model placed under each top label id. */
  placed: z.record(z.string(), z.number().int().nonnegative()),
  /** Records the model said fit no top label. */
  unplaced: z.number().int().nonnegative(),
  /** Records of placement batches that got no valid answer within maxAttempts (not placed). */
  failedPlacements: z.number().int().nonnegative(),
  /** Top labels that got sub-labels. */
  grown: z.array(z.string()),
  /** Top labels left without sub-labels, with why. */
  skipped: z.array(z.object({ labelId: z.string(), records: z.number().int().nonnegative(), reason: z.string() })),
});
export type HierarchyInfo = z.infer<typeof HierarchyInfoSchema>;

export const UsageTotalsSchema = z.object({
  calls: z.number().int().nonnegative(),
  cachedCalls: z.number().int().nonnegative(),
  failedCalls: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
/** Same shape as the gateway's UsageReport, built from the run's own step records (so resumed runs match). */
export const InductionUsageSchema = z.object({
  rows: z.array(UsageTotalsSchema.extend({ stage: z.string(), model: z.string() })),
  byStage: z.record(z.string(), UsageTotalsSchema),
  byModel: z.record(z.string(), UsageTotalsSchema),
  total: UsageTotalsSchema,
});

export const SampleInfoSchema = z.object({
  /** Records read from the corpus. */
  corpusRecords: z.number().int().nonnegative(),
  /** sha256 over the ids and texts of the corpus, in order. */
  corpusHash: z.string(),
  /** Records skipped because their text was empty. */
  emptyTexts: z.number().int().nonnegative(),
  trainingIds: z.array(z.string()),
  validationIds: z.array(z.string()),
  /** Records per stratum in the corpus and in the sample (when stratified). */
  strata: z.record(z.string(), z.object({ corpus: z.number().int(), sampled: z.number().int() })).optional(),
});
export type SampleInfo = z.infer<typeof SampleInfoSchema>;

export const ClusterInfoSchema = z.object({
  k: z.number().int().positive(),
  inertia: z.number(),
  silhouette: z.number().optional(),
  /** How clusters were named: by the model or by their distinctive terms. */
  naming: z.enum(['llm', 'terms']),
  /** Clusters the model failed to name (they kept term-based names). */
  namingFailures: z.number().int().nonnegative(),
  /** Records whose text had no known term (zero vector). */
  unvectorized: z.array(z.string()),
  assignments: z.array(z.object({ id: z.string(), labelId: z.string(), distance: z.number() })),
});
export type ClusterInfo = z.infer<typeof ClusterInfoSchema>;

export const InductionResultSchema = z.object({
  taxonomy: TaxonomySchema,
  strategy: z.enum(['llm', 'cluster']),
  seed: z.number().int(),
  sample: SampleInfoSchema,
  summaries: z.array(SummaryRecordSchema),
  history: z.array(IterationRecordSchema),
  /** Steps given up after maxAttempts invalid answers (their taxonomy was not changed). */
  rejectedSteps: z.number().int().nonnegative(),
  /** Steps whose answer broke the rules and was made to fit them by a fallback (merge down, keep best-supported). */
  degradedSteps: z.number().int().nonnegative().optional(),
  /** Every rejected or degraded step, in words: which rule, and what was done instead. */
  warnings: z.array(z.string()).optional(),
  trials: TrialsInfoSchema.optional(),
  hierarchy: HierarchyInfoSchema.optional(),
  cluster: ClusterInfoSchema.optional(),
  usage: InductionUsageSchema,
  checkpointPath: z.string().optional(),
});
/** The outcome of `induceTaxonomy` (same shape for both strategies). */
export type InductionResult = z.infer<typeof InductionResultSchema> & {
  /** The fitted cluster model (cluster strategy only; serialise with its toJSON()). */
  clusterModel?: unknown;
};
