/** The 'sparse' featurizer: TF-IDF word and character n-grams from @taxonomist/core's SparseTextFeaturizer. */
import { SparseTextConfigSchema, SparseTextFeaturizer, type CsrMatrix, type SparseRow } from '@taxonomist/core';
import { z } from 'zod';
import type { FeaturizerDefinition, FeaturizerState, TextFeaturizer } from './types.js';

export const SparseFeaturizerConfigSchema = SparseTextConfigSchema.extend({ type: z.literal('sparse') });
export type SparseFeaturizerConfig = z.output<typeof SparseFeaturizerConfigSchema>;
export type SparseFeaturizerConfigInput = z.input<typeof SparseFeaturizerConfigSchema>;

export class SparseFeaturizer implements TextFeaturizer {
  readonly type = 'sparse';
  constructor(readonly inner: SparseTextFeaturizer) {}

  get dimension(): number {
    return this.inner.dimension;
  }

  async fit(texts: readonly string[]): Promise<void> {
    this.inner.fit(texts);
  }

  async transform(texts: readonly string[]): Promise<CsrMatrix> {
    return this.inner.transform(texts);
  }

  /** Tokenises each text once (the vocabulary slots seen while fitting become the rows). */
  async fitTransform(texts: readonly string[]): Promise<CsrMatrix> {
    return this.inner.fitTransform(texts);
  }

  transformSync(texts: readonly string[]): CsrMatrix {
    return this.inner.transform(texts);
  }

  featurizeRow(text: string): SparseRow {
    return this.inner.featurizeRow(text);
  }

  toJSON(): FeaturizerState {
    return { type: 'sparse', state: this.inner.toJSON() };
  }
}

export const sparseFeaturizer: FeaturizerDefinition = {
  type: 'sparse',
  create(config) {
    const { type: _type, ...rest } = SparseFeaturizerConfigSchema.parse(config);
    return new SparseFeaturizer(new SparseTextFeaturizer(rest));
  },
  load(state) {
    return new SparseFeaturizer(SparseTextFeaturizer.fromJSON(state.state));
  },
};
