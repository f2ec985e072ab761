import { z } from 'zod';
import { TaxonomySchema } from '@taxonomist/core';

/**
 * Everything report.html shows, as plain data gathered from a run's artifacts (see ./collect.ts). The renderer
 * (./html.ts) is a pure function of this, so it is tested with hand-made data.
 */
export const ReportUsageRowSchema = z.object({
  stage: z.string(),
  calls: z.number().int().nonnegative().default(0),
  cachedCalls: z.number().int().nonnegative().default(0),
  inputTokens: z.number().int().nonnegative().default(0),
  outputTokens: z.number().int().nonnegative().default(0),
  costUsd: z.number().nonnegative().default(0),
  durationMs: z.number().nonnegative().optional(),
  records: z.number().int().nonnegative().optional(),
  status: z.string().optional(),
  /** Why a failed or stopped stage ended (the manifest's error). */
  error: z.string().optional(),
});

export const ReportEditSchema = z.object({
  /** Update round the edit happened in. */
  round: z.number().int(),
  kind: z.enum(['kept', 'renamed', 'merged', 'split', 'removed', 'added', 'redescribed']),
  from: z.array(z.string()),
  to: z.array(z.string()),
});

export const ReportRoundSchema = z.object({
  round: z.number().int(),
  /** What the round did: generate, update, review. */
  step: z.string(),
  batch: z.number().int().optional(),
  epoch: z.number().int().optional(),
  /** The model's 0-100 rating of the taxonomy before the update (absent for generate/review). */
  rating: z.number().min(0).max(100).optional(),
  labels: z.number().int().nonnegative(),
  explanation: z.string().optional(),
  /** 'rejected': no valid answer within the attempts, the taxonomy was kept; 'degraded': made to fit by a fallback. */
  status: z.enum(['accepted', 'rejected', 'degraded']).default('accepted'),
  /** Answers that broke the rules before the accepted one (retries). */
  retries: z.number().int().nonnegative().default(0),
  /** Why the step was rejected, retried or degraded, in words. */
  reason: z.string().optional(),
});

export const ReportQualitySchema = z.object({
  /** What the model was measured on, e.g. "20% of the LLM-labeled sample held out (170 records)". */
  evaluatedOn: z.string(),
  n: z.number().int().nonnegative(),
  accuracy: z.number(),
  macroF1: z.number(),
  kappa: z.number().optional(),
  perLabel: z.array(z.object({ label: z.string(), precision: z.number(), recall: z.number(), f1: z.number(), support: z.number().int() })),
  confusion: z.object({ labels: z.array(z.string()), matrix: z.array(z.array(z.number())) }).optional(),
});

export const ReportGoldSchema = z.object({
  field: z.string(),
  n: z.number().int(),
  nmi: z.number(),
  ari: z.number(),
  harmonicPurity: z.number(),
  goldClasses: z.number().int(),
});

/** Active labeling (active-learning.json): agreement with the LLM on held-out labels vs labels bought. */
export const ReportLearningSchema = z.object({
  strategy: z.string(),
  bought: z.number().int().nonnegative(),
  stopReason: z.string(),
  rounds: z.array(z.object({ bought: z.number().int(), n: z.number().int(), agreement: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable() })),
});

/** Per label: how its records spread over the gold classes (largest first), for the cluster x gold table. */
export const ReportGoldTableSchema = z.array(
  z.object({ label: z.string(), n: z.number().int().nonnegative(), gold: z.array(z.object({ name: z.string(), count: z.number().int().nonnegative() })) }),
);

/** A label's phrase: score = share of the label's texts saying it (coverage) x share of its uses in this label. */
export const ReportPhraseSchema = z.object({ text: z.string(), score: z.number(), coverage: z.number().min(0).max(1).optional() });

/** A text the distilled model put under another label than its training label. */
export const ReportDisagreementSchema = z.object({ text: z.string(), predicted: z.string() });

export const ReportMapSchema = z.object({
  /** x, y: the projection's coordinates; label: index into the taxonomy's labels; title: the record's text, shortened (hover). */
  points: z.array(z.object({ x: z.number(), y: z.number(), label: z.number().int().nonnegative(), title: z.string().optional() })),
  /** How the points were placed: UMAP or the first two principal components of the LSA vectors. */
  projection: z.enum(['umap', 'pca']).default('pca'),
  /** One per taxonomy label (NaN-free: labels without points are left out by the renderer via `null`). */
  centroids: z.array(z.object({ x: z.number(), y: z.number() }).nullable()),
  sampled: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});

export const ReportSimilaritySchema = z.object({
  /** Taxonomy label indices in display order (hierarchical clustering leaf order). */
  order: z.array(z.number().int().nonnegative()),
  /** Cosine similarity of label centroids, indexed like the taxonomy's labels. */
  matrix: z.array(z.array(z.number())),
});

export const ReportDataSchema = z.object({
  title: z.string(),
  generator: z.string(),
  useCase: z.string(),
  corpus: z.object({ path: z.string(), records: z.number().int().nonnegative(), skipped: z.number().int().nonnegative().optional() }),
  /** 'offline' when the clustering engine made the taxonomy and labels, 'llm' otherwise. */
  engine: z.enum(['offline', 'llm']),
  models: z.record(z.string(), z.string()).default({}),
  notes: z.array(z.string()).default([]),
  taxonomy: TaxonomySchema,
  /** Example texts per label id. */
  examples: z.record(z.string(), z.array(z.string())).default({}),
  /** Records per label (by label name) and where the counts come from. */
  distribution: z.object({ source: z.string(), counts: z.array(z.object({ label: z.string(), count: z.number().int().nonnegative() })), failed: z.number().int().nonnegative().default(0) }),
  history: z.object({ rounds: z.array(ReportRoundSchema), edits: z.array(ReportEditSchema) }).optional(),
  quality: ReportQualitySchema.optional(),
  learning: ReportLearningSchema.optional(),
  gold: ReportGoldSchema.optional(),
  goldTable: ReportGoldTableSchema.optional(),
  /** Per label id: distinctive phrases with their score, best first. */
  phrases: z.record(z.string(), z.array(ReportPhraseSchema)).default({}),
  /**
   * Where the phrases come from: 'taxonomy', the clustering engine's own (the phrases its names were chosen from), or
   * 'labels', read from the labeled records with the same method (taxonomies without them, e.g. an LLM's).
   */
  phrasesSource: z.enum(['taxonomy', 'labels']).optional(),
  /** Per label id: training-labeled texts the distilled model predicts differently. */
  disagreements: z.record(z.string(), z.array(ReportDisagreementSchema)).default({}),
  /** Per label id: mean confidence of its training labels (LLM mode). */
  confidence: z.record(z.string(), z.number()).default({}),
  /** LLM labeling: records the model answered "none of these" for, of those labeled. */
  coverage: z.object({ none: z.number().int().nonnegative(), labeled: z.number().int().nonnegative() }).optional(),
  /** Induction steps given up or forced to fit, with the reasons. */
  induction: z.object({ rejectedSteps: z.number().int().nonnegative(), degradedSteps: z.number().int().nonnegative(), warnings: z.array(z.string()) }).optional(),
  map: ReportMapSchema.optional(),
  similarity: ReportSimilaritySchema.optional(),
  usage: z.array(ReportUsageRowSchema).default([]),
});

export type ReportData = z.infer<typeof ReportDataSchema>;
export type ReportDataInput = z.input<typeof ReportDataSchema>;
export type ReportEdit = z.infer<typeof ReportEditSchema>;
export type ReportRound = z.infer<typeof ReportRoundSchema>;
export type ReportPhrase = z.infer<typeof ReportPhraseSchema>;
