/**
 * The clustering taxonomy engine: TnT-LLM's baseline, and Taxonomist's offline default when no chat model is
 * configured. Texts -> vectors (built-in LSA, or any embeddings model) -> spherical k-means (k given, or chosen by
 * silhouette) -> each cluster named by an LLM from a sample of its members, or by its c-TF-IDF terms -> a Taxonomy
 * of the same shape as the LLM strategy's, plus a serialisable model that labels new texts offline.
 */
import type { Embeddings } from '@langchain/core/embeddings';
import type { EmbeddingsRef, Gateway } from '../llm/types.js';
import type { CorpusRecord } from '../schemas/corpus.js';
import { TAXONOMY_SCHEMA_VERSION, TaxonomySchema, type Taxonomy } from '../schemas/taxonomy.js';
import { normalizeTaxonomy } from '../induce/export.js';
import type { DenseMatrix } from '../vectors/dense.js';
import { kmeans, type KMeansResult } from '../vectors/kmeans.js';
import { miniBatchKmeans } from '../vectors/minibatch-kmeans.js';
import { umapProject, type UmapOptions } from '../vectors/umap.js';
import { COMPACT_LSA_FEATURIZER, DEFAULT_LSA_FEATURIZER, LSA_POWER_ITERATIONS, LsaVectorizer } from '../vectors/lsa.js';
import { chooseK, defaultKSpan, expandKRange, kSeed, searchK, type ChooseKCandidate, type KRange } from '../vectors/silhouette.js';
import type { SparseTextConfigInput } from '../vectors/sparse/config.js';
import { clusterTerms, type CtfidfOptions } from './ctfidf.js';
import { ClusterModel, embedTexts, type ClusterVectorizer } from './model.js';
import {
  describeFromTerms,
  nameClustersWithLlm,
  nameFromTerms,
  uniqueNames,
  type ClusterName,
  type LlmNamingFailure,
  type LlmNamingOptions,
} from './naming.js';
import { clusterPhrases, describeFromPhrases, distinctPhrases, namesFromPhrases, type ClusterPhrase, type ClusterPhraseOptions, type ClusterPhraseSummary } from './phrases.js';

export interface ClusterTaxonomyOptions {
  /** What the taxonomy is for; recorded in the taxonomy and given to the naming model. */
  useCase: string;
  seed: number;
  /** Number of clusters. When absent, chosen by silhouette over `kRange`. */
  k?: number;
  /**
   * Candidates for k, all tried. Default: a coarse-to-fine silhouette search over 2..about 2 sqrt(n) (at least 10,
   * below n; `defaultKSpan`), so k can reach the data's scale.
   */
  kRange?: KRange;
  /** Embeddings model for the vectors (LangChain Embeddings, or an id resolved by `gateway`); else the built-in LSA. */
  embeddings?: EmbeddingsRef | Embeddings;
  /** Gateway used for embeddings (cache, accounting) when given. */
  gateway?: Gateway;
  /** Name clusters with a chat model (else by c-TF-IDF terms). */
  nameWith?: LlmNamingOptions;
  /** Built-in vectorizer: dense dimensions after SVD (default 100; 64 above `compactAbove` records). */
  dimensions?: number;
  /**
   * Built-in vectorizer: sparse featurizer settings (default DEFAULT_LSA_FEATURIZER; COMPACT_LSA_FEATURIZER above
   * `compactAbove` records).
   */
  featurizer?: SparseTextConfigInput;
  /**
   * Above this many records the engine defaults to its compact settings: character 3-4-grams, 64 dimensions and no
   * power iteration for the built-in vectorizer, at most ENGINE_COMPACT_MAX_ITER Lloyd iterations (default
   * ENGINE_COMPACT_ABOVE). Each lowered NMI on banking77 by less than the seed-to-seed spread, and together they cut
   * the engine's CPU by about half (packages/core/README.md); smaller corpora cost little either way and keep the
   * richer default.
   */
  compactAbove?: number;
  /**
   * Built-in vectorizer: the SVD is fitted on a seeded sample of at most this many texts, then all are projected
   * (default ENGINE_SVD_SAMPLE; see LsaOptions.svdSample).
   */
  svdSample?: number;
  /** Built-in vectorizer: power iterations of the randomized SVD (default LSA_POWER_ITERATIONS; 0 above `compactAbove`). */
  powerIterations?: number;
  /**
   * k-means++ seeding runs on a seeded sample of at most this many points (default: ENGINE_INIT_SAMPLE_PER_CLUSTER
   * per cluster, at least ENGINE_INIT_SAMPLE_MIN); Lloyd then runs on all (see KMeansOptions.initSample).
   */
  initSample?: number;
  /**
   * Cluster a UMAP layout of the vectors instead of the vectors (BERTopic's recipe): k-means (Euclidean) on `dimensions`
   * UMAP dimensions (default 5, 15 neighbours, min_dist 0, seeded); centroids, distances, examples and the saved model
   * stay in the vector space. Off by default: on BANKING77 (k = 77, 3 seeds) it raised NMI by +0.034..+0.042 and ARI
   * by +0.052..+0.065, but costs about 15 s more CPU per 3 000 texts (umap-js), growing faster than k-means with n.
   */
  umap?: boolean | Omit<UmapOptions, 'seed'>;
  /**
   * k-means restarts per k (default 1: one greedy k-means++ start, as scikit-learn's n_init="auto"; on banking77 3
   * restarts cost 3x the k-means time for no NMI gain, see packages/core/README.md).
   */
  nInit?: number;
  /**
   * Above this many records, mini-batch k-means (seeded on a sample, then 3 full Lloyd steps) replaces full k-means
   * restarts (default 20 000).
   */
  miniBatchAbove?: number;
  /** Lloyd iterations per k-means run (default 300; ENGINE_COMPACT_MAX_ITER above `compactAbove` records). */
  maxIter?: number;
  /** Points the silhouette is computed on when choosing k (default 2000). */
  silhouetteSample?: number;
  /** Term extraction for names and descriptions. */
  terms?: CtfidfOptions;
  /** Words in a term-based name: the longest phrase a cluster is named by (default 4). */
  nameWords?: number;
  /** Phrase candidates for term-based names (see `clusterPhrases`). */
  phrases?: ClusterPhraseOptions;
  /** Content-poor words a term-based name uses only inside a phrase (default WEAK_NAME_WORDS; English). */
  weakNameWords?: ReadonlySet<string>;
  /** Member texts shown as examples per label, nearest to the centroid first (default 3). */
  examples?: number;
  signal?: AbortSignal;
  onProgress?: (event: ClusterProgressEvent) => void;
}

export type ClusterProgressEvent =
  | { type: 'vectorized'; records: number; dimensions: number; vectorizer: string }
  | { type: 'clustered'; k: number; candidate: boolean; silhouette?: number; inertia: number }
  | { type: 'named'; labels: number; source: 'terms' | 'llm'; failures: number };

export interface ClusterRecordAssignment {
  id: string;
  labelId: string;
  /** Cosine distance (1 - cosine similarity) to the cluster's centroid. */
  distance: number;
}

export interface ClusterTaxonomyResult {
  taxonomy: Taxonomy;
  assignments: ClusterRecordAssignment[];
  model: ClusterModel;
  k: number;
  /** k-means objective (sum of squared distances of unit vectors to their centroids). */
  inertia: number;
  /** Mean silhouette of the chosen k (when k was chosen). */
  silhouette?: number;
  /** Every k tried, when k was chosen (ascending k, with its silhouette: the score curve). */
  kCandidates?: ChooseKCandidate[];
  /** How k was set: given, or chosen (with why, and whether the choice sits at the edge of the range tried). */
  kChoice: { source: 'given' | 'silhouette'; reason: string; atEdge?: 'min' | 'max'; min?: number; max?: number };
  /** Records per label id. */
  sizes: Record<string, number>;
  /** Ids of records whose text gave a zero vector (no known term): they sit in a cluster by default only. */
  unvectorized: string[];
  naming: { source: 'terms' | 'llm'; failures: LlmNamingFailure[] };
}

/** Records above which the built-in LSA defaults to its compact settings (`compactAbove`). */
export const ENGINE_COMPACT_ABOVE = 4000;
/** Lloyd iterations at most above `compactAbove` records: later ones move few points (banking77: same NMI, a third less k-means CPU at 10k). */
export const ENGINE_COMPACT_MAX_ITER = 20;
/** Texts the built-in LSA's SVD is fitted on at most (`svdSample`); measured in packages/core/README.md. */
export const ENGINE_SVD_SAMPLE = 5000;
/** k-means++ seeding sample (`initSample`): this many points per cluster, and at least ENGINE_INIT_SAMPLE_MIN. */
export const ENGINE_INIT_SAMPLE_PER_CLUSTER = 20;
export const ENGINE_INIT_SAMPLE_MIN = 1000;

export class ClusterError extends Error {
  override name = 'ClusterError';
}

export async function clusterTaxonomy(
  records: readonly CorpusRecord[],
  options: ClusterTaxonomyOptions,
): Promise<ClusterTaxonomyResult> {
  checkRecords(records);
  const n = records.length;
  if (options.k !== undefined) {
    if (!Number.isInteger(options.k) || options.k < 1) throw new ClusterError(`k must be a positive integer, got ${options.k}`);
    if (options.k > n) throw new ClusterError(`k = ${options.k} is larger than the number of records (${n})`);
  } else {
    if (n < 3) throw new ClusterError(`choosing k needs at least 3 records, got ${n}; pass k`);
    try {
      if (options.kRange !== undefined) expandKRange(options.kRange, n);
    } catch (err) {
      throw new ClusterError((err as Error).message);
    }
  }
  const texts = records.map((r) => r.text);
  const compact = n > (options.compactAbove ?? ENGINE_COMPACT_ABOVE);
  const emit = options.onProgress ?? (() => {});

  // 1. Vectors.
  let vectors: DenseMatrix<Float64Array>;
  let vectorizer: ClusterVectorizer;
  if (options.embeddings !== undefined) {
    const res = await embedTexts(texts, options.embeddings, options.gateway, options.signal);
    vectors = res.vectors;
    vectorizer = { kind: 'embeddings', modelId: res.modelId };
  } else {
    const fitted = LsaVectorizer.fit(texts, {
      seed: options.seed,
      dimensions: options.dimensions ?? (compact ? 64 : 100),
      svdSample: options.svdSample ?? ENGINE_SVD_SAMPLE,
      powerIterations: options.powerIterations ?? (compact ? 0 : LSA_POWER_ITERATIONS),
      // Terms seen once carry no similarity signal in a large corpus, but a small one may have few others.
      featurizer:
        options.featurizer ?? (compact ? COMPACT_LSA_FEATURIZER : n >= 50 ? DEFAULT_LSA_FEATURIZER : { ...DEFAULT_LSA_FEATURIZER, minDf: 1 }),
    });
    vectors = fitted.vectors;
    vectorizer = { kind: 'lsa', lsa: fitted.vectorizer };
  }
  options.signal?.throwIfAborted();
  const dims = vectors.cols;
  const unitVectors = Float64Array.from(vectors.data);
  const zero: boolean[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dims; d++) s += unitVectors[i * dims + d]! ** 2;
    zero.push(s === 0);
    if (s > 0) for (let d = 0; d < dims; d++) unitVectors[i * dims + d] = unitVectors[i * dims + d]! / Math.sqrt(s);
  }
  emit({
    type: 'vectorized',
    records: n,
    dimensions: dims,
    vectorizer: vectorizer.kind === 'lsa' ? 'lsa' : `embeddings:${vectorizer.modelId}`,
  });

  // 2. k-means (spherical: text vectors compare by angle), or Euclidean k-means on a UMAP layout of them.
  const unit: DenseMatrix<Float64Array> = { rows: n, cols: dims, data: unitVectors };
  const umapOpts = options.umap === true ? {} : options.umap === false ? undefined : options.umap;
  const space: DenseMatrix<Float64Array> =
    umapOpts === undefined ? unit : umapProject(unit, { dimensions: 5, neighbors: 15, minDist: 0, ...umapOpts, seed: options.seed });
  options.signal?.throwIfAborted();
  let km: KMeansResult;
  let silhouette: number | undefined;
  let kCandidates: ChooseKCandidate[] | undefined;
  let kChoice: ClusterTaxonomyResult['kChoice'];
  const spherical = space === unit;
  const common = { seed: options.seed, spherical, nInit: options.nInit ?? 1, maxIter: options.maxIter ?? (compact ? ENGINE_COMPACT_MAX_ITER : undefined) };
  const initSample = (k: number): number => options.initSample ?? Math.max(ENGINE_INIT_SAMPLE_MIN, ENGINE_INIT_SAMPLE_PER_CLUSTER * k);
  const large = n > (options.miniBatchAbove ?? 20_000);
  /** One clustering at k: full k-means restarts, or for a large corpus mini-batch k-means polished by Lloyd steps. */
  const fitK = (k: number, seed: number, nInit?: number): KMeansResult => {
    if (!large) return kmeans(space, { ...common, k, seed, initSample: initSample(k), ...(nInit !== undefined ? { nInit } : {}) });
    const mb = miniBatchKmeans(space, { k, seed, spherical });
    return kmeans(space, { k, seed, spherical, init: mb.centroids, maxIter: 3 });
  };
  if (options.k !== undefined) {
    km = fitK(options.k, options.seed);
    kChoice = { source: 'given', reason: `k = ${options.k}: given` };
    emit({ type: 'clustered', k: options.k, candidate: false, inertia: km.inertia });
  } else {
    let chosen: ReturnType<typeof chooseK>;
    if (options.kRange !== undefined) {
      chosen = chooseK(space, { ...common, kRange: options.kRange, sampleSize: options.silhouetteSample });
      const ks = chosen.candidates.map((c) => c.k);
      const [lo, hi] = [ks[0]!, ks[ks.length - 1]!];
      const atEdge = hi > lo && chosen.k === hi ? 'max' : hi > lo && chosen.k === lo ? 'min' : undefined;
      const edge = atEdge === 'max' ? '; it is the largest k tried, so more clusters may fit better' : atEdge === 'min' ? '; it is the smallest k tried' : '';
      kChoice = {
        source: 'silhouette',
        reason: `k = ${chosen.k}: highest silhouette (${chosen.silhouette.toFixed(3)}) of ${ks.length} values tried over k = ${lo}..${hi}${edge}`,
        ...(atEdge ? { atEdge } : {}),
        min: lo,
        max: hi,
      };
    } else {
      const span = defaultKSpan(n);
      // One restart per candidate is enough to rank them; the chosen k then gets every restart.
      const searched = searchK(space, { ...common, ...span, sampleSize: options.silhouetteSample, fit: (k, seed) => fitK(k, seed, 1) });
      chosen = searched;
      if ((options.nInit ?? 1) > 1 && !large) chosen = { ...searched, result: fitK(searched.k, kSeed(options.seed, searched.k)) };
      kChoice = { source: 'silhouette', reason: searched.reason, ...(searched.atEdge ? { atEdge: searched.atEdge } : {}), ...span };
    }
    for (const c of chosen.candidates) emit({ type: 'clustered', k: c.k, candidate: true, silhouette: c.silhouette, inertia: c.inertia });
    km = chosen.result;
    silhouette = chosen.silhouette;
    kCandidates = chosen.candidates;
  }
  options.signal?.throwIfAborted();
  const k = km.k;

  // 3. Label ids by cluster size (largest first; ties by first member), so C1 is the biggest cluster.
  const firstMember = new Int32Array(k).fill(n);
  for (let i = n - 1; i >= 0; i--) firstMember[km.labels[i]!] = i;
  const order = Array.from({ length: k }, (_, j) => j).sort(
    (a, b) => km.sizes[b]! - km.sizes[a]! || firstMember[a]! - firstMember[b]!,
  );
  const rank = new Int32Array(k);
  order.forEach((j, r) => (rank[j] = r));
  const ids = order.map((_, r) => `C${r + 1}`);
  const labelsByRank = Int32Array.from(km.labels, (j) => rank[j]!);
  const centroids = new Float64Array(k * dims);
  if (spherical) order.forEach((j, r) => centroids.set(km.centroids.subarray(j * dims, (j + 1) * dims), r * dims));
  else {
    // Clustered in the UMAP layout: each label's centroid is its members' mean direction in the vector space, so
    // distances, examples and the saved model (which labels new texts without UMAP) stay in that space.
    for (let i = 0; i < n; i++) {
      const c = labelsByRank[i]!;
      for (let d = 0; d < dims; d++) centroids[c * dims + d]! += unitVectors[i * dims + d]!;
    }
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += centroids[c * dims + d]! ** 2;
      if (s > 0) for (let d = 0; d < dims; d++) centroids[c * dims + d] = centroids[c * dims + d]! / Math.sqrt(s);
    }
  }

  // Cosine distance to the centroid (centroids are unit vectors; a zero vector is at distance 1).
  const distance = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = labelsByRank[i]!;
    let dot = 0;
    for (let d = 0; d < dims; d++) dot += unitVectors[i * dims + d]! * centroids[c * dims + d]!;
    distance[i] = 1 - dot;
  }
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) members[labelsByRank[i]!]!.push(i);

  // 4. Names: terms always (descriptions, disambiguation, hints for the model), the model when given.
  const terms = clusterTerms(texts, labelsByRank, k, options.terms);
  // Members most typical first: phrases are read from them (bounded), and the first is the medoid example.
  const typicalFirst = members.map((m) => [...m].sort((a, b) => distance[a]! - distance[b]! || a - b));
  const phrases = clusterPhrases(texts, typicalFirst, {
    maxWords: options.nameWords ?? 4,
    ...(options.terms?.stopwords ? { stopwords: options.terms.stopwords } : {}),
    ...(options.weakNameWords ? { weakWords: options.weakNameWords } : {}),
    ...(options.terms?.particles ? { particles: options.terms.particles } : {}),
    ...options.phrases,
  });
  const phraseNames = namesFromPhrases(phrases);
  const termNames: ClusterName[] = ids.map((id, r) => {
    const typical = nearestExamples(members[r]!, distance, texts, 1, 160)[0];
    const size = members[r]!.length;
    const phraseName = phraseNames[r];
    if (phraseName !== undefined) {
      return { name: phraseName, description: describeFromPhrases(phraseName, phrases[r]!, size, n, { ...(typical !== undefined ? { typical } : {}) }), source: 'terms' };
    }
    // No phrase of its own occurs twice (a tiny or very mixed cluster): its best terms, as before.
    const name = nameFromTerms(terms[r]!, options.nameWords ?? 3, {
      ...(options.weakNameWords ? { weakWords: options.weakNameWords } : {}),
      ...(options.terms?.particles ? { particles: options.terms.particles } : {}),
    });
    return {
      name: name === '' ? `cluster ${id}` : name,
      description: describeFromTerms(terms[r]!, size, n, { ...(typical !== undefined ? { typical } : {}) }),
      source: 'terms',
    };
  });
  let names = termNames;
  let failures: LlmNamingFailure[] = [];
  if (options.nameWith) {
    const res = await nameClustersWithLlm(
      ids.map((id, r) => ({ labelId: id, memberTexts: members[r]!.map((i) => texts[i]!), terms: terms[r]! })),
      termNames,
      { ...options.nameWith, useCase: options.useCase, seed: options.seed, total: n, ...(options.signal ? { signal: options.signal } : {}) },
    );
    names = res.names;
    failures = res.failures;
  }
  const finalNames = uniqueNames(
    names.map((x) => x.name),
    ids,
    terms,
    options.weakNameWords,
  );
  emit({ type: 'named', labels: k, source: options.nameWith ? 'llm' : 'terms', failures: failures.length });

  // 5. Taxonomy.
  const exampleCount = options.examples ?? 3;
  const sizes: Record<string, number> = {};
  ids.forEach((id, r) => (sizes[id] = members[r]!.length));
  const taxonomy = normalizeTaxonomy(
    TaxonomySchema.parse({
      schemaVersion: TAXONOMY_SCHEMA_VERSION,
      useCase: options.useCase,
      method: 'cluster',
      labels: ids.map((id, r) => ({
        id,
        name: finalNames[r]!,
        description: names[r]!.description,
        examples: nearestExamples(members[r]!, distance, texts, exampleCount),
      })),
      metadata: {
        cluster: {
          k,
          seed: options.seed,
          vectorizer: vectorizer.kind === 'lsa' ? 'lsa' : `embeddings:${vectorizer.modelId}`,
          dimensions: dims,
          inertia: km.inertia,
          ...(silhouette !== undefined ? { silhouette } : {}),
          kChoice: kChoice.reason,
          sizes,
          naming: options.nameWith ? 'llm' : 'terms',
          ...(failures.length > 0 ? { namingFailures: failures.length } : {}),
          topTerms: Object.fromEntries(ids.map((id, r) => [id, terms[r]!.slice(0, 10).map((t) => t.term)])),
          // The phrases names and descriptions were chosen from, with their scores: what a report shows per label.
          phrases: Object.fromEntries(ids.map((id, r) => [id, topPhrases(phrases[r]!, phraseNames[r])])),
        },
      },
    }),
  );
  const model = new ClusterModel(
    vectorizer,
    ids.map((id, r) => ({ id, name: finalNames[r]! })),
    centroids,
    dims,
    true,
    taxonomy.id,
  );
  const assignments = records.map((rec, i) => ({ id: rec.id, labelId: ids[labelsByRank[i]!]!, distance: distance[i]! }));
  return {
    taxonomy,
    assignments,
    model,
    k,
    inertia: km.inertia,
    ...(silhouette !== undefined ? { silhouette } : {}),
    ...(kCandidates !== undefined ? { kCandidates } : {}),
    kChoice,
    sizes,
    unvectorized: records.filter((_, i) => zero[i]).map((r) => r.id),
    naming: { source: options.nameWith ? 'llm' : 'terms', failures },
  };
}

/** Phrases kept per label in the taxonomy's metadata (`metadata.cluster.phrases`). */
const METADATA_PHRASES = 10;

/**
 * A label's best phrases for the taxonomy's metadata, near-duplicates left out (`distinctPhrases`; the one naming it
 * kept): the phrase as written, the share of the label's texts saying it
 * (coverage), the share of its uses in this label (precision) and their product (score), rounded so the file reads.
 */
function topPhrases(phrases: readonly ClusterPhrase[], name: string | undefined): ClusterPhraseSummary[] {
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  // The phrase naming the label is kept even when it ranks lower (names prefer longer phrases): its score belongs there.
  return distinctPhrases(phrases, METADATA_PHRASES, name).map((p) => ({ phrase: p.phrase, count: p.count, coverage: round(p.coverage), precision: round(p.precision), score: round(p.score) }));
}

function checkRecords(records: readonly CorpusRecord[]): void {
  if (records.length === 0) throw new ClusterError('no records to cluster');
  const seen = new Map<string, number>();
  records.forEach((r, i) => {
    if (typeof r?.id !== 'string' || r.id === '') throw new ClusterError(`record ${i}: field "id" must be a non-empty string`);
    if (typeof r.text !== 'string') throw new ClusterError(`record ${i} (id "${r.id}"): field "text" must be a string`);
    const prev = seen.get(r.id);
    if (prev !== undefined) throw new ClusterError(`record ${i}: id "${r.id}" repeats record ${prev}; ids must be unique`);
    seen.set(r.id, i);
  });
}

/** Up to `count` distinct member texts nearest to the centroid, shortened on a word boundary for display. */
function nearestExamples(
  members: readonly number[],
  distance: Float64Array,
  texts: readonly string[],
  count: number,
  maxChars = 300,
): string[] {
  const sorted = [...members].sort((a, b) => distance[a]! - distance[b]! || a - b);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const i of sorted) {
    if (out.length >= count) break;
    const t = shorten(texts[i]!.replace(/\s+/gu, ' ').trim(), maxChars);
    if (t === '' || seen.has(t)) continue;
    seen.add(t);
    out.push(t);
  }
  return out;
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max);
  let end = cut > max / 2 ? cut : max;
  // Never split a surrogate pair.
  const u = text.charCodeAt(end - 1);
  if (u >= 0xd800 && u <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

