/**
 * Shared steps of train / crossValidate / auditLabels: examples -> label indices, classifier lookup, fitting on a
 * feature matrix, out-of-fold probabilities.
 */
import { createRng, csrSelectRows, type CsrMatrix } from '@taxonomist/core';
import { linearProbabilities } from './classifiers/linear-model.js';
import type { ClassifierDefinition, ClassifierFit, Target, ValidationSplit } from './classifiers/types.js';
import { validateExamples, type LabeledExample } from './data/examples.js';
import { foldRows, stratifiedFolds } from './data/splits.js';
import type { DistillRegistry } from './registry.js';
import type { TrainConfig } from './train-options.js';

export interface PreparedData {
  labels: string[];
  texts: string[];
  /** Primary label index per example (stratification, single-label target). */
  y: Int32Array;
  target: Target;
}

export function prepareExamples(examples: readonly LabeledExample[], cfg: TrainConfig): PreparedData {
  validateExamples(examples);
  if (examples.length === 0) throw new Error('no training examples');
  const all = (e: LabeledExample): string[] => (cfg.multiLabel && e.labels?.length ? e.labels : [e.label]);
  const labels = cfg.labels ? [...cfg.labels] : [...new Set(examples.flatMap(all))].sort();
  if (new Set(labels).size !== labels.length) throw new Error('options.labels lists a label twice');
  if (labels.length < 2) throw new Error(`need at least 2 labels to train a classifier, got ${labels.length} (${labels.join(', ')})`);
  const index = new Map(labels.map((l, i) => [l, i]));
  const K = labels.length;
  const y = new Int32Array(examples.length);
  const Y = cfg.multiLabel ? new Uint8Array(examples.length * K) : undefined;
  examples.forEach((e, i) => {
    for (const l of all(e)) {
      const k = index.get(l);
      if (k === undefined) {
        throw new Error(`examples[${i}]${e.id !== undefined ? ` (id ${JSON.stringify(e.id)})` : ''}: label "${l}" is not in options.labels`);
      }
      if (Y) Y[i * K + k] = 1;
    }
    const primary = index.get(e.label);
    if (primary === undefined) throw new Error(`examples[${i}]: label "${e.label}" is not in options.labels`);
    y[i] = primary;
  });
  return { labels, texts: examples.map((e) => e.text), y, target: Y ? { kind: 'multi', Y } : { kind: 'single', y } };
}

export function resolveClassifier(
  registry: DistillRegistry,
  config: { type: string } & Record<string, unknown>,
  multiLabel: boolean,
): { def: ClassifierDefinition<any>; config: { type: string } & Record<string, unknown> } {
  const def = registry.classifier(config.type);
  const parsed = def.schema.safeParse(config);
  if (!parsed.success) {
    throw new Error(`classifier "${config.type}": ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const need = multiLabel ? 'multi' : 'single';
  if (!def.supports.includes(need)) throw new Error(`classifier "${config.type}" does not support ${multiLabel ? 'multi-label' : 'single-label'} data`);
  return { def, config: parsed.data };
}

export function sliceTarget(target: Target, rows: Int32Array, K: number): Target {
  if (target.kind === 'single') return { kind: 'single', y: Int32Array.from(rows, (r) => target.y[r]!) };
  const Y = new Uint8Array(rows.length * K);
  rows.forEach((r, i) => Y.set(target.Y.subarray(r * K, r * K + K), i * K));
  return { kind: 'multi', Y };
}

export async function fitOnMatrix(
  def: ClassifierDefinition<any>,
  config: { type: string },
  X: CsrMatrix,
  target: Target,
  labels: readonly string[],
  seed: number,
  validation?: ValidationSplit,
  threads?: number,
): Promise<ClassifierFit> {
  return def.train({ X, target, labels, seed, ...(validation ? { validation } : {}), ...(threads ? { threads } : {}) }, config);
}

/** Out-of-fold probabilities (n x K): each example scored by a model trained without its fold. */
export async function outOfFoldProbabilities(
  def: ClassifierDefinition<any>,
  config: { type: string },
  X: CsrMatrix,
  data: PreparedData,
  folds: number,
  seed: number,
  threads?: number,
): Promise<{ probabilities: Float64Array; foldOf: Int32Array }> {
  const K = data.labels.length;
  const foldOf = stratifiedFolds(data.y, K, folds, createRng(seed).fork('folds'));
  const probabilities = new Float64Array(X.rows * K);
  for (let f = 0; f < folds; f++) {
    const { train, test } = foldRows(foldOf, f);
    const fit = await fitOnMatrix(def, config, csrSelectRows(X, train), sliceTarget(data.target, train, K), data.labels, seed + 1 + f, undefined, threads);
    const p = linearProbabilities(fit.model, csrSelectRows(X, test));
    test.forEach((r, i) => probabilities.set(p.subarray(i * K, i * K + K), r * K));
  }
  return { probabilities, foldOf };
}
