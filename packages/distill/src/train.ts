/**
 * train(): examples -> fitted featurizer + classifier, with optional grid search (k-fold CV) and early stopping on a
 * stratified validation split. Deterministic: the same examples, options and seed give a byte-identical model file.
 */
import { availableParallelism } from 'node:os';
import { createRng, type CsrMatrix } from '@taxonomist/core';
import type { ClassifierDefinition, ValidationSplit } from './classifiers/types.js';
import type { LabeledExample } from './data/examples.js';
import { stratifiedHoldout } from './data/splits.js';
import { gridSearchOnMatrix, type GridSearchResult } from './grid-search.js';
import { DistilledClassifier } from './model.js';
import type { TextFeaturizer } from './featurizers/types.js';
import { fitOnMatrix, prepareExamples, resolveClassifier, sliceTarget, type PreparedData } from './pipeline.js';
import { defaultRegistry, type DistillRegistry } from './registry.js';
import { TrainOptionsSchema, type TrainConfig, type TrainOptions } from './train-options.js';

export interface TrainReport {
  examples: number;
  trainExamples: number;
  validationExamples: number;
  labels: number;
  classCounts: Record<string, number>;
  features: number;
  /** Classifier config actually used (after grid search). */
  classifier: { type: string } & Record<string, unknown>;
  /** Classifier diagnostics (epochs/iterations, calibration scale, early stopping). */
  info: Record<string, unknown>;
  grid?: GridSearchResult;
  timingsMs: { featurize: number; grid?: number; fit: number; total: number };
}

export interface TrainResult {
  model: DistilledClassifier;
  report: TrainReport;
}

export async function train(examples: readonly LabeledExample[], options: TrainOptions = {}): Promise<TrainResult> {
  const t0 = performance.now();
  const cfg = TrainOptionsSchema.parse(stripRuntime(options));
  const registry = options.registry ?? defaultRegistry;
  const progress = options.onProgress ?? (() => undefined);
  const threads = resolveThreads(options.threads);
  const data = prepareExamples(examples, cfg);
  const { def, config } = resolveClassifier(registry, cfg.classifier, cfg.multiLabel);
  const featurizer = registry.createFeaturizer(cfg.featurizer, options.embeddings);
  // Let the classifier start what its fit will need (the SVM's worker threads) while the texts are featurized.
  const release = threads > 1 ? def.prepare?.({ threads, earlyStopping: cfg.validation !== undefined, rows: data.texts.length, classes: data.labels.length }, config) : undefined;
  try {
    return await trainPrepared(examples, cfg, registry, progress, threads, data, def, config, featurizer, t0);
  } finally {
    release?.();
  }
}

async function trainPrepared(
  examples: readonly LabeledExample[],
  cfg: TrainConfig,
  registry: DistillRegistry,
  progress: NonNullable<TrainOptions['onProgress']>,
  threads: number,
  data: PreparedData,
  def: ClassifierDefinition<any>,
  config: { type: string } & Record<string, unknown>,
  featurizer: TextFeaturizer,
  t0: number,
): Promise<TrainResult> {
  const K = data.labels.length;

  let grid: GridSearchResult | undefined;
  let gridMs: number | undefined;
  let featurizeMs = 0;
  if (cfg.grid) {
    // The featurizer is unsupervised, so fitting it on every text leaks no label into the folds.
    const tf = performance.now();
    await featurizer.fit(data.texts);
    const Xall = await featurizer.transform(data.texts);
    featurizeMs += performance.now() - tf;
    const tg = performance.now();
    progress({ stage: 'grid', message: `grid search over ${Object.keys(cfg.grid).join(', ')} with ${cfg.folds}-fold CV` });
    grid = await gridSearchOnMatrix(def, config, cfg.grid, Xall, data, { folds: cfg.folds, seed: cfg.seed, metric: cfg.gridMetric, threads, onProgress: progress });
    config = resolveClassifier(registry, grid.best, cfg.multiLabel).config;
    gridMs = performance.now() - tg;
  }

  let trainRows: Int32Array | undefined;
  let validation: ValidationSplit | undefined;
  let X: CsrMatrix;
  const tf = performance.now();
  if (cfg.validation) {
    const split = stratifiedHoldout(data.y, K, cfg.validation.fraction, createRng(cfg.seed).fork('validation'));
    if (split.validation.length === 0) throw new Error('validation split is empty: too few examples per label');
    trainRows = split.train;
    const trainTexts = Array.from(trainRows, (r) => data.texts[r]!);
    await featurizer.fit(trainTexts);
    X = await featurizer.transform(trainTexts);
    const Xv = await featurizer.transform(Array.from(split.validation, (r) => data.texts[r]!));
    validation = { X: Xv, target: sliceTarget(data.target, split.validation, K), patience: cfg.validation.patience };
  } else if (cfg.grid) {
    X = await featurizer.transform(data.texts);
  } else if (featurizer.fitTransform) {
    X = await featurizer.fitTransform(data.texts);
  } else {
    await featurizer.fit(data.texts);
    X = await featurizer.transform(data.texts);
  }
  featurizeMs += performance.now() - tf;
  progress({ stage: 'fit', message: `training ${config.type} on ${X.rows} examples x ${X.cols} features, ${K} labels` });
  const tfit = performance.now();
  const target = trainRows ? sliceTarget(data.target, trainRows, K) : data.target;
  const fit = await fitOnMatrix(def, config, X, target, data.labels, cfg.seed, validation, threads);
  const fitMs = performance.now() - tfit;

  const classCounts: Record<string, number> = {};
  data.labels.forEach((l) => (classCounts[l] = 0));
  data.y.forEach((k) => classCounts[data.labels[k]!]!++);
  const report: TrainReport = {
    examples: examples.length,
    trainExamples: X.rows,
    validationExamples: validation?.X.rows ?? 0,
    labels: K,
    classCounts,
    features: X.cols,
    classifier: config,
    info: fit.info,
    ...(grid ? { grid } : {}),
    timingsMs: { featurize: featurizeMs, ...(gridMs !== undefined ? { grid: gridMs } : {}), fit: fitMs, total: performance.now() - t0 },
  };
  const model = new DistilledClassifier(data.labels, featurizer, fit.model, {
    classifier: config,
    multiLabel: cfg.multiLabel,
    threshold: cfg.threshold,
    ...(cfg.taxonomyId !== undefined ? { taxonomyId: cfg.taxonomyId } : {}),
    ...(cfg.labelIds !== undefined ? { labelIds: labelIdsFor(data.labels, cfg.labelIds) } : {}),
    // Only deterministic facts go into the model file (no timings), so equal inputs give equal bytes.
    training: {
      seed: cfg.seed,
      examples: report.examples,
      trainExamples: report.trainExamples,
      validationExamples: report.validationExamples,
      classCounts,
      info: fit.info,
      ...(grid ? { grid: { best: grid.best, metric: grid.metric, results: grid.results.map(({ params, mean, std }) => ({ params, mean, std })) } } : {}),
    },
  });
  return { model, report };
}

/** The zod-parsable part of the options (runtime objects removed). */
export function stripRuntime(options: TrainOptions): Record<string, unknown> {
  const { embeddings: _e, registry: _r, onProgress: _p, threads: _t, ...rest } = options;
  return rest;
}

/**
 * Worker threads for training: a number, or 'auto' (default): up to 2 cores when running built JavaScript, 1 when
 * running from TypeScript sources, where each worker would first spend seconds compiling and loading the sources
 * (more than the parallel training saves on a 10k-example problem).
 */
export function resolveThreads(threads: number | 'auto' | undefined): number {
  if (typeof threads === 'number') {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer or 'auto', got ${threads}`);
    return threads;
  }
  if (!import.meta.url.endsWith('.js')) return 1;
  return Math.max(1, Math.min(2, availableParallelism()));
}


/** The ids of the model's labels, in label order (a stable key order: equal inputs give equal model bytes). */
function labelIdsFor(labels: readonly string[], ids: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const label of labels) if (Object.hasOwn(ids, label)) out[label] = ids[label]!;
  return out;
}
