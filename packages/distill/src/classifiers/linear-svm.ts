/**
 * Linear SVM, one-vs-rest, trained by dual coordinate descent with shrinking (Hsieh et al. 2008, the algorithm of
 * liblinear's L2-regularised L1/L2-loss SVC). For each class c the binary problem is
 *   min_w  1/2 |w|^2 + sum_i C_i loss(y_i w.x_i),   loss = max(0, 1 - m)^2 (squared hinge) or max(0, 1 - m) (hinge)
 * with the bias learnt as the weight of an extra constant feature of value `bias` (regularised, like liblinear).
 * Positive examples of class c get C * classWeight[c] (liblinear's OvR weighting); negatives get C.
 */
import { createRng, type CsrMatrix, type Rng } from '@taxonomist/core';

export interface BinarySvmOptions {
  C: number;
  /** C multiplier for positive examples. */
  positiveWeight?: number;
  loss: 'squared_hinge' | 'hinge';
  /** Stop when the projected-gradient spread is at most `tol` (liblinear's eps; 0.1 is liblinear's default). */
  tol: number;
  maxEpochs: number;
  /** Value of the constant bias feature (0 = no bias). */
  bias: number;
}

/** Dual state of one binary problem; `epoch()` can be called repeatedly (lets callers interleave classes). */
export class BinarySvmSolver {
  readonly w: Float64Array;
  wBias = 0;
  readonly alpha: Float64Array;
  epochs = 0;
  converged = false;
  private readonly y: Int8Array;
  private readonly qd: Float64Array;
  private readonly diag: Float64Array;
  private readonly upper: Float64Array;
  private readonly index: Int32Array;
  private activeSize: number;
  private pgMaxOld = Infinity;
  private pgMinOld = -Infinity;

  constructor(
    private readonly X: CsrMatrix,
    /** +1 / -1 per row. */
    y: Int8Array,
    sqNorms: Float64Array,
    private readonly opts: BinarySvmOptions,
    private readonly rng: Rng,
  ) {
    const n = X.rows;
    this.y = y;
    this.w = new Float64Array(X.cols);
    this.alpha = new Float64Array(n);
    this.qd = new Float64Array(n);
    this.diag = new Float64Array(n);
    this.upper = new Float64Array(n);
    const pw = opts.positiveWeight ?? 1;
    const b2 = opts.bias * opts.bias;
    for (let i = 0; i < n; i++) {
      const Ci = y[i]! > 0 ? opts.C * pw : opts.C;
      if (opts.loss === 'squared_hinge') {
        this.diag[i] = 0.5 / Ci;
        this.upper[i] = Infinity;
      } else {
        this.diag[i] = 0;
        this.upper[i] = Ci;
      }
      this.qd[i] = this.diag[i]! + sqNorms[i]! + b2;
    }
    this.index = new Int32Array(n);
    for (let i = 0; i < n; i++) this.index[i] = i;
    this.activeSize = n;
  }

  /** One pass over the active set. Returns true once converged. */
  epoch(): boolean {
    if (this.converged) return true;
    const { indptr, indices, data } = this.X;
    const w = this.w;
    const alpha = this.alpha;
    const y = this.y;
    const index = this.index;
    const B = this.opts.bias;
    let pgMaxNew = -Infinity;
    let pgMinNew = Infinity;
    // Random order of the active set (liblinear permutes every pass).
    for (let s = 0; s < this.activeSize; s++) {
      const j = s + this.rng.int(this.activeSize - s);
      const t = index[s]!;
      index[s] = index[j]!;
      index[j] = t;
    }
    let s = 0;
    while (s < this.activeSize) {
      const i = index[s]!;
      const yi = y[i]!;
      const a = indptr[i]!;
      const b = indptr[i + 1]!;
      let dot = this.wBias * B;
      for (let p = a; p < b; p++) dot += w[indices[p]!]! * data[p]!;
      const ai = alpha[i]!;
      const G = yi * dot - 1 + ai * this.diag[i]!;
      const U = this.upper[i]!;
      let PG = 0;
      if (ai === 0) {
        if (G > this.pgMaxOld) {
          this.shrink(s);
          continue;
        } else if (G < 0) PG = G;
      } else if (ai === U) {
        if (G < this.pgMinOld) {
          this.shrink(s);
          continue;
        } else if (G > 0) PG = G;
      } else PG = G;
      if (PG > pgMaxNew) pgMaxNew = PG;
      if (PG < pgMinNew) pgMinNew = PG;
      if (Math.abs(PG) > 1e-12) {
        let na = ai - G / this.qd[i]!;
        if (na < 0) na = 0;
        else if (na > U) na = U;
        alpha[i] = na;
        const d = (na - ai) * yi;
        if (d !== 0) {
          for (let p = a; p < b; p++) w[indices[p]!] += d * data[p]!;
          this.wBias += d * B;
        }
      }
      s++;
    }
    this.epochs++;
    if (pgMaxNew - pgMinNew <= this.opts.tol) {
      if (this.activeSize === this.X.rows) {
        this.converged = true;
        return true;
      }
      // Converged on the shrunk set: check every example once more before stopping (as liblinear).
      this.activeSize = this.X.rows;
      this.pgMaxOld = Infinity;
      this.pgMinOld = -Infinity;
      return false;
    }
    this.pgMaxOld = pgMaxNew <= 0 ? Infinity : pgMaxNew;
    this.pgMinOld = pgMinNew >= 0 ? -Infinity : pgMinNew;
    if (this.epochs >= this.opts.maxEpochs) this.converged = true;
    return this.converged;
  }

  solve(): this {
    while (!this.epoch());
    return this;
  }

  /** Primal objective 1/2 |w|^2 + sum C_i loss_i (for tests and diagnostics). */
  primalObjective(): number {
    const { indptr, indices, data } = this.X;
    let reg = this.wBias * this.wBias;
    for (let f = 0; f < this.w.length; f++) reg += this.w[f]! * this.w[f]!;
    let loss = 0;
    const pw = this.opts.positiveWeight ?? 1;
    for (let i = 0; i < this.X.rows; i++) {
      let dot = this.wBias * this.opts.bias;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p++) dot += this.w[indices[p]!]! * data[p]!;
      const m = Math.max(0, 1 - this.y[i]! * dot);
      const Ci = this.y[i]! > 0 ? this.opts.C * pw : this.opts.C;
      loss += Ci * (this.opts.loss === 'squared_hinge' ? m * m : m);
    }
    return 0.5 * reg + loss;
  }

  private shrink(s: number): void {
    this.activeSize--;
    const t = this.index[s]!;
    this.index[s] = this.index[this.activeSize]!;
    this.index[this.activeSize] = t;
  }
}

export interface OvrSvmResult {
  /** features x classes, row per feature (Float64 while training). */
  weights: Float64Array;
  /** Bias score per class (wBias * bias). */
  bias: Float64Array;
  /** Dual variables per class: alpha[c * n + i]. */
  alpha: Float64Array;
  epochs: number[];
}

export interface OvrSvmOptions extends Omit<BinarySvmOptions, 'positiveWeight'> {
  classWeights: Float64Array;
  seed: number;
  /**
   * Early stopping: after every round of one epoch per class, `onRound(weights, bias)` may return 'stop'. When given,
   * classes are trained in lockstep (round-robin epochs) instead of one after the other.
   */
  onRound?: (result: OvrSvmResult, round: number) => 'stop' | 'continue';
}

/**
 * One-vs-rest over `classes` labels. `target` gives the label index per row (one label per text) or an n x classes
 * 0/1 matrix (multi-label: class c's positives are the rows where it applies).
 */
export function trainOvrSvm(
  X: CsrMatrix,
  target: { kind: 'single'; y: Int32Array } | { kind: 'multi'; Y: Uint8Array },
  classes: number,
  opts: OvrSvmOptions,
): OvrSvmResult {
  const n = X.rows;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) s += X.data[p]! * X.data[p]!;
    sq[i] = s;
  }
  const root = createRng(opts.seed);
  const solvers: BinarySvmSolver[] = [];
  for (let c = 0; c < classes; c++) {
    const yc = new Int8Array(n);
    if (target.kind === 'single') for (let i = 0; i < n; i++) yc[i] = target.y[i] === c ? 1 : -1;
    else for (let i = 0; i < n; i++) yc[i] = target.Y[i * classes + c] === 1 ? 1 : -1;
    solvers.push(new BinarySvmSolver(X, yc, sq, { ...opts, positiveWeight: opts.classWeights[c]! }, root.fork(c)));
  }
  const collect = (): OvrSvmResult => {
    const F = X.cols;
    const weights = new Float64Array(F * classes);
    const bias = new Float64Array(classes);
    const alpha = new Float64Array(n * classes);
    solvers.forEach((s, c) => {
      const w = s.w;
      for (let f = 0; f < F; f++) weights[f * classes + c] = w[f]!;
      bias[c] = s.wBias * opts.bias;
      alpha.set(s.alpha, c * n);
    });
    return { weights, bias, alpha, epochs: solvers.map((s) => s.epochs) };
  };
  if (!opts.onRound) {
    for (const s of solvers) s.solve();
    return collect();
  }
  for (let round = 1; ; round++) {
    let done = true;
    for (const s of solvers) if (!s.epoch()) done = false;
    const current = collect();
    if (done || opts.onRound(current, round) === 'stop') return current;
  }
}
