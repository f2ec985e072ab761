/**
 * The built-in offline text vectorizer (latent semantic analysis): sparse TF-IDF from ./sparse reduced by a seeded
 * randomized truncated SVD to a few dense dimensions, each row L2-normalised (the usual LSA-for-clustering recipe).
 * Needs no model and no network; serialisable so texts can be vectorised the same way later.
 */
import { z } from 'zod';
import { SparseTextFeaturizer } from './sparse/featurizer.js';
import { SparseTextFeaturizerStateSchema, type SparseTextConfigInput } from './sparse/config.js';
import {
  base64ToFloat32,
  base64ToFloat64,
  base64ToInt32,
  float32ToBase64,
  float64ToBase64,
  int32ToBase64,
} from './sparse/typed-base64.js';
import { projectCsr, randomizedSvd, type TruncatedSvd } from './svd.js';
import type { DenseMatrix } from './dense.js';
import { csrSelectRows, type CsrMatrix } from './sparse/csr.js';
import { createRng, sampleWithoutReplacement } from '../util/random.js';

/**
 * Featurizer settings for clustering: character 2-4-grams inside words (robust to inflection and typos: "arrive",
 * "arrived" and "arrival" share most of their n-grams), seen in 2+ texts and at most half of them, sublinear TF-IDF,
 * at most 20 000 features (the model stores 100 float32 weights per feature). Chosen on the banking77 *train* split,
 * where it beat word unigrams (NMI 0.61 vs 0.51) and word uni+bigrams (0.44) at k = 77; see the README.
 */
export const DEFAULT_LSA_FEATURIZER: SparseTextConfigInput = {
  blocks: [{ analyzer: 'char_wb', ngramRange: [2, 4] }],
  minDf: 2,
  maxDf: 0.5,
  maxFeatures: 20_000,
  sublinearTf: true,
};

/**
 * Cheaper featurizer settings for large corpora (the clustering engine's default above ENGINE_COMPACT_ABOVE texts):
 * character 3-4-grams only, about a third fewer non-zeros per text than 2-4-grams, and the SVD's cost is linear in
 * them. On banking77 (5 000 texts, 3 seeds) NMI 0.631 against 0.634 for 2-4-grams; see packages/core/README.md.
 */
export const COMPACT_LSA_FEATURIZER: SparseTextConfigInput = {
  blocks: [{ analyzer: 'char_wb', ngramRange: [3, 4] }],
  minDf: 2,
  maxDf: 0.5,
  maxFeatures: 20_000,
  sublinearTf: true,
};

export interface LsaOptions {
  /** Dense dimensions (default 100). */
  dimensions?: number;
  featurizer?: SparseTextConfigInput;
  /**
   * Power iterations of the randomized SVD (default 1: on banking77 a second one costs a third more SVD time for no
   * gain in clustering NMI, see packages/core/README.md).
   */
  powerIterations?: number;
  /**
   * Fit the SVD on a seeded sample of at most this many texts (the TF-IDF vocabulary and weights are still fitted on
   * all of them, and all are projected). The SVD's cost grows with the rows it sees, while a few thousand texts
   * already fix the main directions of a corpus. Default: all texts.
   */
  svdSample?: number;
  seed: number;
}

/** Power iterations of the LSA's randomized SVD unless told otherwise. */
export const LSA_POWER_ITERATIONS = 1;

export const LSA_STATE_VERSION = 1 as const;

export const LsaStateSchema = z.object({
  kind: z.literal('lsa'),
  version: z.literal(LSA_STATE_VERSION),
  featurizer: SparseTextFeaturizerStateSchema,
  svd: z.object({
    k: z.number().int().nonnegative(),
    inputCols: z.number().int().nonnegative(),
    /** int32 little-endian base64 */
    columns: z.string(),
    /** float32 little-endian base64, columns.length x k */
    weights: z.string(),
    /** float64 little-endian base64 */
    singularValues: z.string(),
  }),
});
export type LsaState = z.infer<typeof LsaStateSchema>;

export class LsaVectorizer {
  private constructor(
    readonly featurizer: SparseTextFeaturizer,
    readonly svd: TruncatedSvd,
  ) {}

  /** Output dimensions. */
  get dimensions(): number {
    return this.svd.k;
  }

  /** Fits TF-IDF and the SVD on `texts`; returns the vectorizer and the texts' vectors. */
  static fit(texts: readonly string[], opts: LsaOptions): { vectorizer: LsaVectorizer; vectors: DenseMatrix<Float64Array> } {
    if (texts.length === 0) throw new Error('LSA vectorizer: cannot fit on zero texts');
    const featurizer = new SparseTextFeaturizer(opts.featurizer ?? DEFAULT_LSA_FEATURIZER);
    const x = featurizer.fitTransform(texts);
    if (featurizer.dimension === 0) {
      throw new Error(
        `LSA vectorizer: no term survives the vocabulary limits on ${texts.length} texts (minDf/maxDf too strict for so few texts?)`,
      );
    }
    const svd = randomizedSvd(svdRows(x, opts), {
      components: opts.dimensions ?? 100,
      seed: opts.seed,
      powerIterations: opts.powerIterations ?? LSA_POWER_ITERATIONS,
    });
    const vectorizer = new LsaVectorizer(featurizer, svd);
    // Project through the float32-rounded components, exactly as `transform` will for a reloaded model.
    return { vectorizer, vectors: { rows: texts.length, cols: svd.k, data: projectCsr(x, svd, { normalize: true }) } };
  }

  transform(texts: readonly string[]): DenseMatrix<Float64Array> {
    const x = this.featurizer.transform(texts);
    return { rows: texts.length, cols: this.svd.k, data: projectCsr(x, this.svd, { normalize: true }) };
  }

  toJSON(): LsaState {
    return {
      kind: 'lsa',
      version: LSA_STATE_VERSION,
      featurizer: this.featurizer.toJSON(),
      svd: {
        k: this.svd.k,
        inputCols: this.svd.inputCols,
        columns: int32ToBase64(this.svd.columns),
        weights: float32ToBase64(this.svd.weights),
        singularValues: float64ToBase64(this.svd.singularValues),
      },
    };
  }

  static fromJSON(state: unknown): LsaVectorizer {
    const s = LsaStateSchema.parse(state);
    const featurizer = SparseTextFeaturizer.fromJSON(s.featurizer);
    const columns = base64ToInt32(s.svd.columns, 'lsa.svd.columns');
    const weights = base64ToFloat32(s.svd.weights, 'lsa.svd.weights');
    const singularValues = base64ToFloat64(s.svd.singularValues, 'lsa.svd.singularValues');
    if (weights.length !== columns.length * s.svd.k) {
      throw new Error(`LSA state: svd.weights has ${weights.length} values, expected columns x k = ${columns.length * s.svd.k}`);
    }
    if (s.svd.inputCols !== featurizer.dimension) {
      throw new Error(`LSA state: svd.inputCols ${s.svd.inputCols} differs from the featurizer's ${featurizer.dimension} columns`);
    }
    for (const c of columns) {
      if (c < 0 || c >= s.svd.inputCols) throw new Error(`LSA state: svd.columns holds ${c}, outside [0, ${s.svd.inputCols})`);
    }
    return new LsaVectorizer(featurizer, { k: s.svd.k, inputCols: s.svd.inputCols, columns, weights, singularValues });
  }
}

/** The rows the SVD is fitted on: all, or a seeded sample of `svdSample` of them in corpus order. */
function svdRows(x: CsrMatrix, opts: LsaOptions): CsrMatrix {
  const max = opts.svdSample;
  if (max === undefined) return x;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`LSA vectorizer: svdSample must be a positive integer, got ${max}`);
  if (max >= x.rows) return x;
  const rows = sampleWithoutReplacement(
    Array.from({ length: x.rows }, (_, i) => i),
    max,
    createRng(opts.seed).fork(1),
  ).sort((a, b) => a - b);
  return csrSelectRows(x, rows);
}
