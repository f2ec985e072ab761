/**
 * The 'combined' featurizer: several featurizers side by side ([sparse TF-IDF | embeddings]), each block scaled by a
 * weight. Keeps the synchronous fast path when every part has one.
 */
import { csrHStack, type CsrMatrix, type SparseRow } from '@taxonomist/core';
import { z } from 'zod';
import type { FeaturizerDefinition, FeaturizerState, TextFeaturizer } from './types.js';

export const CombinedFeaturizerConfigSchema = z.object({
  type: z.literal('combined'),
  parts: z
    .array(z.object({ featurizer: z.looseObject({ type: z.string() }), weight: z.number().positive().default(1) }))
    .min(1),
});

export class CombinedFeaturizer implements TextFeaturizer {
  readonly type = 'combined';
  private row: SparseRow = { count: 0, indices: new Int32Array(256), values: new Float32Array(256) };

  constructor(
    readonly parts: TextFeaturizer[],
    readonly weights: number[],
  ) {
    if (parts.every((p) => p.featurizeRow)) this.featurizeRow = (text) => this.combineRow(text);
  }

  featurizeRow?: (text: string) => SparseRow;

  get dimension(): number {
    return this.parts.reduce((s, p) => s + p.dimension, 0);
  }

  async fit(texts: readonly string[]): Promise<void> {
    for (const p of this.parts) await p.fit(texts);
  }

  async transform(texts: readonly string[]): Promise<CsrMatrix> {
    const blocks: CsrMatrix[] = [];
    for (const p of this.parts) blocks.push(await p.transform(texts));
    return csrHStack(blocks, this.weights);
  }

  private combineRow(text: string): SparseRow {
    let n = 0;
    let offset = 0;
    this.parts.forEach((p, i) => {
      const r = p.featurizeRow!(text);
      if (n + r.count > this.row.indices.length) {
        let cap = this.row.indices.length;
        while (cap < n + r.count) cap *= 2;
        const idx = new Int32Array(cap);
        idx.set(this.row.indices.subarray(0, n));
        const val = new Float32Array(cap);
        val.set(this.row.values.subarray(0, n));
        this.row = { count: n, indices: idx, values: val };
      }
      const w = this.weights[i]!;
      for (let j = 0; j < r.count; j++) {
        this.row.indices[n] = r.indices[j]! + offset;
        this.row.values[n++] = r.values[j]! * w;
      }
      offset += p.dimension;
    });
    this.row.count = n;
    return this.row;
  }

  toJSON(): FeaturizerState {
    return { type: 'combined', parts: this.parts.map((p, i) => ({ featurizer: p.toJSON(), weight: this.weights[i]! })) };
  }
}

export const combinedFeaturizer: FeaturizerDefinition = {
  type: 'combined',
  create(config, ctx) {
    const c = CombinedFeaturizerConfigSchema.parse(config);
    return new CombinedFeaturizer(
      c.parts.map((p) => ctx.create(p.featurizer)),
      c.parts.map((p) => p.weight),
    );
  },
  load(state, ctx) {
    const s = z
      .object({ parts: z.array(z.object({ featurizer: z.looseObject({ type: z.string() }), weight: z.number().positive() })).min(1) })
      .parse(state);
    return new CombinedFeaturizer(
      s.parts.map((p) => ctx.load(p.featurizer)),
      s.parts.map((p) => p.weight),
    );
  },
};
