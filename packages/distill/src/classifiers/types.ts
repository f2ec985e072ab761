import type { CsrMatrix } from '@taxonomist/core';
import type { z } from 'zod';
import type { LinearModel } from './linear-model.js';

/** Training targets: one label index per row, or an n x K 0/1 matrix (multi-label). */
export type Target = { kind: 'single'; y: Int32Array } | { kind: 'multi'; Y: Uint8Array };

export interface ValidationSplit {
  X: CsrMatrix;
  target: Target;
  /** Stop after this many checks without improvement of the validation score. */
  patience: number;
}

export interface ClassifierTrainContext {
  X: CsrMatrix;
  target: Target;
  labels: readonly string[];
  seed: number;
  /** Present when early stopping on a validation split was requested. */
  validation?: ValidationSplit;
  /** Worker threads a classifier may use (never changes its result). */
  threads?: number;
}

export interface ClassifierFit {
  model: LinearModel;
  /** Diagnostics (iterations, epochs, calibration scale, early-stopping round...), stored in the model file. */
  info: Record<string, unknown>;
}

/**
 * A classifier kind, registered by name. Every classifier produces a linear model (scores = xW + b) so that one model
 * file format and one fast scorer serve them all. Plugins add kinds through `registries.classifiers`.
 */
export interface ClassifierDefinition<C extends { type: string } = { type: string }> {
  type: string;
  /** Parses (and fills defaults of) a config object whose `type` is this definition's. */
  schema: z.ZodType<C, any>;
  /** Which targets it can learn. */
  supports: ReadonlyArray<'single' | 'multi'>;
  /** Numeric hyper-parameters a grid search may vary (documentation / validation of grid keys). */
  tunable?: readonly string[];
  train(ctx: ClassifierTrainContext, config: C): ClassifierFit | Promise<ClassifierFit>;
  /**
   * Optional: called by `train` before the texts are featurized, when more than one thread may be used, to start what
   * the fit will need (the linear SVM starts its worker threads, so that their start-up overlaps featurization).
   * Returns a function `train` calls when it ends (also on failure) to free whatever the fit did not use.
   */
  prepare?(ctx: { threads: number; earlyStopping: boolean; rows: number; classes: number }, config: C): (() => void) | void;
}
