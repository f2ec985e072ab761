import { z } from 'zod';
import type { FeaturizerContext } from './featurizers/types.js';
import type { DistillRegistry } from './registry.js';

/**
 * The default featurizer: TF-IDF (sublinear tf, smooth idf, L2 per block) of word 1-2-grams and char_wb 3-grams
 * seen in at least 2 training texts. Chosen with the banking77 benchmark (bench/banking77.ts --configs): as accurate
 * as word 1-2 + char_wb 2-5 (0.916 vs 0.914) with 67 instead of 175 non-zeros per text, so training and prediction
 * are ~2.5x cheaper; dropping single-document n-grams halves the vocabulary (smaller model, faster training).
 */
export const DEFAULT_FEATURIZER = {
  type: 'sparse',
  minDf: 2,
  blocks: [
    { analyzer: 'word', ngramRange: [1, 2] },
    { analyzer: 'char_wb', ngramRange: [3, 3] },
  ],
} as const;
/** The default classifier: one-vs-rest linear SVM (squared hinge, C = 0.5), temperature-calibrated probabilities. */
export const DEFAULT_CLASSIFIER = { type: 'linear-svm' } as const;

export const TrainOptionsSchema = z.object({
  featurizer: z.looseObject({ type: z.string().min(1) }).default(() => structuredClone(DEFAULT_FEATURIZER) as { type: string }),
  classifier: z.looseObject({ type: z.string().min(1) }).default({ ...DEFAULT_CLASSIFIER }),
  seed: z.number().int().default(0),
  /** Learn every label of `labels` per example (sigmoid probabilities) instead of one label per text. */
  multiLabel: z.boolean().default(false),
  /** Multi-label: probability from which a label is predicted. */
  threshold: z.number().gt(0).lt(1).default(0.5),
  /** The label set, in this order (default: sorted labels of the examples). Examples with other labels are an error. */
  labels: z.array(z.string().min(1)).optional(),
  /** Id of the taxonomy the labels come from, recorded in the model file. */
  taxonomyId: z.string().optional(),
  /** Label name -> its stable id in that taxonomy, recorded in the model file so predictions carry `labelId`. */
  labelIds: z.record(z.string(), z.string()).optional(),
  /** Early stopping: hold out a stratified `fraction` and stop after `patience` rounds without validation gain. */
  validation: z
    .object({ fraction: z.number().gt(0).lt(1).default(0.1), patience: z.number().int().positive().default(3) })
    .optional(),
  /** Grid search: classifier hyper-parameter -> values, chosen by k-fold cross-validation (e.g. { C: [0.01, 0.1, 1, 10] }). */
  grid: z.record(z.string(), z.array(z.union([z.number(), z.string(), z.boolean()])).min(1)).optional(),
  /** Folds of cross-validation (grid search, crossValidate, auditLabels). */
  folds: z.number().int().min(2).default(5),
  /** What the grid search maximises. */
  gridMetric: z.enum(['macroF1', 'accuracy']).default('macroF1'),
});
export type TrainConfig = z.output<typeof TrainOptionsSchema>;

/** Options of train / crossValidate / auditLabels: the serialisable config plus runtime objects. */
export type TrainOptions = z.input<typeof TrainOptionsSchema> & {
  /** Embedding models for 'embeddings' featurizers. */
  embeddings?: FeaturizerContext['embeddings'];
  registry?: DistillRegistry;
  /** Worker threads for training ('auto': up to 2). Results are identical for any value. */
  threads?: number | 'auto';
  /** Progress messages (stage name and a short human-readable text). */
  onProgress?(event: { stage: string; message: string }): void;
};
