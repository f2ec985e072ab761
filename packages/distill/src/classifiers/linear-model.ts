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
