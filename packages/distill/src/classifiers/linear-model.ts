/**
 * The one model shape every classifier here produces: scores = x . W + bias, then a link function.
 * W is stored row-per-feature (W[f * classes + k]) so scoring a sparse row touches `nnz` contiguous runs of
 * `classes` floats: the cache-friendly layout that lets prediction run at >100k texts/s.
 */
export interface LinearModel {
  features: number;
  classes: number;
  /** features x classes, row per feature. */
  weights: Float32Array;
  bias: Float32Array;
  /** 'softmax': one label per text; 'sigmoid': independent per-label probabilities (multi-label). */
  link: 'softmax' | 'sigmoid';
  /** Scores are multiplied by `scale` before the link (probability calibration; 1 = raw scores). */
  scale: number;
}

/**
 * Scores of one sparse row into `out` (length >= classes).
 * Classes are processed four at a time with the partial sums in locals: per four multiply-adds the loop loads one
 * weight each plus the row's offset and value, and never reloads/stores `out` inside the loop (the naive
 * out[k] += v * W[...] order does a load and a store of `out` per multiply-add). About 2x faster in V8.
 */
export function scoreRow(
  model: LinearModel,
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
  count: number,
  out: Float64Array,
): Float64Array {
  const K = model.classes;
  const W = model.weights;
  const b = model.bias;
  if (count > rowBases.length) {
    rowBases = new Int32Array(count * 2);
    rowValues = new Float64Array(count * 2);
  }
  const bases = rowBases;
  const vals = rowValues;
  for (let p = 0; p < count; p++) {
    bases[p] = indices[p]! * K;
    vals[p] = values[p]!;
  }
  let k = 0;
  for (; k + 7 < K; k += 8) {
    let a0 = b[k]!;
    let a1 = b[k + 1]!;
    let a2 = b[k + 2]!;
    let a3 = b[k + 3]!;
    let a4 = b[k + 4]!;
    let a5 = b[k + 5]!;
    let a6 = b[k + 6]!;
    let a7 = b[k + 7]!;
    for (let p = 0; p < count; p++) {
      const o = bases[p]! + k;
      const v = vals[p]!;
      a0 += v * W[o]!;
      a1 += v * W[o + 1]!;
      a2 += v * W[o + 2]!;
      a3 += v * W[o + 3]!;
      a4 += v * W[o + 4]!;
      a5 += v * W[o + 5]!;
      a6 += v * W[o + 6]!;
      a7 += v * W[o + 7]!;
    }
    out[k] = a0;
    out[k + 1] = a1;
    out[k + 2] = a2;
    out[k + 3] = a3;
    out[k + 4] = a4;
    out[k + 5] = a5;
    out[k + 6] = a6;
    out[k + 7] = a7;
  }
  for (; k + 3 < K; k += 4) {
    let a0 = b[k]!;
    let a1 = b[k + 1]!;
    let a2 = b[k + 2]!;
    let a3 = b[k + 3]!;
    for (let p = 0; p < count; p++) {
      const o = bases[p]! + k;
      const v = vals[p]!;
      a0 += v * W[o]!;
      a1 += v * W[o + 1]!;
      a2 += v * W[o + 2]!;
      a3 += v * W[o + 3]!;
    }
    out[k] = a0;
    out[k + 1] = a1;
    out[k + 2] = a2;
    out[k + 3] = a3;
  }
  for (; k < K; k++) {
    let a = b[k]!;
    for (let p = 0; p < count; p++) a += vals[p]! * W[bases[p]! + k]!;
    out[k] = a;
  }
  return out;
}

// Scratch for scoreRow (module-level: scoring is synchronous, so one buffer serves every model).
let rowBases = new Int32Array(1024);
let rowValues = new Float64Array(1024);

/** Scores -> probabilities in place, using the model's link and scale. */
export function scoresToProbabilities(model: LinearModel, scores: Float64Array): Float64Array {
  const K = model.classes;
  const a = model.scale;
  if (model.link === 'sigmoid') {
    for (let k = 0; k < K; k++) scores[k] = 1 / (1 + Math.exp(-a * scores[k]!));
    return scores;
  }
  let max = -Infinity;
  for (let k = 0; k < K; k++) if (scores[k]! > max) max = scores[k]!;
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(a * (scores[k]! - max));
    scores[k] = e;
    sum += e;
  }
  for (let k = 0; k < K; k++) scores[k] = scores[k]! / sum;
  return scores;
}

/** Index of the largest value (first one on ties). */
export function argmax(values: ArrayLike<number>, n: number = values.length): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topKIndices(values: ArrayLike<number>, n: number, k: number): number[] {
  const kk = Math.min(k, n);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (out.length < kk) {
      let j = out.length;
      out.push(i);
      while (j > 0 && values[out[j - 1]!]! < v) {
        out[j] = out[j - 1]!;
        j--;
      }
      out[j] = i;
    } else if (v > values[out[kk - 1]!]!) {
      let j = kk - 1;
      while (j > 0 && values[out[j - 1]!]! < v) {
        out[j] = out[j - 1]!;
        j--;
      }
      out[j] = i;
    }
  }
  return out;
}

/**
 * topKIndices into a reused buffer (no allocation; the per-text hot path of prediction): writes the indices of the
 * k largest values, largest first (ties: lower index first), to out[0..min(k, n)) and returns that count.
 */
export function selectTopK(values: Float64Array, n: number, k: number, out: Int32Array): number {
  const kk = Math.min(k, n);
  if (kk <= 0) return 0;
  let size = 0;
  // Value of the current k-th best: most values lose against it at once, without touching `out`.
  let floor = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (size === kk && !(v > floor)) continue;
    let j = size < kk ? size++ : kk - 1;
    while (j > 0 && values[out[j - 1]!]! < v) {
      out[j] = out[j - 1]!;
      j--;
    }
    out[j] = i;
    if (size === kk) floor = values[out[kk - 1]!]!;
  }
  return size;
}

/** n x K probabilities (row-major) of the rows of a CSR matrix. */
export function linearProbabilities(
  model: LinearModel,
  X: { rows: number; indptr: Int32Array; indices: Int32Array; data: Float32Array },
): Float64Array {
  const K = model.classes;
  const out = new Float64Array(X.rows * K);
  const s = new Float64Array(K);
  for (let i = 0; i < X.rows; i++) {
    const a = X.indptr[i]!;
    scoreRow(model, X.indices.subarray(a), X.data.subarray(a), X.indptr[i + 1]! - a, s);
    scoresToProbabilities(model, s);
    out.set(s, i * K);
  }
  return out;
}
