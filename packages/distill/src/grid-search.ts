/** Grid search of classifier hyper-parameters by stratified k-fold cross-validation on a feature matrix. */
import type { CsrMatrix } from '@taxonomist/core';
import type { ClassifierDefinition } from './classifiers/types.js';
import { reportFromProbabilities } from './evaluate.js';
import { outOfFoldProbabilities, type PreparedData } from './pipeline.js';

export interface GridPointResult {
  params: Record<string, number | string | boolean>;
  /** Mean over folds of the grid metric. */
  mean: number;
  std: number;
  accuracy: number;
  macroF1: number;
}

export interface GridSearchResult {
  metric: 'macroF1' | 'accuracy';
  folds: number;
  results: GridPointResult[];
  /** Best classifier config (base config with the winning parameters). */
  best: { type: string } & Record<string, unknown>;
}

/** Every combination of the grid's values, in a fixed order (keys sorted). */
export function gridPoints(grid: Record<string, ReadonlyArray<number | string | boolean>>): Record<string, number | string | boolean>[] {
  const keys = Object.keys(grid).sort();
  let points: Record<string, number | string | boolean>[] = [{}];
  for (const k of keys) points = points.flatMap((p) => grid[k]!.map((v) => ({ ...p, [k]: v })));
  return points;
}

export async function gridSearchOnMatrix(
  def: ClassifierDefinition<any>,
  base: { type: string } & Record<string, unknown>,
  grid: Record<string, ReadonlyArray<number | string | boolean>>,
  X: CsrMatrix,
  data: PreparedData,
  opts: { folds: number; seed: number; metric: 'macroF1' | 'accuracy'; threads?: number; onProgress?(e: { stage: string; message: string }): void },
): Promise<GridSearchResult> {
  const results: GridPointResult[] = [];
  for (const params of gridPoints(grid)) {
    const config = def.schema.parse({ ...base, ...params });
    // Per-fold metric from the out-of-fold probabilities of each fold's rows.
    const { probabilities, foldOf } = await outOfFoldProbabilities(def, config, X, data, opts.folds, opts.seed, opts.threads);
    const K = data.labels.length;
    const perFold: number[] = [];
    for (let f = 0; f < opts.folds; f++) {
      const rows: number[] = [];
      foldOf.forEach((g, i) => g === f && rows.push(i));
      const P = new Float64Array(rows.length * K);
      rows.forEach((r, i) => P.set(probabilities.subarray(r * K, r * K + K), i * K));
      const rep = reportFromProbabilities(P, data.labels, rows.map((r) => data.labels[data.y[r]!]!), { k: [1] });
      perFold.push(opts.metric === 'accuracy' ? rep.accuracy : rep.macroF1);
    }
    const all = reportFromProbabilities(probabilities, data.labels, Array.from(data.y, (k) => data.labels[k]!), { k: [1] });
    const mean = perFold.reduce((a, b) => a + b, 0) / perFold.length;
    const std = Math.sqrt(perFold.reduce((a, b) => a + (b - mean) ** 2, 0) / perFold.length);
    results.push({ params, mean, std, accuracy: all.accuracy, macroF1: all.macroF1 });
    opts.onProgress?.({ stage: 'grid', message: `${JSON.stringify(params)}: ${opts.metric} ${mean.toFixed(4)} ± ${std.toFixed(4)}` });
  }
  // Highest mean wins; ties go to the earlier grid point (deterministic).
  let best = results[0]!;
  for (const r of results) if (r.mean > best.mean) best = r;
  return { metric: opts.metric, folds: opts.folds, results, best: { ...base, ...best.params } };
}
