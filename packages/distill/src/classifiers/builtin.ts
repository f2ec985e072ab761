/**
 * The built-in classifier kinds: linear SVM (OvR, calibrated), multinomial logistic regression, one-vs-rest logistic
 * regression (multi-label) and multinomial naive Bayes.
 */
import { createRng, csrSelectRows, type CsrMatrix } from '@taxonomist/core';
import { z } from 'zod';
import { fitScale, meanLogLoss } from './calibration.js';
import { ClassWeightSchema, classWeightVector } from './class-weights.js';
import { EarlyStopper } from './early-stopping.js';
import type { LinearModel } from './linear-model.js';
import { svmWorkersPay, trainOvrSvm, type OvrSvmOptions, type OvrSvmResult } from './linear-svm.js';
import { prestartSvmWorkers } from './svm-workers.js';
import { trainLogistic } from './logistic.js';
import { trainNaiveBayes } from './naive-bayes.js';
import type { ClassifierDefinition, ClassifierFit, ClassifierTrainContext, Target } from './types.js';

export const LinearSvmConfigSchema = z.object({
  type: z.literal('linear-svm'),
  /** Inverse regularisation strength (liblinear/scikit-learn C). */
  C: z.number().positive().default(0.5),
  loss: z.enum(['squared_hinge', 'hinge']).default('squared_hinge'),
  /**
   * Dual coordinate descent stopping tolerance on the projected-gradient spread (liblinear's eps, default 0.1 there).
   * 0.3 halves the passes on banking77 at no loss of test accuracy (bench/banking77.ts --configs).
   */
  tol: z.number().positive().default(0.3),
  maxEpochs: z.number().int().positive().default(1000),
  /** Value of the constant feature that carries the intercept (0: no intercept). */
  bias: z.number().min(0).default(1),
  classWeight: ClassWeightSchema.default('none'),
  /**
   * How decision values become probabilities: a softmax/sigmoid temperature fitted on
   * 'loo': approximate leave-one-out decision values (free: each example's own dual term removed from w),
   * 'cv': out-of-fold decision values from `calibrationFolds` extra trainings, 'none': raw scores (scale 1).
   */
  calibration: z.enum(['loo', 'cv', 'none']).default('cv'),
  calibrationFolds: z.number().int().min(2).default(20),
  /** Calibrate on at most this many examples (seeded sample) to bound the cost. */
  calibrationSample: z.number().int().positive().default(500),
  /** Shrinking cap of the dual solver (see BinarySvmOptions.shrinkCap): smaller = fewer full passes. */
  shrinkCap: z.number().min(0).default(0.03),
});
export type LinearSvmConfig = z.output<typeof LinearSvmConfigSchema>;

export const LogisticConfigSchema = z.object({
  type: z.literal('logistic'),
  C: z.number().positive().default(10),
  maxIterations: z.number().int().positive().default(300),
  /** Relative gradient-norm tolerance. */
  tol: z.number().positive().default(1e-4),
  /** L-BFGS history size. */
  memory: z.number().int().min(1).default(6),
  classWeight: ClassWeightSchema.default('none'),
});
export type LogisticConfig = z.output<typeof LogisticConfigSchema>;

export const OvrLogisticConfigSchema = LogisticConfigSchema.extend({
  type: z.literal('ovr-logistic'),
  C: z.number().positive().default(10),
});
export type OvrLogisticConfig = z.output<typeof OvrLogisticConfigSchema>;

export const NaiveBayesConfigSchema = z.object({
  type: z.literal('naive-bayes'),
  alpha: z.number().positive().default(0.1),
  fitPrior: z.boolean().default(true),
  classWeight: ClassWeightSchema.default('none'),
});
export type NaiveBayesConfig = z.output<typeof NaiveBayesConfigSchema>;

function toLinear(weights: Float64Array, bias: Float64Array, features: number, classes: number, link: 'softmax' | 'sigmoid', scale: number): LinearModel {
  return { features, classes, weights: Float32Array.from(weights), bias: Float32Array.from(bias), link, scale };
}

/** Per-class weights; for multi-label targets 'balanced' uses each label's positive rate. */
function classWeightsFor(spec: z.infer<typeof ClassWeightSchema>, labels: readonly string[], target: Target, n: number): Float64Array {
  if (target.kind === 'single') return classWeightVector(spec, labels, target.y);
  const K = labels.length;
  if (spec === 'balanced') {
    const w = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      let pos = 0;
      for (let i = 0; i < n; i++) pos += target.Y[i * K + k]!;
      w[k] = pos > 0 ? (n - pos) / pos : 1;
    }
    return w;
  }
  return classWeightVector(spec, labels, new Int32Array(0));
}

function sliceTarget(target: Target, rows: Int32Array, K: number): Target {
  if (target.kind === 'single') return { kind: 'single', y: Int32Array.from(rows, (r) => target.y[r]!) };
  const Y = new Uint8Array(rows.length * K);
  rows.forEach((r, i) => Y.set(target.Y.subarray(r * K, r * K + K), i * K));
  return { kind: 'multi', Y };
}

/** Decision values of rows of X (n x K row-major). */
function decisionValues(X: CsrMatrix, weights: Float64Array, bias: Float64Array, K: number): Float64Array {
  const out = new Float64Array(X.rows * K);
  for (let i = 0; i < X.rows; i++) {
    const o = i * K;
    for (let k = 0; k < K; k++) out[o + k] = bias[k]!;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) {
      const v = X.data[p]!;
      const base = X.indices[p]! * K;
      for (let k = 0; k < K; k++) out[o + k] += v * weights[base + k]!;
    }
  }
  return out;
}

function sampleRows(n: number, max: number, seed: number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  if (n <= max) return idx;
  const rng = createRng(seed);
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, max).sort();
}

async function svmOnce(
  ctx: ClassifierTrainContext,
  X: CsrMatrix,
  target: Target,
  cfg: LinearSvmConfig,
  seed: number,
  cw: Float64Array,
  withEarlyStop: boolean,
  warm?: Pick<OvrSvmOptions, 'initialAlpha' | 'initialWeights'>,
  holdout?: OvrSvmOptions['holdout'],
) {
  const K = ctx.labels.length;
  const stopper = withEarlyStop && ctx.validation ? new EarlyStopper(ctx.validation, K) : undefined;
  const res = await trainOvrSvm(X, target, K, {
    threads: ctx.threads ?? 1,
    shrinkCap: cfg.shrinkCap,
    C: cfg.C,
    loss: cfg.loss,
    tol: cfg.tol,
    maxEpochs: cfg.maxEpochs,
    bias: cfg.bias,
    classWeights: cw,
    seed,
    ...warm,
    ...(holdout ? { holdout } : {}),
    onRound: stopper ? (r: OvrSvmResult, round: number) => stopper.check(round, r.weights, r.bias) : undefined,
  });
  return { res, stopper };
}

/**
 * Approximate leave-one-out decision values on a sample of rows: w without example i is w - alpha_i y_i x_i, so its
 * decision value on x_i drops by alpha_i y_i (|x_i|^2 + bias^2) (the Jaakkola-Haussler bound: pessimistic).
 */
function looScores(X: CsrMatrix, target: Target, alpha: Float64Array, weights: Float64Array, bias: Float64Array, K: number, cfg: LinearSvmConfig, seed: number) {
  const rows = sampleRows(X.rows, cfg.calibrationSample, seed ^ 0x5eed);
  const z = decisionValues(csrSelectRows(X, rows), weights, bias, K);
  const n = X.rows;
  const b2 = cfg.bias * cfg.bias;
  rows.forEach((r, i) => {
    let sq = b2;
    for (let p = X.indptr[r]!; p < X.indptr[r + 1]!; p++) sq += X.data[p]! * X.data[p]!;
    for (let k = 0; k < K; k++) {
      const yk = target.kind === 'single' ? (target.y[r] === k ? 1 : -1) : target.Y[r * K + k] === 1 ? 1 : -1;
      z[i * K + k] -= alpha[k * n + r]! * yk * sq;
    }
  });
  return { z, target: sliceTarget(target, rows, K) };
}

/** Tolerance of the calibration folds' solver: only a temperature is fitted on their scores, looser is enough. */
const CALIBRATION_TOL = 1;

/**
 * Scale fitted on out-of-fold decision values: the rows are dealt into `calibrationFolds` folds; for each fold a model
 * is trained on the other rows and scores the fold, until at least `calibrationSample` rows are scored (so large data
 * sets use one fold, small ones all of them). Each fold model is warm-started from the full model: its dual variables
 * restricted to the fold's training rows, and w minus the held-out rows' terms (cheap: only those rows are touched).
 * That start is close to the fold's own optimum, so a fold costs a few passes instead of a full training.
 */
async function cvScale(ctx: ClassifierTrainContext, X: CsrMatrix, target: Target, full: OvrSvmResult, cfg: LinearSvmConfig, cw: Float64Array): Promise<number> {
  const K = ctx.labels.length;
  const n = X.rows;
  const B = cfg.bias;
  const scored: Int32Array[] = [];
  const scores: Float64Array[] = [];
  let count = 0;
  for (const [f, test] of calibrationHoldout(n, cfg, ctx.seed).entries()) {
    const inTest = new Uint8Array(n);
    for (const r of test) inTest[r] = 1;
    const trainRows = Int32Array.from({ length: n }, (_, i) => i).filter((r) => inTest[r] === 0);
    const m = trainRows.length;
    const initialAlpha = new Float64Array(m * K);
    for (let k = 0; k < K; k++) for (let j = 0; j < m; j++) initialAlpha[k * m + j] = full.alpha[k * n + trainRows[j]!]!;
    const weights = Float64Array.from(full.weights);
    const wBias = new Float64Array(K);
    for (let k = 0; k < K; k++) wBias[k] = B > 0 ? full.bias[k]! / B : 0;
    for (const r of test) {
      for (let k = 0; k < K; k++) {
        const ay = full.alpha[k * n + r]! * (target.kind === 'single' ? (target.y[r] === k ? 1 : -1) : target.Y[r * K + k] === 1 ? 1 : -1);
        if (ay === 0) continue;
        for (let p = X.indptr[r]!; p < X.indptr[r + 1]!; p++) weights[X.indices[p]! * K + k] -= ay * X.data[p]!;
        wBias[k] -= ay * B;
      }
    }
    const foldCfg = { ...cfg, tol: Math.max(cfg.tol, CALIBRATION_TOL) };
    const sub = (await svmOnce(ctx, csrSelectRows(X, trainRows), sliceTarget(target, trainRows, K), foldCfg, ctx.seed + f + 1, cw, false, { initialAlpha, initialWeights: { weights, wBias } })).res;
    scores.push(decisionValues(csrSelectRows(X, test), sub.weights, sub.bias, K));
    scored.push(test);
    count += test.length;
  }
  return fitScale(concatScores(scores, scored, count, K), K, sliceTarget(target, concatRows(scored, count), K));
}

/**
 * The calibration folds: rows dealt into `calibrationFolds` folds in a seeded order; the first folds, until at least
 * `calibrationSample` rows are held out (so large data sets use one fold, small ones all of them). Rows ascending.
 */
function calibrationHoldout(n: number, cfg: LinearSvmConfig, seed: number): Int32Array[] {
  const folds = cfg.calibrationFolds;
  const rng = createRng(seed ^ 0xca1b);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const out: Int32Array[] = [];
  let count = 0;
  for (let f = 0; f < folds && count < cfg.calibrationSample; f++) {
    const test = order.filter((_, i) => i % folds === f).sort();
    out.push(test);
    count += test.length;
  }
  return out;
}

function concatRows(parts: Int32Array[], count: number): Int32Array {
  const rows = new Int32Array(count);
  let o = 0;
  for (const p of parts) {
    rows.set(p, o);
    o += p.length;
  }
  return rows;
}

function concatScores(scores: Float64Array[], scored: Int32Array[], count: number, K: number): Float64Array {
  const z = new Float64Array(count * K);
  let o = 0;
  for (let t = 0; t < scores.length; t++) {
    z.set(scores[t]!, o * K);
    o += scored[t]!.length;
  }
  return z;
}

export const linearSvm: ClassifierDefinition<LinearSvmConfig> = {
  type: 'linear-svm',
  schema: LinearSvmConfigSchema,
  supports: ['single', 'multi'],
  tunable: ['C', 'tol', 'bias'],
  // With early stopping the classes are solved in lockstep on this thread: no worker to start.
  prepare: ({ threads, earlyStopping, rows, classes }) => (threads > 1 && !earlyStopping && svmWorkersPay(rows, classes) ? prestartSvmWorkers(threads - 1) : undefined),
  async train(ctx, cfg): Promise<ClassifierFit> {
    const K = ctx.labels.length;
    const { X, target } = ctx;
    const cw = classWeightsFor(cfg.classWeight, ctx.labels, target, X.rows);
    // Without early stopping, the 'cv' calibration folds are re-solved per class right after each class's own solve
    // (see SvmHoldout); with it, the final model is a snapshot, so the folds are trained afterwards (cvScale).
    const holdout = cfg.calibration === 'cv' && !ctx.validation ? calibrationHoldout(X.rows, cfg, ctx.seed) : undefined;
    const { res, stopper } = await svmOnce(ctx, X, target, cfg, ctx.seed, cw, true, undefined, holdout ? { folds: holdout, tol: Math.max(cfg.tol, CALIBRATION_TOL) } : undefined);
    let weights = res.weights;
    let bias = res.bias;
    const info: Record<string, unknown> = { epochs: Math.max(...res.epochs), meanEpochs: res.epochs.reduce((a, b) => a + b, 0) / K };
    if (stopper?.bestWeights) {
      weights = stopper.bestWeights;
      bias = stopper.bestBias!;
      info.earlyStopping = { bestRound: stopper.bestRound, bestScore: stopper.bestScore, history: stopper.history };
    }
    const link = target.kind === 'single' ? 'softmax' : 'sigmoid';
    let scale = 1;
    if (cfg.calibration === 'loo') {
      const loo = looScores(X, target, res.alpha, weights, bias, K, cfg, ctx.seed);
      scale = fitScale(loo.z, K, loo.target);
      // The approximation removes each example's whole dual term from w; when most examples are support vectors
      // with large alphas (few examples per class) that over-corrects so much that the true class looks worst and the
      // fitted scale collapses to ~0 (uniform probabilities). Then use out-of-fold scores instead.
      if (target.kind === 'single' && meanLogLoss(loo.z, K, (loo.target as { y: Int32Array }).y, scale) > 0.9 * Math.log(K)) {
        info.calibrationFallback = 'cv';
        scale = await cvScale(ctx, X, target, res, cfg, cw);
      }
    } else if (cfg.calibration === 'cv' && holdout && res.holdoutScores) {
      const rows = concatRows(holdout, res.holdoutScores.length / K);
      scale = fitScale(res.holdoutScores, K, sliceTarget(target, rows, K));
    } else if (cfg.calibration === 'cv') {
      scale = await cvScale(ctx, X, target, res, cfg, cw);
    }
    info.calibrationScale = scale;
    return { model: toLinear(weights, bias, X.cols, K, link, scale), info };
  },
};

function logisticTrain(ctx: ClassifierTrainContext, cfg: LogisticConfig | OvrLogisticConfig, link: 'softmax' | 'sigmoid'): ClassifierFit {
  const K = ctx.labels.length;
  const { X, target } = ctx;
  let negativeWeights: Float64Array | undefined;
  const cw = classWeightsFor(cfg.classWeight, ctx.labels, target, X.rows);
  if (target.kind === 'multi') negativeWeights = new Float64Array(K).fill(1);
  const stopper = ctx.validation ? new EarlyStopper(ctx.validation, K) : undefined;
  const res = trainLogistic(X, target, K, {
    C: cfg.C,
    classWeights: cw,
    negativeWeights,
    maxIterations: cfg.maxIterations,
    tol: cfg.tol,
    memory: cfg.memory,
    onIteration: stopper ? (it, w, b) => stopper.check(it, w, b) : undefined,
  });
  const info: Record<string, unknown> = { iterations: res.iterations, stopReason: res.reason, objective: res.objective };
  let { weights, bias } = res;
  if (stopper?.bestWeights) {
    weights = stopper.bestWeights;
    bias = stopper.bestBias!;
    info.earlyStopping = { bestRound: stopper.bestRound, bestScore: stopper.bestScore, history: stopper.history };
  }
  return { model: toLinear(weights, bias, X.cols, K, link, 1), info };
}

export const logistic: ClassifierDefinition<LogisticConfig> = {
  type: 'logistic',
  schema: LogisticConfigSchema,
  supports: ['single'],
  tunable: ['C', 'tol'],
  train: (ctx, cfg) => logisticTrain(ctx, cfg, 'softmax'),
};

export const ovrLogistic: ClassifierDefinition<OvrLogisticConfig> = {
  type: 'ovr-logistic',
  schema: OvrLogisticConfigSchema,
  supports: ['multi', 'single'],
  tunable: ['C', 'tol'],
  train(ctx, cfg) {
    // On single-label data, one-vs-rest LR is the multi-label objective with exactly one positive per row.
    if (ctx.target.kind === 'single') {
      const K = ctx.labels.length;
      const Y = new Uint8Array(ctx.X.rows * K);
      ctx.target.y.forEach((k, i) => {
        Y[i * K + k] = 1;
      });
      const v = ctx.validation;
      const vY = v && v.target.kind === 'single' ? new Uint8Array(v.X.rows * K) : undefined;
      if (v && vY && v.target.kind === 'single') v.target.y.forEach((k, i) => (vY[i * K + k] = 1));
      return logisticTrain(
        { ...ctx, target: { kind: 'multi', Y }, validation: v && vY ? { ...v, target: { kind: 'multi', Y: vY } } : v },
        cfg,
        'sigmoid',
      );
    }
    return logisticTrain(ctx, cfg, 'sigmoid');
  },
};

export const naiveBayes: ClassifierDefinition<NaiveBayesConfig> = {
  type: 'naive-bayes',
  schema: NaiveBayesConfigSchema,
  supports: ['single'],
  tunable: ['alpha'],
  train(ctx, cfg) {
    if (ctx.target.kind !== 'single') throw new Error('naive-bayes supports one label per text only');
    const K = ctx.labels.length;
    const cw = classWeightVector(cfg.classWeight, ctx.labels, ctx.target.y);
    const { weights, bias } = trainNaiveBayes(ctx.X, ctx.target.y, K, { alpha: cfg.alpha, fitPrior: cfg.fitPrior, classWeights: cw });
    return { model: toLinear(weights, bias, ctx.X.cols, K, 'softmax', 1), info: {} };
  },
};

export const BUILTIN_CLASSIFIERS: ClassifierDefinition<any>[] = [linearSvm, logistic, ovrLogistic, naiveBayes];
