/**
 * The quality estimate of one round, from what the loop can know without gold labels:
 * - agreement of the classifier with the LLM on the held-out LLM labels (a uniform random sample of the pool the
 *   classifier never trained on), with a Wilson confidence interval: an unbiased estimate for the pool as a whole;
 * - per-label recall on that held-out set;
 * - expected agreement on the records nobody labeled: the mean calibrated top probability the classifier gives them.
 *   This is the model's own estimate (exact only if its probabilities are calibrated on those records, which they
 *   are not quite: it is optimistic when the pool drifts from the labeled records); use the held-out figure to decide.
 */
import { wilsonInterval, type ConfidenceInterval } from '@taxonomist/core';

export interface HoldoutAgreement {
  /** Held-out records with a usable LLM label. */
  n: number;
  agree: number;
  /** agree / n (null when n = 0). */
  agreement: number | null;
  interval: ConfidenceInterval | null;
}

export interface LabelRecall {
  label: string;
  /** Held-out records the LLM gave this label. */
  n: number;
  recall: number;
}

export interface QualityEstimate {
  holdout: HoldoutAgreement;
  perLabelRecall: LabelRecall[];
  /** Mean top calibrated probability over the unlabeled pool (null when nothing is left or no model). */
  expectedAgreementUnlabeled: number | null;
  unlabeled: number;
}

export function holdoutAgreement(predicted: readonly string[], llm: readonly string[], level: number): { holdout: HoldoutAgreement; perLabelRecall: LabelRecall[] } {
  let agree = 0;
  const per = new Map<string, { n: number; hit: number }>();
  llm.forEach((l, i) => {
    const hit = predicted[i] === l;
    if (hit) agree++;
    const e = per.get(l) ?? { n: 0, hit: 0 };
    e.n++;
    if (hit) e.hit++;
    per.set(l, e);
  });
  const n = llm.length;
  return {
    holdout: { n, agree, agreement: n > 0 ? agree / n : null, interval: wilsonInterval(agree, n, level) },
    perLabelRecall: [...per.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([label, e]) => ({ label, n: e.n, recall: e.hit / e.n })),
  };
}

/** Mean of each row's largest probability (n x K row-major). */
export function meanTopProbability(P: Float64Array, K: number): number | null {
  const n = K > 0 ? P.length / K : 0;
  if (n === 0) return null;
  let s = 0;
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let k = 0; k < K; k++) m = Math.max(m, P[i * K + k]!);
    s += m;
  }
  return s / n;
}
