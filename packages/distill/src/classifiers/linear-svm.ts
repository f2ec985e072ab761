/**
 * Linear SVM, one-vs-rest, trained by dual coordinate descent with shrinking (Hsieh et al. 2008, the algorithm of
 * liblinear's L2-regularised L1/L2-loss SVC). For each class c the binary problem is
 *   min_w  1/2 |w|^2 + sum_i C_i loss(y_i w.x_i),   loss = max(0, 1 - m)^2 (squared hinge) or max(0, 1 - m) (hinge)
 * with the bias learnt as the weight of an extra constant feature of value `bias` (regularised, like liblinear).
 * Positive examples of class c get C * classWeight[c] (liblinear's OvR weighting); negatives get C.
 */
// Narrow entry points, not the package index: the SVM worker imports this module, and loading all of core (and zod)
// there would cost a worker ~250 ms of start-up before it solves anything.
import { csrSelectRows, type CsrMatrix } from '@taxonomist/core/csr';
import { createRng, hashString32, type Rng } from '@taxonomist/core/random';
import { solveInWorkers } from './svm-workers.js';

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
  /**
   * Shrinking threshold cap: an example at alpha = 0 leaves the active set once its gradient exceeds
   * min(previous max violation, shrinkCap). Infinity = liblinear's rule. The final full check (every example
   * re-activated once the shrunk problem converged) keeps the result exact whatever the cap.
   */
  shrinkCap?: number;
  /**
   * Warm start: initial dual variables (one per row of X, same order). w is rebuilt from them, so a solution of a
   * closely related problem (e.g. the full data when training on a subset) starts the descent near the optimum.
   */
  initialAlpha?: Float64Array;
  /** With initialAlpha: the w (and bias weight) they give, when the caller has it cheaper than rebuilding it. */
  initialW?: { w: Float64Array; wBias: number };
  /**
   * Train on these rows only (ascending row positions of X); the others are ignored (their alpha stays as given, and
   * initialW must not include them). Lets a held-out fold be re-solved on the same matrix without copying it.
   */
  rows?: Int32Array;
}

/** Rows per block of the cache-friendly visiting order. */
const BLOCK = 32;

/**
 * Working arrays of a solver (n = rows of X) that it does not hand out: one set per thread can serve one solver after
 * another (solveSvmClasses solves 77 classes in turn), instead of new arrays per class that the garbage collector
 * frees late. Two threads churning through them at once held ~30 MB more than one at 20k-200k rows.
 */
export interface SvmScratch {
  qd: Float64Array;
  diag: Float64Array;
  upper: Float64Array;
  index: Int32Array;
  keep: Uint8Array;
  blockOrder: Int32Array;
}

export function svmScratch(n: number): SvmScratch {
  return {
    qd: new Float64Array(n),
    diag: new Float64Array(n),
    upper: new Float64Array(n),
    index: new Int32Array(n),
    keep: new Uint8Array(n),
    blockOrder: new Int32Array(Math.ceil(n / BLOCK) + 1),
  };
}

/** Dual state of one binary problem; `epoch()` can be called repeatedly (lets callers interleave classes). */
export class BinarySvmSolver {
  readonly w: Float64Array;
  wBias = 0;
  readonly alpha: Float64Array;
  epochs = 0;
  converged = false;
  private readonly y: Int8Array;
  readonly squaredNorms: Float64Array;
  private readonly qd: Float64Array;
  private readonly diag: Float64Array;
  private readonly upper: Float64Array;
  private readonly index: Int32Array;
  private readonly keep: Uint8Array;
  private readonly blockOrder: Int32Array;
  private activeSize: number;
  private pgMaxOld = Infinity;
  private pgMinOld = -Infinity;
  private verifying = false;
  /** Rows of the problem (all of X, or opts.rows). */
  private readonly rowCount: number;

  constructor(
    private readonly X: CsrMatrix,
    /** +1 / -1 per row. */
    y: Int8Array,
    sqNorms: Float64Array,
    private readonly opts: BinarySvmOptions,
    private readonly rng: Rng,
    /** Reused working arrays (see SvmScratch; every value is set here): the solver must be done with before reuse. */
    scratch: SvmScratch = svmScratch(X.rows),
  ) {
    const n = X.rows;
    if (scratch.qd.length !== n) throw new Error(`BinarySvmSolver: scratch arrays for ${scratch.qd.length} rows, the matrix has ${n}`);
    this.y = y;
    this.squaredNorms = sqNorms;
    this.w = new Float64Array(X.cols);
    this.alpha = new Float64Array(n);
    this.qd = scratch.qd;
    this.diag = scratch.diag;
    this.upper = scratch.upper;
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
    const init = opts.initialAlpha;
    if (init && opts.initialW) {
      for (let i = 0; i < n; i++) this.alpha[i] = Math.min(init[i]!, this.upper[i]!);
      this.w.set(opts.initialW.w);
      this.wBias = opts.initialW.wBias;
    } else if (init) {
      const { indptr, indices, data } = X;
      let wb = 0;
      for (let i = 0; i < n; i++) {
        const a = Math.min(init[i]!, this.upper[i]!);
        if (!(a > 0)) continue;
        this.alpha[i] = a;
        const d = a * y[i]!;
        for (let p = indptr[i]!; p < indptr[i + 1]!; p++) this.w[indices[p]!] += d * data[p]!;
        wb += d * opts.bias;
      }
      this.wBias = wb;
    }
    this.index = scratch.index;
    this.keep = scratch.keep.fill(1);
    this.blockOrder = scratch.blockOrder;
    this.rowCount = opts.rows ? opts.rows.length : n;
    this.activeSize = this.rowCount;
    this.resetActive();
  }

  /**
   * One pass over the active set. Returns true once converged.
   * Visiting order: the active list is kept in row order and cut into blocks of BLOCK rows that are visited in a
   * fresh random order each pass. Rows inside a block are adjacent in memory, so the pass streams through the CSR
   * arrays instead of jumping to a random row for every example (2-3x fewer cache misses than a full random
   * permutation), while the block permutation keeps the randomisation coordinate descent needs.
   */
  epoch(): boolean {
    if (this.converged) return true;
    const { indptr, indices, data } = this.X;
    const w = this.w;
    const alpha = this.alpha;
    const y = this.y;
    const index = this.index;
    const keep = this.keep;
    const diag = this.diag;
    const upper = this.upper;
    const qd = this.qd;
    const B = this.opts.bias;
    const size = this.activeSize;
    const cap = this.opts.shrinkCap ?? Infinity;
    // In a pass right after re-activating every example, liblinear shrinks nothing (its thresholds are infinite); with
    // a cap we still drop examples that are clearly satisfied (alpha = 0, G > cap: projected gradient exactly 0).
    const pgMaxOld = this.verifying ? cap : Math.min(this.pgMaxOld, cap);
    const pgMinOld = this.verifying ? -Infinity : this.pgMinOld;
    this.verifying = false;
    const fullPass = size === this.rowCount;
    let wBias = this.wBias;
    let pgMaxNew = -Infinity;
    let pgMinNew = Infinity;
    const nBlocks = Math.ceil(size / BLOCK);
    const order = this.blockOrder;
    for (let b = 0; b < nBlocks; b++) order[b] = b;
    for (let b = nBlocks - 1; b > 0; b--) {
      const j = this.rng.int(b + 1);
      const t = order[b]!;
      order[b] = order[j]!;
      order[j] = t;
    }
    let removed = 0;
    for (let ob = 0; ob < nBlocks; ob++) {
      const start = order[ob]! * BLOCK;
      const end = Math.min(size, start + BLOCK);
      for (let s = start; s < end; s++) {
        const i = index[s]!;
        const yi = y[i]!;
        const a = indptr[i]!;
        const e = indptr[i + 1]!;
        // Four partial sums: a single accumulator makes every multiply-add wait for the previous add (latency bound);
        // independent chains let the CPU overlap them. The order is fixed, so results stay deterministic.
        let d0 = wBias * B;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        let p = a;
        for (; p + 3 < e; p += 4) {
          d0 += w[indices[p]!]! * data[p]!;
          d1 += w[indices[p + 1]!]! * data[p + 1]!;
          d2 += w[indices[p + 2]!]! * data[p + 2]!;
          d3 += w[indices[p + 3]!]! * data[p + 3]!;
        }
        for (; p < e; p++) d0 += w[indices[p]!]! * data[p]!;
        const dot = d0 + d1 + (d2 + d3);
        const ai = alpha[i]!;
        const G = yi * dot - 1 + ai * diag[i]!;
        const U = upper[i]!;
        let PG = 0;
        if (ai === 0) {
          if (G > pgMaxOld) {
            keep[s] = 0;
            removed++;
            continue;
          } else if (G < 0) PG = G;
        } else if (ai === U) {
          if (G < pgMinOld) {
            keep[s] = 0;
            removed++;
            continue;
          } else if (G > 0) PG = G;
        } else PG = G;
        if (PG > pgMaxNew) pgMaxNew = PG;
        if (PG < pgMinNew) pgMinNew = PG;
        if (PG > 1e-12 || PG < -1e-12) {
          let na = ai - G / qd[i]!;
          if (na < 0) na = 0;
          else if (na > U) na = U;
          alpha[i] = na;
          const d = (na - ai) * yi;
          if (d !== 0) {
            for (let q = a; q < e; q++) w[indices[q]!] += d * data[q]!;
            wBias += d * B;
          }
        }
      }
    }
    this.wBias = wBias;
    if (removed > 0) {
      // Shrunk examples had a projected gradient of exactly 0: include it, so that a full pass's range covers every
      // example and its convergence test is the same as liblinear's test over the whole set.
      if (pgMaxNew < 0) pgMaxNew = 0;
      if (pgMinNew > 0) pgMinNew = 0;
      // Stable compaction keeps the active list in row order.
      let q = 0;
      for (let s = 0; s < size; s++) {
        if (keep[s] === 1) index[q++] = index[s]!;
        else keep[s] = 1;
      }
      this.activeSize = q;
    }
    this.epochs++;
    if (pgMaxNew - pgMinNew <= this.opts.tol) {
      if (fullPass) {
        this.converged = true;
        return true;
      }
      // Converged on the shrunk set: check every example once more before stopping (as liblinear).
      this.resetActive();
      this.pgMaxOld = Infinity;
      this.pgMinOld = -Infinity;
      this.verifying = true;
      return false;
    }
    this.pgMaxOld = pgMaxNew <= 0 ? Infinity : pgMaxNew;
    this.pgMinOld = pgMinNew >= 0 ? -Infinity : pgMinNew;
    if (this.epochs >= this.opts.maxEpochs) this.converged = true;
    return this.converged;
  }

  private resetActive(): void {
    const rows = this.opts.rows;
    if (rows) this.index.set(rows);
    else for (let i = 0; i < this.X.rows; i++) this.index[i] = i;
    this.activeSize = this.rowCount;
  }

  /** Decision value w.x + bias of row i of X. */
  decision(i: number): number {
    const { indptr, indices, data } = this.X;
    let dot = this.wBias * this.opts.bias;
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) dot += this.w[indices[p]!]! * data[p]!;
    return dot;
  }

  /** The rows still active (ascending): after convergence, every row the last full pass did not shrink. */
  activeRows(): Int32Array {
    return this.index.slice(0, this.activeSize);
  }

  /** +1 / -1 per row. */
  get labels(): Int8Array {
    return this.y;
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

}

export interface OvrSvmResult {
  /** features x classes, row per feature (Float64 while training). */
  weights: Float64Array;
  /** Bias score per class (wBias * bias). */
  bias: Float64Array;
  /** Dual variables per class: alpha[c * n + i]. */
  alpha: Float64Array;
  epochs: number[];
  /** With OvrSvmOptions.holdout: out-of-fold decision values, (held-out rows in fold order) x classes, row-major. */
  holdoutScores?: Float64Array;
}

/**
 * Out-of-fold decision values (for probability calibration): after solving class c, each fold's rows are taken out
 * of the solution (their alphas zeroed, their terms subtracted from w: only those rows are touched), the problem is
 * re-solved from there to tolerance `tol` and the fold's rows are scored. The re-solve is restricted to the rows the
 * full solve left active (support vectors and rows near the margin; every other row was beyond the margin by the
 * shrinking cap): removing a fold moves w a little, so those rows are the only ones likely to change, and the
 * fold then costs a few passes over a few hundred rows of one class vector, with no copy of the data or of the
 * features x classes weight matrix. It is an approximation of the fold's exact solution, which is all a calibration
 * temperature needs (banking77: fitted scale 5.40 against 5.43 with the exact re-solve, same test log-loss 0.337).
 */
export interface SvmHoldout {
  /** Row ids (input order) of each fold, ascending. */
  folds: Int32Array[];
  tol: number;
}

export interface OvrSvmOptions extends Omit<BinarySvmOptions, 'positiveWeight' | 'initialAlpha' | 'initialW'> {
  classWeights: Float64Array;
  /** Warm start for every class: alpha[c * n + i] in the row order of the input matrix (see OvrSvmResult.alpha). */
  initialAlpha?: Float64Array;
  /** With initialAlpha: the weights (features x classes) and bias weights (wBias per class) those alphas give. */
  initialWeights?: { weights: Float64Array; wBias: Float64Array };
  seed: number;
  /**
   * Early stopping: after every round of one epoch per class, `onRound(result, round)` may return 'stop'. When given,
   * classes are trained in lockstep (round-robin epochs) in this thread.
   */
  onRound?: (result: OvrSvmResult, round: number) => 'stop' | 'continue';
  /** Worker threads for the per-class problems (results are identical for any count). Default 1. */
  threads?: number;
  /** Score held-out folds with re-solved per-class models (not with onRound). */
  holdout?: SvmHoldout;
}

/**
 * Below this many rows x classes the SVM solve is too short (~0.1 s of CPU) for a worker to pay for its start-up
 * (tens of milliseconds and tens of MB for a Node worker): it runs on this thread alone. Same result either way.
 */
export const SVM_WORKER_MIN_ROW_CLASSES = 100_000;

/** Whether worker threads pay for a problem of this size (see SVM_WORKER_MIN_ROW_CLASSES). */
export function svmWorkersPay(rows: number, classes: number): boolean {
  return classes > 1 && rows * classes >= SVM_WORKER_MIN_ROW_CLASSES;
}

export type SvmTarget = { kind: 'single'; y: Int32Array } | { kind: 'multi'; Y: Uint8Array };

/** Seed of class c's solver: derived from (seed, c) alone so any thread can rebuild it, in any order. */
export function classSeed(seed: number, c: number | string): number {
  return hashString32(`${seed}:svm:${c}`);
}

/** Rows in a seeded random order (see trainOvrSvm). */
export function svmRowPermutation(n: number, seed: number): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(classSeed(seed, 'rows'));
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}

/** Result of one class's binary problem (in the permuted row order). */
export interface SvmClassSolution {
  c: number;
  w: Float64Array;
  wBias: number;
  alpha: Float64Array;
  epochs: number;
  /** Decision values of the holdout folds' rows (folds concatenated, rows in the order given). */
  holdoutScores?: Float64Array;
}

function binaryLabels(target: SvmTarget, perm: Int32Array, c: number, classes: number): Int8Array {
  const n = perm.length;
  const yc = new Int8Array(n);
  if (target.kind === 'single') for (let j = 0; j < n; j++) yc[j] = target.y[perm[j]!] === c ? 1 : -1;
  else for (let j = 0; j < n; j++) yc[j] = target.Y[perm[j]! * classes + c] === 1 ? 1 : -1;
  return yc;
}

/** Class c's column of a features x classes warm-start weight matrix. */
function classInitialW(init: OvrSvmOptions['initialWeights'], c: number, classes: number): BinarySvmOptions['initialW'] {
  if (!init) return undefined;
  const F = init.weights.length / classes;
  const w = new Float64Array(F);
  for (let f = 0; f < F; f++) w[f] = init.weights[f * classes + c]!;
  return { w, wBias: init.wBias[c]! };
}

/** Class c's warm-start alphas in the permuted row order (undefined = cold start). */
function classInitialAlpha(init: Float64Array | undefined, perm: Int32Array, c: number): Float64Array | undefined {
  if (!init) return undefined;
  const n = perm.length;
  const a = new Float64Array(n);
  for (let j = 0; j < n; j++) a[j] = init[c * n + perm[j]!]!;
  return a;
}

function rowSquaredNorms(X: CsrMatrix): Float64Array {
  const sq = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let s = 0;
    for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) s += X.data[p]! * X.data[p]!;
    sq[i] = s;
  }
  return sq;
}

/**
 * Solve the binary problems of the listed classes on the (already permuted) rows Xp. Runs in workers too.
 * With `claim` (a counter in shared memory), threads take the classes one at a time from the shared list instead
 * of a fixed share each: a thread that starts late or runs on a busier core simply solves fewer classes. Which
 * thread solves a class does not change its solution (it depends on (seed, class) only).
 */
export function solveSvmClasses(
  Xp: CsrMatrix,
  target: SvmTarget,
  perm: Int32Array,
  classList: readonly number[],
  classes: number,
  opts: Omit<OvrSvmOptions, 'onRound' | 'threads'>,
  claim?: Int32Array,
): SvmClassSolution[] {
  const sq = rowSquaredNorms(Xp);
  const { initialAlpha, initialWeights, holdout, ...rest } = opts;
  const folds = holdout ? holdoutPositions(holdout.folds, perm) : [];
  // One set of working arrays for the class solvers and one for the fold re-solves (which run while the class's
  // solver is still read), reused from class to class.
  const scratch = svmScratch(Xp.rows);
  const holdoutScratch = holdout ? svmScratch(Xp.rows) : undefined;
  if (!claim) return classList.map((c) => solveOne(c));
  const mine: SvmClassSolution[] = [];
  for (let j = Atomics.add(claim, 0, 1); j < classList.length; j = Atomics.add(claim, 0, 1)) mine.push(solveOne(classList[j]!));
  return mine;
  function solveOne(c: number): SvmClassSolution {
    const init = classInitialAlpha(initialAlpha, perm, c);
    const initW = init ? classInitialW(initialWeights, c, classes) : undefined;
    const s = new BinarySvmSolver(
      Xp,
      binaryLabels(target, perm, c, classes),
      sq,
      { ...rest, positiveWeight: opts.classWeights[c]!, ...(init ? { initialAlpha: init } : {}), ...(initW ? { initialW: initW } : {}) },
      createRng(classSeed(opts.seed, c)),
      scratch,
    ).solve();
    const sol: SvmClassSolution = { c, w: s.w, wBias: s.wBias, alpha: s.alpha, epochs: s.epochs };
    if (holdout) sol.holdoutScores = scoreHoldout(Xp, s, folds, holdout.tol, rest, opts.classWeights[c]!, opts.seed, c, holdoutScratch);
    return sol;
  }
}

interface FoldPositions {
  /** Held-out rows' positions in the permuted matrix, in the fold's given (input) order. */
  held: Int32Array;
  /** 1 at the held-out positions. */
  isHeld: Uint8Array;
}

function holdoutPositions(folds: Int32Array[], perm: Int32Array): FoldPositions[] {
  const n = perm.length;
  const inv = new Int32Array(n);
  for (let j = 0; j < n; j++) inv[perm[j]!] = j;
  return folds.map((rows) => {
    const isHeld = new Uint8Array(n);
    const held = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      held[i] = inv[r]!;
      isHeld[inv[r]!] = 1;
    });
    return { held, isHeld };
  });
}

function scoreHoldout(
  Xp: CsrMatrix,
  full: BinarySvmSolver,
  folds: FoldPositions[],
  tol: number,
  opts: Omit<BinarySvmOptions, 'positiveWeight' | 'initialAlpha' | 'initialW' | 'rows'>,
  positiveWeight: number,
  seed: number,
  c: number,
  scratch?: SvmScratch,
): Float64Array {
  const { indptr, indices, data } = Xp;
  // The full solver's active rows, read once: with a shared scratch the fold solvers must not see its index change.
  const active = full.activeRows();
  const total = folds.reduce((a, f) => a + f.held.length, 0);
  const out = new Float64Array(total);
  const y = full.labels;
  let o = 0;
  folds.forEach((fold, fi) => {
    const alpha = full.alpha.slice();
    const w = full.w.slice();
    let wBias = full.wBias;
    for (const r of fold.held) {
      const d = alpha[r]! * y[r]!;
      alpha[r] = 0;
      if (d === 0) continue;
      for (let p = indptr[r]!; p < indptr[r + 1]!; p++) w[indices[p]!] -= d * data[p]!;
      wBias -= d * opts.bias;
    }
    const s = new BinarySvmSolver(
      Xp,
      y,
      full.squaredNorms,
      { ...opts, tol, positiveWeight, initialAlpha: alpha, initialW: { w, wBias }, rows: active.filter((r) => fold.isHeld[r] === 0) },
      createRng(classSeed(seed + fi + 1, c)),
      scratch,
    ).solve();
    for (const r of fold.held) out[o++] = s.decision(r);
  });
  return out;
}

function assemble(solutions: SvmClassSolution[], perm: Int32Array, F: number, classes: number, biasValue: number): OvrSvmResult {
  const n = perm.length;
  const weights = new Float64Array(F * classes);
  const bias = new Float64Array(classes);
  const alpha = new Float64Array(n * classes);
  const epochs = new Array<number>(classes).fill(0);
  const held = solutions[0]?.holdoutScores?.length;
  const holdoutScores = held !== undefined ? new Float64Array(held * classes) : undefined;
  for (const s of solutions) {
    if (holdoutScores) for (let j = 0; j < held!; j++) holdoutScores[j * classes + s.c] = s.holdoutScores![j]!;
    const c = s.c;
    for (let f = 0; f < F; f++) weights[f * classes + c] = s.w[f]!;
    bias[c] = s.wBias * biasValue;
    for (let j = 0; j < n; j++) alpha[c * n + perm[j]!] = s.alpha[j]!;
    epochs[c] = s.epochs;
  }
  return { weights, bias, alpha, epochs, ...(holdoutScores ? { holdoutScores } : {}) };
}

/**
 * One-vs-rest over `classes` labels. `target` gives the label index per row (one label per text) or an n x classes
 * 0/1 matrix (multi-label: class c's positives are the rows where it applies).
 * Rows are laid out once in a seeded random order: the block-wise visiting order of each pass then mixes classes
 * even when the input is sorted by label, while still streaming through memory.
 */
export async function trainOvrSvm(X0: CsrMatrix, target: SvmTarget, classes: number, opts: OvrSvmOptions): Promise<OvrSvmResult> {
  const n = X0.rows;
  const perm = svmRowPermutation(n, opts.seed);
  const { onRound, threads = 1, ...solverOpts } = opts;
  const inWorkers = !onRound && threads > 1 && svmWorkersPay(n, classes);
  // The permuted copy is the matrix the solvers read: built in shared memory when workers will read it, so that two
  // threads hold it once (as one thread does), not once more per worker.
  const X = csrSelectRows(X0, perm, { shared: inWorkers });
  if (onRound && opts.holdout) throw new Error('trainOvrSvm: holdout scoring is not available with onRound');
  if (!onRound) {
    const all = Array.from({ length: classes }, (_, c) => c);
    const solutions =
      inWorkers
        ? await solveInWorkers(X, target, perm, all, classes, solverOpts, Math.min(threads, classes))
        : solveSvmClasses(X, target, perm, all, classes, solverOpts);
    return assemble(solutions, perm, X.cols, classes, opts.bias);
  }
  const sq = rowSquaredNorms(X);
  const { initialAlpha, initialWeights, holdout: _holdout, ...binaryOpts } = solverOpts;
  const solvers = Array.from({ length: classes }, (_, c) => {
    const init = classInitialAlpha(initialAlpha, perm, c);
    const initW = init ? classInitialW(initialWeights, c, classes) : undefined;
    const o = { ...binaryOpts, positiveWeight: opts.classWeights[c]!, ...(init ? { initialAlpha: init } : {}), ...(initW ? { initialW: initW } : {}) };
    return new BinarySvmSolver(X, binaryLabels(target, perm, c, classes), sq, o, createRng(classSeed(opts.seed, c)));
  });
  for (let round = 1; ; round++) {
    let done = true;
    for (const s of solvers) if (!s.epoch()) done = false;
    const current = assemble(
      solvers.map((s, c) => ({ c, w: s.w, wBias: s.wBias, alpha: s.alpha, epochs: s.epochs })),
      perm,
      X.cols,
      classes,
      opts.bias,
    );
    if (done || onRound(current, round) === 'stop') return current;
  }
}
