import { z } from 'zod';

/**
 * How much each class's errors cost. 'balanced' weighs class k by n / (K * n_k), as scikit-learn, so rare classes
 * are not drowned by frequent ones; a record gives explicit weights by label name (missing labels weigh 1).
 */
export const ClassWeightSchema = z.union([z.enum(['none', 'balanced']), z.record(z.string(), z.number().positive())]);
export type ClassWeight = z.infer<typeof ClassWeightSchema>;

export function classWeightVector(spec: ClassWeight, labels: readonly string[], y: Int32Array): Float64Array {
  const K = labels.length;
  const w = new Float64Array(K).fill(1);
  if (spec === 'none') return w;
  if (spec === 'balanced') {
    const counts = new Float64Array(K);
    for (let i = 0; i < y.length; i++) counts[y[i]!]++;
    for (let k = 0; k < K; k++) w[k] = counts[k]! > 0 ? y.length / (K * counts[k]!) : 1;
    return w;
  }
  const known = new Set(labels);
  for (const name of Object.keys(spec)) {
    if (!known.has(name)) throw new Error(`classWeight names label "${name}", which is not in the training labels`);
  }
  labels.forEach((l, k) => {
    w[k] = spec[l] ?? 1;
  });
  return w;
}
