/**
 * Limited-memory BFGS (Nocedal & Wright, algorithm 7.4/7.5) with a backtracking Armijo line search. The history of
 * steps and gradient changes is kept in Float32 (the iterate and gradient stay Float64): for a 77-class model over
 * 40k features one history pair is 26 MB in Float64, so this halves the optimiser's memory at no visible cost in
 * convergence (the history only shapes the search direction; every accepted step is checked by the line search).
 */

/** Returns f(x) and writes the gradient into g. */
export type ObjectiveFn = (x: Float64Array, g: Float64Array) => number;

export interface LbfgsOptions {
  maxIterations: number;
  /** History size. */
  memory?: number;
  /** Stop when |g|_2 <= gradTol * max(1, |g0|_2). */
  gradTol?: number;
  /** Stop when the relative decrease of f over one iteration is below this. */
  fTol?: number;
  /** Called after every accepted iteration; returning 'stop' ends the run (early stopping). */
  onIteration?(iteration: number, x: Float64Array, f: number): 'stop' | 'continue' | void;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
  reason: 'gradient' | 'ftol' | 'max-iterations' | 'callback' | 'line-search';
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function minimizeLbfgs(fg: ObjectiveFn, x0: Float64Array, opts: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const m = opts.memory ?? 6;
  const gradTol = opts.gradTol ?? 1e-5;
  const fTol = opts.fTol ?? 1e-10;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const xn = new Float64Array(n);
  const gn = new Float64Array(n);
  const d = new Float64Array(n);
  const S: Float32Array[] = [];
  const Y: Float32Array[] = [];
  const rho: number[] = [];
  const alphaBuf = new Float64Array(m + 1);
  let spareS: Float32Array = new Float32Array(n);
  let spareY: Float32Array = new Float32Array(n);
  let f = fg(x, g);
  let evaluations = 1;
  const g0 = Math.sqrt(dot(g, g));
  if (g0 <= gradTol * Math.max(1, g0) || g0 === 0) return { x, f, iterations: 0, evaluations, reason: 'gradient' };
  let it = 0;
  while (it < opts.maxIterations) {
    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      const a = rho[j]! * dot(S[j]!, d);
      alphaBuf[j] = a;
      const yj = Y[j]!;
      for (let i = 0; i < n; i++) d[i] -= a * yj[i]!;
    }
    let gamma = 1;
    if (k > 0) gamma = 1 / (rho[k - 1]! * dot(Y[k - 1]!, Y[k - 1]!));
    else gamma = 1 / Math.sqrt(dot(g, g)); // first step: unit length along -g
    for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let j = 0; j < k; j++) {
      const b = rho[j]! * dot(Y[j]!, d);
      const sj = S[j]!;
      const c = alphaBuf[j]! - b;
      for (let i = 0; i < n; i++) d[i] += c * sj[i]!;
    }
    let gd = dot(g, d);
    if (!(gd < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      const gn2 = Math.sqrt(dot(g, g));
      for (let i = 0; i < n; i++) d[i] = -g[i]! / gn2;
      gd = dot(g, d);
    }
    // Backtracking Armijo line search with safeguarded quadratic interpolation.
    let step = 1;
    let fn = 0;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xn[i] = x[i]! + step * d[i]!;
      fn = fg(xn, gn);
      evaluations++;
      if (Number.isFinite(fn) && fn <= f + 1e-4 * step * gd) {
        accepted = true;
        break;
      }
      const q = Number.isFinite(fn) ? (-gd * step * step) / (2 * (fn - f - gd * step)) : step * 0.1;
      step = Math.min(0.5 * step, Math.max(0.1 * step, q));
    }
    if (!accepted) return { x, f, iterations: it, evaluations, reason: 'line-search' };
    // Curvature pair, written into spare buffers (recycled from the dropped oldest pair) to avoid churn.
    const s = spareS;
    const y = spareY;
    for (let i = 0; i < n; i++) {
      s[i] = xn[i]! - x[i]!;
      y[i] = gn[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(y, y)) * Math.sqrt(dot(s, s))) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        spareS = S.shift()!;
        spareY = Y.shift()!;
        rho.shift();
      } else {
        spareS = new Float32Array(n);
        spareY = new Float32Array(n);
      }
    }
    const fPrev = f;
    x.set(xn);
    g.set(gn);
    f = fn;
    it++;
    if (opts.onIteration?.(it, x, f) === 'stop') return { x, f, iterations: it, evaluations, reason: 'callback' };
    if (Math.sqrt(dot(g, g)) <= gradTol * Math.max(1, g0)) return { x, f, iterations: it, evaluations, reason: 'gradient' };
    if ((fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) < fTol) return { x, f, iterations: it, evaluations, reason: 'ftol' };
  }
  return { x, f, iterations: it, evaluations, reason: 'max-iterations' };
}
