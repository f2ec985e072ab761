/**
 * The 'embeddings' featurizer: dense vectors from any LangChain `Embeddings` (OpenAI, a local server, a fake in
 * tests), requested in batches, cached on disk by text hash, optionally L2-normalised, stored as CSR rows.
 */
import type { Embeddings } from '@langchain/core/embeddings';
import { csrFromDense, sha256, type CsrMatrix } from '@taxonomist/core';
import { z } from 'zod';
import { EmbeddingCache } from './embedding-cache.js';
import type { FeaturizerContext, FeaturizerDefinition, FeaturizerState, TextFeaturizer } from './types.js';

export const EmbeddingsFeaturizerConfigSchema = z.object({
  type: z.literal('embeddings'),
  /** Name of the embedding model (recorded in the model file; key into a `{ name: Embeddings }` context map). */
  model: z.string().min(1),
  batchSize: z.number().int().positive().default(64),
  /** Directory of the on-disk cache (no caching when absent). */
  cacheDir: z.string().optional(),
  normalize: z.boolean().default(true),
});
export type EmbeddingsFeaturizerConfig = z.output<typeof EmbeddingsFeaturizerConfigSchema>;

export class EmbeddingsFeaturizer implements TextFeaturizer {
  readonly type = 'embeddings';
  private dim = 0;
  private readonly cache: EmbeddingCache | undefined;
  /** Calls made to the embedding model (batches), for reports and tests. */
  calls = 0;

  constructor(
    readonly config: EmbeddingsFeaturizerConfig,
    private readonly embeddings: Embeddings,
    dimension = 0,
  ) {
    this.dim = dimension;
    this.cache = config.cacheDir ? new EmbeddingCache(config.cacheDir, config.model) : undefined;
  }

  get dimension(): number {
    if (this.dim === 0) throw new Error('embeddings featurizer is not fitted: call fit() first');
    return this.dim;
  }

  async fit(texts: readonly string[]): Promise<void> {
    if (texts.length === 0) throw new Error('embeddings featurizer: cannot fit on zero texts');
    const [v] = await this.embed([texts[0]!]);
    this.dim = v!.length;
  }

  async transform(texts: readonly string[]): Promise<CsrMatrix> {
    const vectors = await this.embed(texts);
    const d = this.dimension;
    const flat = new Float32Array(texts.length * d);
    vectors.forEach((v, i) => {
      if (v.length !== d) throw new Error(`embeddings featurizer: model "${this.config.model}" returned ${v.length} dimensions, expected ${d}`);
      let s = 0;
      for (let j = 0; j < d; j++) s += v[j]! * v[j]!;
      const scale = this.config.normalize && s > 0 ? 1 / Math.sqrt(s) : 1;
      for (let j = 0; j < d; j++) flat[i * d + j] = v[j]! * scale;
    });
    return csrFromDense(flat, texts.length, d);
  }

  /** Vectors of the texts, from the cache when present, else from the model in batches (duplicates sent once). */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const hashes = texts.map((t) => sha256(t));
    const out: (Float32Array | undefined)[] = new Array(texts.length);
    const missing = new Map<string, number[]>();
    for (let i = 0; i < texts.length; i++) {
      const hit = this.cache ? await this.cache.get(hashes[i]!) : undefined;
      if (hit) out[i] = hit;
      else {
        const list = missing.get(hashes[i]!);
        if (list) list.push(i);
        else missing.set(hashes[i]!, [i]);
      }
    }
    const todo = [...missing.entries()];
    for (let b = 0; b < todo.length; b += this.config.batchSize) {
      const batch = todo.slice(b, b + this.config.batchSize);
      this.calls++;
      const vectors = await this.embeddings.embedDocuments(batch.map(([, idx]) => texts[idx[0]!]!));
      if (vectors.length !== batch.length) {
        throw new Error(`embeddings featurizer: model "${this.config.model}" returned ${vectors.length} vectors for ${batch.length} texts`);
      }
      const fresh = batch.map(([hash, idx], j) => {
        const v = Float32Array.from(vectors[j]!);
        for (const i of idx) out[i] = v;
        return { hash, vector: v };
      });
      await this.cache?.putMany(fresh);
    }
    return out as Float32Array[];
  }

  toJSON(): FeaturizerState {
    const { cacheDir: _cacheDir, ...config } = this.config;
    return { type: 'embeddings', config, dimension: this.dimension };
  }
}

function resolveEmbeddings(ctx: FeaturizerContext, model: string): Embeddings {
  const e = ctx.embeddings;
  if (!e) throw new Error(`featurizer needs the embedding model "${model}": pass { embeddings } (a LangChain Embeddings instance)`);
  if (typeof (e as Embeddings).embedDocuments === 'function') return e as Embeddings;
  const named = (e as Record<string, Embeddings>)[model];
  if (!named) throw new Error(`featurizer needs the embedding model "${model}", which is not among the given embeddings (${Object.keys(e).join(', ')})`);
  return named;
}

export const embeddingsFeaturizer: FeaturizerDefinition = {
  type: 'embeddings',
  create(config, ctx) {
    const c = EmbeddingsFeaturizerConfigSchema.parse(config);
    return new EmbeddingsFeaturizer(c, resolveEmbeddings(ctx, c.model));
  },
  load(state, ctx) {
    const s = z
      .object({ config: EmbeddingsFeaturizerConfigSchema, dimension: z.number().int().positive() })
      .parse(state);
    return new EmbeddingsFeaturizer(s.config, resolveEmbeddings(ctx, s.config.model), s.dimension);
  },
};
