import type { CsrMatrix, SparseRow } from '@taxonomist/core';
import type { Embeddings } from '@langchain/core/embeddings';

/** A fitted-or-fittable text featurizer. Everything becomes CSR rows so one set of learners serves all. */
export interface TextFeaturizer {
  readonly type: string;
  /** Number of feature columns (after fit or load). */
  readonly dimension: number;
  fit(texts: readonly string[]): Promise<void>;
  transform(texts: readonly string[]): Promise<CsrMatrix>;
  /** fit then transform the same texts, when the featurizer can do it cheaper than the two calls (optional). */
  fitTransform?(texts: readonly string[]): Promise<CsrMatrix>;
  /** Synchronous allocation-free path for one text (sparse featurizers); buffers are reused by the next call. */
  featurizeRow?(text: string): SparseRow;
  /** Serialisable fitted state; `type` selects the definition that loads it back. */
  toJSON(): FeaturizerState;
}

export type FeaturizerState = { type: string } & Record<string, unknown>;

/** Runtime things a featurizer may need that cannot live in a config file. */
export interface FeaturizerContext {
  /** Embedding models for 'embeddings' featurizers: one instance, or instances keyed by the config's `model`. */
  embeddings?: Embeddings | Record<string, Embeddings>;
  /** Builds nested featurizers (used by 'combined'). */
  create(config: { type: string }): TextFeaturizer;
  load(state: FeaturizerState): TextFeaturizer;
}

/** A featurizer kind, registered by name; plugins add kinds through `registries.featurizers`. */
export interface FeaturizerDefinition {
  type: string;
  create(config: { type: string } & Record<string, unknown>, ctx: FeaturizerContext): TextFeaturizer;
  load(state: FeaturizerState, ctx: FeaturizerContext): TextFeaturizer;
}
