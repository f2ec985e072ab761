/**
 * Multinomial naive Bayes on non-negative features (counts or TF-IDF, as scikit-learn's MultinomialNB):
 *   log P(k | x) = log prior_k + sum_f x_f log theta_kf + const,  theta_kf = (N_kf + alpha) / (N_k + alpha * F)
 * which is a linear model: weights log theta, bias log prior, softmax link.
 */
import type { CsrMatrix } from '@taxonomist/core';

export interface NaiveBayesOptions {
  /** Additive (Lidstone) smoothing. */
  alpha: number;
  /** Learn class priors from the data (false: uniform priors). */
  fitPrior: boolean;
  /** Per-class example weights (class weights); 1 when absent. */
  classWeights?: Float64Array;
}

export function trainNaiveBayes(X: CsrMatrix, y: Int32Array, K: number, opts: NaiveBayesOptions): { weights: Float64Array; bias: Float64Array } {
  if (!(opts.alpha > 0)) throw new Error(`naive Bayes: alpha must be > 0, got ${opts.alpha}`);
  const F = X.cols;
  const counts = new Float64Array(F * K);
  const classTotal = new Float64Array(K);
  const classCount = new Float64Array(K);
  for (let i = 0; i < X.rows; i++) {
    const k = y[i]!;
    const s = opts.classWeights ? opts.classWeights[k]! : 1;
    classCount[k] += s;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) {
      const v = X.data[p]!;
      if (v < 0) throw new Error(`naive Bayes needs non-negative features, row ${i} has ${v} (use a sparse TF-IDF featurizer, not embeddings)`);
      counts[X.indices[p]! * K + k] += s * v;
      classTotal[k] += s * v;
    }
  }
  const weights = new Float64Array(F * K);
  for (let k = 0; k < K; k++) {
    const logDen = Math.log(classTotal[k]! + opts.alpha * F);
    for (let f = 0; f < F; f++) weights[f * K + k] = Math.log(counts[f * K + k]! + opts.alpha) - logDen;
  }
  const bias = new Float64Array(K);
  const total = classCount.reduce((a, b) => a + b, 0);
  for (let k = 0; k < K; k++) bias[k] = opts.fitPrior ? Math.log(Math.max(classCount[k]!, 1e-12) / total) : -Math.log(K);
  return { weights, bias };
}
