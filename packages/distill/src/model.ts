/**
 * A trained classifier: featurizer + linear model + label set. Predicts the top label, its probability and the
 * top-k labels; for multi-label models also every label whose probability reaches the threshold.
 */
import type { CsrMatrix } from '@taxonomist/core';
import { scoreRow, scoresToProbabilities, selectTopK, type LinearModel } from './classifiers/linear-model.js';
import type { TextFeaturizer } from './featurizers/types.js';

export interface LabelProbability {
  label: string;
  probability: number;
}

export interface Prediction {
  label: string;
  probability: number;
  /** The k most probable labels, most probable first (k = 1 gives just the top label). */
  topK: LabelProbability[];
  /** Multi-label models: every label with probability >= threshold (may be empty). */
  labels?: string[];
}

/** Result of `predictBatch`: indices into `labels`, k per text. */
export interface PredictBatchResult {
  labels: readonly string[];
  k: number;
  label: Int32Array;
  topK: Int32Array;
  topKProbability: Float32Array;
}

export interface PredictOptions {
  /** How many labels to list in `topK` (default 5, capped at the number of labels). */
  k?: number;
}

export interface ModelMeta {
  /** Classifier config as trained (type + hyper-parameters). */
  classifier: { type: string } & Record<string, unknown>;
  multiLabel: boolean;
  /** Probability threshold for multi-label predictions. */
  threshold: number;
  taxonomyId?: string;
  /** Label name -> id in the taxonomy (absent for labels without ids, e.g. a hand-labeled corpus). */
  labelIds?: Record<string, string>;
  /** Training facts: seed, example counts, diagnostics, metrics. */
  training: Record<string, unknown>;
}

export class DistilledClassifier {
  private readonly scratch: Float64Array;
  /** Top-k indices of the text being predicted (reused: no per-text array). */
  private readonly topBuf: Int32Array;

  constructor(
    readonly labels: readonly string[],
    readonly featurizer: TextFeaturizer,
    readonly linear: LinearModel,
    readonly meta: ModelMeta,
  ) {
    if (labels.length !== linear.classes) throw new Error(`model has ${linear.classes} classes but ${labels.length} labels`);
    this.scratch = new Float64Array(linear.classes);
    this.topBuf = new Int32Array(linear.classes);
  }

  get taxonomyId(): string | undefined {
    return this.meta.taxonomyId;
  }

  /** Whether `predictSync` is available (sparse featurizers). */
  get canPredictSync(): boolean {
    return typeof this.featurizer.featurizeRow === 'function';
  }

  async predict(texts: readonly string[], opts: PredictOptions = {}): Promise<Prediction[]> {
    if (this.canPredictSync) return this.predictSync(texts, opts);
    const X = await this.featurizer.transform(texts);
    return this.predictMatrix(X, opts);
  }

  /** Synchronous prediction (featurizers with a row fast path only). */
  predictSync(texts: readonly string[], opts: PredictOptions = {}): Prediction[] {
    const row = this.featurizer.featurizeRow;
    if (!row) throw new Error(`featurizer "${this.featurizer.type}" has no synchronous path: use predict()`);
    const k = this.kOf(opts);
    const out: Prediction[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const r = row.call(this.featurizer, texts[i]!);
      scoreRow(this.linear, r.indices, r.values, r.count, this.scratch);
      out[i] = this.toPrediction(this.scratch, k);
    }
    return out;
  }

  /** Predictions for already featurised rows. */
  predictMatrix(X: CsrMatrix, opts: PredictOptions = {}): Prediction[] {
    const k = this.kOf(opts);
    const out: Prediction[] = new Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      const a = X.indptr[i]!;
      scoreRow(this.linear, X.indices.subarray(a), X.data.subarray(a), X.indptr[i + 1]! - a, this.scratch);
      out[i] = this.toPrediction(this.scratch, k);
    }
    return out;
  }

  /** n x K probabilities (row-major) for featurised rows. */
  probabilities(X: CsrMatrix): Float64Array {
    const K = this.linear.classes;
    const out = new Float64Array(X.rows * K);
    for (let i = 0; i < X.rows; i++) {
      const a = X.indptr[i]!;
      scoreRow(this.linear, X.indices.subarray(a), X.data.subarray(a), X.indptr[i + 1]! - a, this.scratch);
      scoresToProbabilities(this.linear, this.scratch);
      out.set(this.scratch, i * K);
    }
    return out;
  }

  /** Just the top label of each text (the cheapest call; used by the throughput benchmark alongside predict). */
  predictLabelsSync(texts: readonly string[]): string[] {
    const row = this.featurizer.featurizeRow;
    if (!row) throw new Error(`featurizer "${this.featurizer.type}" has no synchronous path: use predict()`);
    const K = this.linear.classes;
    const out: string[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const r = row.call(this.featurizer, texts[i]!);
      const s = scoreRow(this.linear, r.indices, r.values, r.count, this.scratch);
      let best = 0;
      for (let c = 1; c < K; c++) if (s[c]! > s[best]!) best = c;
      out[i] = this.labels[best]!;
    }
    return out;
  }

  /**
   * High-throughput prediction into typed arrays (no per-text objects): for text i, `label[i]` is the index in
   * `labels` of the top label, `topK[i * k + j]` / `topKProbability[i * k + j]` the j-th most probable label and its
   * probability (softmax models; sigmoid models give per-label sigmoid probabilities).
   */
  predictBatch(texts: readonly string[], opts: PredictOptions = {}): PredictBatchResult {
    const row = this.featurizer.featurizeRow;
    if (!row) throw new Error(`featurizer "${this.featurizer.type}" has no synchronous path: use predict()`);
    const k = this.kOf(opts);
    const K = this.linear.classes;
    const n = texts.length;
    const label = new Int32Array(n);
    const topK = new Int32Array(n * k);
    const topKProbability = new Float32Array(n * k);
    const softmax = this.linear.link === 'softmax';
    const a = this.linear.scale;
    const s = this.scratch;
    const top = this.topBuf;
    for (let i = 0; i < n; i++) {
      const r = row.call(this.featurizer, texts[i]!);
      scoreRow(this.linear, r.indices, r.values, r.count, s);
      const m = selectTopK(s, K, k, top);
      label[i] = top[0]!;
      const o = i * k;
      if (softmax) {
        const max = s[top[0]!]!;
        const sum = softmaxSum(s, K, a, max);
        for (let j = 0; j < m; j++) {
          topK[o + j] = top[j]!;
          topKProbability[o + j] = Math.exp(a * (s[top[j]!]! - max)) / sum;
        }
      } else {
        for (let j = 0; j < m; j++) {
          topK[o + j] = top[j]!;
          topKProbability[o + j] = 1 / (1 + Math.exp(-a * s[top[j]!]!));
        }
      }
    }
    return { labels: this.labels, k, label, topK, topKProbability };
  }

  private kOf(opts: PredictOptions): number {
    const k = opts.k ?? 5;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`predict: k must be a positive integer, got ${k}`);
    return Math.min(k, this.labels.length);
  }

  private toPrediction(scores: Float64Array, k: number): Prediction {
    const K = this.linear.classes;
    if (this.meta.multiLabel || this.linear.link === 'sigmoid') {
      scoresToProbabilities(this.linear, scores);
      const m = selectTopK(scores, K, k, this.topBuf);
      const topK: LabelProbability[] = new Array(m);
      for (let j = 0; j < m; j++) topK[j] = { label: this.labels[this.topBuf[j]!]!, probability: scores[this.topBuf[j]!]! };
      const p: Prediction = { label: topK[0]!.label, probability: topK[0]!.probability, topK };
      if (this.meta.multiLabel) {
        const labels: string[] = [];
        for (let c = 0; c < K; c++) if (scores[c]! >= this.meta.threshold) labels.push(this.labels[c]!);
        p.labels = labels;
      }
      return p;
    }
    // Softmax: rank on raw scores (the order is the same), then only the top-k need their probability computed; the
    // normaliser still sums every class.
    const top = this.topBuf;
    const m = selectTopK(scores, K, k, top);
    const a = this.linear.scale;
    const max = scores[top[0]!]!;
    const sum = softmaxSum(scores, K, a, max);
    const topK: LabelProbability[] = new Array(m);
    for (let j = 0; j < m; j++) {
      const c = top[j]!;
      topK[j] = { label: this.labels[c]!, probability: Math.exp(a * (scores[c]! - max)) / sum };
    }
    return { label: topK[0]!.label, probability: topK[0]!.probability, topK };
  }
}

/** Softmax normaliser sum_c exp(a (s_c - max)). */
function softmaxSum(s: Float64Array, K: number, a: number, max: number): number {
  let sum = 0;
  for (let c = 0; c < K; c++) sum += Math.exp(a * (s[c]! - max));
  return sum;
}
