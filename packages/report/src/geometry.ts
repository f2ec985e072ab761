import {
  LsaVectorizer,
  clusterPhrases,
  createRng,
  distinctPhrases,
  sampleWithoutReplacement,
  symmetricEigen,
  type DenseMatrix,
} from '@taxonomist/core';
import { projectMap, type MapProjection } from './projection.js';
import { truncate } from './escape.js';
import type { ReportPhrase } from './data.js';

/**
 * What the report computes from the labeled texts themselves: a 2-D map (UMAP or PCA of LSA vectors), centroid cosine
 * similarity of the labels ordered by a hierarchical clustering, and each label's distinctive phrases. Everything is
 * seeded and ordered by corpus position, so the same run gives the same report bytes.
 */

/** Points drawn on the map at most (a seeded sample beyond this). */
export const MAP_MAX_POINTS = 5_000;
const PHRASES_PER_LABEL = 6;

export interface LabeledText {
  text: string;
  /** Index into the label list. */
  label: number;
}

export interface Geometry {
  map: { points: { x: number; y: number; label: number; title: string }[]; centroids: { x: number; y: number }[]; sampled: number; total: number; projection: MapProjection };
  similarity: { order: number[]; matrix: number[][] };
  phrases: ReportPhrase[][];
}

/** Characters of a record's text shown when hovering its point on the map. */
const POINT_TITLE_CHARS = 80;

export function computeGeometry(items: readonly LabeledText[], labelCount: number, seed: number, projection?: MapProjection): Geometry | undefined {
  if (items.length < 3 || labelCount < 2) return undefined;
  const rng = createRng(seed);
  const picked =
    items.length > MAP_MAX_POINTS
      ? sampleWithoutReplacement(
          items.map((_, i) => i),
          MAP_MAX_POINTS,
          rng,
        ).sort((a, b) => a - b)
      : items.map((_, i) => i);
  const sample = picked.map((i) => items[i]!);
  const texts = sample.map((s) => s.text);
  let vectors: DenseMatrix<Float64Array>;
  try {
    vectors = LsaVectorizer.fit(texts, { dimensions: Math.min(50, Math.max(2, texts.length - 1)), seed }).vectors;
  } catch {
    return undefined; // too few or too uniform texts for a vocabulary: the report leaves the map out
  }
  const map = projectMap(vectors, seed, projection);
  const xy = map.xy;
  const centroidsHi = labelMeans(vectors, sample, labelCount);
  const centroids = Array.from({ length: labelCount }, () => ({ x: 0, y: 0, n: 0 }));
  sample.forEach((s, i) => {
    const c = centroids[s.label]!;
    c.x += xy[i]![0];
    c.y += xy[i]![1];
    c.n++;
  });
  const similarity = cosineMatrix(centroidsHi);
  return {
    map: {
      points: sample.map((s, i) => ({ x: xy[i]![0], y: xy[i]![1], label: s.label, title: truncate(s.text.replace(/\s+/gu, ' ').trim(), POINT_TITLE_CHARS) })),
      centroids: map.projection === 'umap' ? nameSpots(xy, sample, centroids) : centroids.map((c) => (c.n ? { x: c.x / c.n, y: c.y / c.n } : { x: NaN, y: NaN })),
      sampled: sample.length,
      total: items.length,
      projection: map.projection,
    },
    similarity: { order: averageLinkageOrder(similarity), matrix: similarity },
    phrases: labelPhrases(texts, sample.map((s) => s.label), labelCount),
  };
}

/**
 * Where a label's name goes on a UMAP map: its point nearest the mean of its points. UMAP packs a label into islands,
 * and their mean may fall in the empty space between them, where a name would label nothing.
 */
function nameSpots(xy: readonly [number, number][], sample: readonly LabeledText[], sums: readonly { x: number; y: number; n: number }[]): { x: number; y: number }[] {
  const best = sums.map(() => ({ x: NaN, y: NaN, d: Infinity }));
  sample.forEach((s, i) => {
    const c = sums[s.label]!;
    const [x, y] = xy[i]!;
    const d = (x - c.x / c.n) ** 2 + (y - c.y / c.n) ** 2;
    const b = best[s.label]!;
    if (d < b.d) Object.assign(b, { x, y, d });
  });
  return best.map(({ x, y }) => ({ x, y }));
}

/** The first two principal components (centred), via the eigenvectors of the small covariance matrix. */
export function pca2(m: DenseMatrix): [number, number][] {
  const { rows, cols, data } = m;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c]! += data[r * cols + c]! / rows;
  const cov = new Float64Array(cols * cols);
  const v = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) v[c] = data[r * cols + c]! - mean[c]!;
    for (let a = 0; a < cols; a++) for (let b = a; b < cols; b++) cov[a * cols + b]! += v[a]! * v[b]!;
  }
  for (let a = 0; a < cols; a++) for (let b = 0; b < a; b++) cov[a * cols + b] = cov[b * cols + a]!;
  const eig = symmetricEigen(cov, cols);
  const byValue = [...eig.values.keys()].sort((a, b) => eig.values[b]! - eig.values[a]! || a - b);
  const axis = (k: number): Float64Array => {
    const i = byValue[Math.min(k, byValue.length - 1)]!;
    const out = new Float64Array(cols);
    for (let c = 0; c < cols; c++) out[c] = eig.vectors[c * cols + i]!;
    // Fix the sign (an eigenvector's sign is arbitrary): largest component positive.
    let big = 0;
    for (let c = 0; c < cols; c++) if (Math.abs(out[c]!) > Math.abs(out[big]!)) big = c;
    if (out[big]! < 0) for (let c = 0; c < cols; c++) out[c] = -out[c]!;
    return out;
  };
  const a0 = axis(0);
  const a1 = axis(1);
  const out: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    let x = 0;
    let y = 0;
    for (let c = 0; c < cols; c++) {
      const d = data[r * cols + c]! - mean[c]!;
      x += d * a0[c]!;
      y += d * a1[c]!;
    }
    out.push([x, y]);
  }
  return out;
}

function labelMeans(m: DenseMatrix, sample: readonly LabeledText[], labelCount: number): Float64Array[] {
  const sums = Array.from({ length: labelCount }, () => new Float64Array(m.cols));
  sample.forEach((s, r) => {
    const sum = sums[s.label]!;
    for (let c = 0; c < m.cols; c++) sum[c]! += m.data[r * m.cols + c]!;
  });
  return sums;
}

/** Cosine similarity of every pair of vectors (0 for an empty label). */
export function cosineMatrix(vectors: readonly Float64Array[]): number[][] {
  const norms = vectors.map((v) => Math.sqrt(v.reduce((a, x) => a + x * x, 0)));
  return vectors.map((a, i) =>
    vectors.map((b, j) => {
      if (norms[i] === 0 || norms[j] === 0) return i === j ? 1 : 0;
      let d = 0;
      for (let c = 0; c < a.length; c++) d += a[c]! * b[c]!;
      return Math.round((d / (norms[i]! * norms[j]!)) * 1000) / 1000;
    }),
  );
}

/**
 * Leaf order of an average-linkage agglomerative clustering on the similarity matrix: similar labels end up next
 * to each other, so blocks show on the heat map. O(n^3), fine for a few hundred labels.
 */
export function averageLinkageOrder(sim: readonly (readonly number[])[]): number[] {
  type Cluster = { members: number[] };
  let clusters: Cluster[] = sim.map((_, i) => ({ members: [i] }));
  const link = (a: Cluster, b: Cluster): number => {
    let s = 0;
    for (const i of a.members) for (const j of b.members) s += sim[i]![j]!;
    return s / (a.members.length * b.members.length);
  };
  while (clusters.length > 1) {
    let best = -Infinity;
    let bi = 0;
    let bj = 1;
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const s = link(clusters[i]!, clusters[j]!);
        if (s > best) {
          best = s;
          bi = i;
          bj = j;
        }
      }
    }
    const merged = { members: [...clusters[bi]!.members, ...clusters[bj]!.members] };
    clusters = clusters.filter((_, k) => k !== bi && k !== bj);
    clusters.splice(bi, 0, merged);
  }
  return clusters[0]?.members ?? [];
}

/**
 * Each label's phrases, read as the clustering engine reads them for its names (`clusterPhrases` of
 * @taxonomist/core: contiguous phrases past function words, scored by the share of the label's texts saying it x the
 * share of the phrase's uses in this label; near-duplicates left out), for taxonomies that do not carry the engine's
 * own (an LLM's labels).
 */
export function labelPhrases(texts: readonly string[], labels: readonly number[], labelCount: number): ReportPhrase[][] {
  const members: number[][] = Array.from({ length: labelCount }, () => []);
  labels.forEach((l, i) => members[l]!.push(i));
  return clusterPhrases(texts, members).map((list) => distinctPhrases(list, PHRASES_PER_LABEL).map(phraseOf));
}

/** A phrase as the report shows it: score and coverage rounded to 3 decimals, so the same run gives the same bytes. */
export function phraseOf(p: { phrase: string; score: number; coverage: number }): ReportPhrase {
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return { text: p.phrase, score: round(p.score), coverage: round(p.coverage) };
}
