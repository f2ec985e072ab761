/**
 * Benchmark of the clustering taxonomy engine (offline: built-in LSA vectors, c-TF-IDF names) on the banking77 test
 * split against its 77 gold intents. Run from the repo root:
 *
 *   npx tsx --conditions=source packages/core/bench/cluster-banking77.ts [--quick]
 *
 * Reports the engine against plain TF-IDF + LSA + k-means (see `baseline`) at the same k, measured in the same run:
 * NMI / ARI / harmonic purity as median [min-max] over 3 seeds and the per-seed gain, at k = 77 and at the k the
 * engine chooses (with its reason and silhouette curve); CPU seconds per run; and the naming benchmark (share of the
 * k = 77 clusters whose name shares a content word with the majority gold intent), per seed, against the older
 * c-TF-IDF word names of the same clusters. `--quick` skips the automatic-k
 * run; `--scale` adds (`--scale-only`: only) k-means timings on 10k and 50k synthetic 100-dimensional unit vectors
 * (k = 77, one restart, Elkan vs Hamerly bounds); `--umap` adds UMAP before k-means against the engine at k = 77
 * (cluster-umap.ts). Figures are printed; nothing is asserted.
 *
 * Side by side with scikit-learn (when python3 with scikit-learn is installed; `--no-sklearn` skips it): the engine at
 * k = 77 against scikit-learn's TF-IDF + TruncatedSVD + KMeans / MiniBatchKMeans (cluster_sklearn.py, a child process)
 * on the same texts at `--sizes` (default 5000,10000,20000) texts: banking77 train + test (13,083 texts) in a seeded
 * order, and beyond that copies of them with one word dropped (so no two texts are equal). Time (wall and CPU) and NMI
 * against the gold intents of both, and the ratios. `--sklearn-only` runs only this part.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  clusterTaxonomy,
  ENGINE_COMPACT_ABOVE,
  ENGINE_COMPACT_MAX_ITER,
  ENGINE_INIT_SAMPLE_MIN,
  ENGINE_INIT_SAMPLE_PER_CLUSTER,
  ENGINE_SVD_SAMPLE,
  type ClusterTaxonomyOptions,
} from '../src/cluster/index.js';
import { verdictLines, type SizeVerdict } from './sklearn-verdict.js';
import { clusteringReport, type ClusteringReport } from '../src/evaluate/clustering.js';
import { createRng } from '../src/util/random.js';
import { denseMatrix, normalizeRowsInPlace } from '../src/vectors/dense.js';
import { kmeans } from '../src/vectors/kmeans.js';
import { miniBatchKmeans } from '../src/vectors/minibatch-kmeans.js';
import { SparseTextFeaturizer } from '../src/vectors/sparse/featurizer.js';
import { projectCsr, randomizedSvd } from '../src/vectors/svd.js';
import { namingLines, namingScore, termNames } from './naming-score.js';
import { umapComparison } from './cluster-umap.js';
import { requireBenchData } from '../../../bench/shared-data.js';

// <repo root>/../shared/data/banking77, or $TAXONOMIST_DATA/banking77.
const DATA_DIR = requireBenchData('banking77', ['train.jsonl', 'test.jsonl']);
const DATA = join(DATA_DIR, 'test.jsonl');
const SKLEARN_SCRIPT = fileURLToPath(new URL('./cluster_sklearn.py', import.meta.url));
const SEED = 42;

function readBanking77(path: string): { id: string; text: string; label: string }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, i }) => {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (err) {
        throw new Error(`${path}:${i + 1}: invalid JSON (${(err as Error).message})`);
      }
      const r = v as { id?: unknown; text?: unknown; label?: unknown };
      for (const f of ['id', 'text', 'label'] as const) {
        if (typeof r[f] !== 'string') throw new Error(`${path}:${i + 1}: field "${f}" must be a string`);
      }
      return r as { id: string; text: string; label: string };
    });
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}


const SEEDS = [1, 2, 3];
const USE_CASE = "the customer's intent in a banking support message";
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]): string => `${median(xs).toFixed(3)} [${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)}]`;

/**
 * The baseline the engine must beat: plain TF-IDF (word unigrams, as scikit-learn's TfidfVectorizer defaults) +
 * LSA (100-dimensional truncated SVD, rows L2-normalised) + k-means (Euclidean, one k-means++ start as
 * scikit-learn's n_init="auto"), all in this process.
 */
function baseline(texts: readonly string[], k: number, seed: number): Int32Array {
  const x = new SparseTextFeaturizer({ blocks: [{ analyzer: 'word', ngramRange: [1, 1] }], minDf: 1, minTokenLength: 2 }).fitTransform(texts);
  const svd = randomizedSvd(x, { components: 100, seed });
  const v = { rows: texts.length, cols: svd.k, data: projectCsr(x, svd, { normalize: true }) };
  return kmeans(v, { k, seed, nInit: 1 }).labels;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const data = readBanking77(DATA);
  const records = data.map((r) => ({ id: r.id, text: r.text }));
  const texts = records.map((r) => r.text);
  const gold = data.map((r) => r.label);
  const goldK = new Set(gold).size;
  console.log(`banking77 test: ${records.length} texts, ${goldK} gold intents; seeds ${SEEDS.join(', ')}; node ${process.version}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (timings on a shared machine: compare CPU s, not wall s)`);

  // The engine's own choice of k (seed 1; the search costs a dozen k-means runs, so it is not repeated per seed).
  let chosenK: number | undefined;
  if (!quick) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const res = await clusterTaxonomy(records, { useCase: USE_CASE, seed: SEEDS[0]! });
    chosenK = res.k;
    console.log(`\nengine's choice of k (seed ${SEEDS[0]}, ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${cpuSince(c0).toFixed(1)} s CPU): ${res.kChoice.reason}`);
    console.log(`  silhouette by k: ${res.kCandidates!.map((c) => `${c.k}:${c.silhouette.toFixed(3)}`).join(' ')}`);
  }

  const table: string[] = [];
  for (const k of chosenK !== undefined && chosenK !== goldK ? [goldK, chosenK] : [goldK]) {
    const eng: ClusteringReport[] = [];
    const base: ClusteringReport[] = [];
    const engCpu: number[] = [];
    const baseCpu: number[] = [];
    let naming: ReturnType<typeof namingScore> | undefined;
    const namingBySeed: string[] = [];
    const ownHits: number[] = [];
    const olderHits: number[] = [];
    for (const seed of SEEDS) {
      let c0 = process.cpuUsage();
      base.push(clusteringReport(gold, Array.from(baseline(texts, k, seed), String)));
      baseCpu.push(cpuSince(c0));
      c0 = process.cpuUsage();
      const res = await clusterTaxonomy(records, { useCase: USE_CASE, seed, k });
      engCpu.push(cpuSince(c0));
      const pred = res.assignments.map((a) => a.labelId);
      eng.push(clusteringReport(gold, pred));
      if (k === goldK) {
        // The naming benchmark on every seed's clusters: the engine's phrase names against the older c-TF-IDF word
        // names of the same clusters (the baseline, computed here).
        const own = namingScore(new Map(res.taxonomy.labels.map((l) => [l.id, l.name])), texts, pred, gold);
        const older = namingScore(termNames(res.taxonomy.labels.map((l) => l.id), texts, pred), texts, pred, gold);
        namingBySeed.push(`seed ${seed}: ${own.hits}/${own.total} phrase names vs ${older.hits}/${older.total} c-TF-IDF word names`);
        ownHits.push(own.hits);
        olderHits.push(older.hits);
      }
      if (k === goldK && seed === SEEDS[0]) {
        naming = namingScore(new Map(res.taxonomy.labels.map((l) => [l.id, l.name])), texts, pred, gold);
        console.log(`\nnames at k = ${k} (seed ${seed}), e.g.:`);
        for (const l of res.taxonomy.labels.slice(0, 5)) console.log(`  ${l.id} "${l.name}": ${l.description}`);
      }
    }
    for (const [name, rs, cpu] of [
      ['TF-IDF + LSA + k-means (baseline)', base, baseCpu],
      ['engine (char n-gram LSA + spherical k-means)', eng, engCpu],
    ] as const) {
      table.push(
        `| ${name} | ${k} | ${spread(rs.map((r) => r.nmi))} | ${spread(rs.map((r) => r.ari))} | ${spread(rs.map((r) => r.harmonicPurity))} | ${median([...cpu]).toFixed(1)} |`,
      );
    }
    const gain = (f: (r: ClusteringReport) => number): string => {
      const d = eng.map((r, i) => f(r) - f(base[i]!));
      return `${median(d) >= 0 ? '+' : ''}${median(d).toFixed(3)} (per seed ${d.map((x) => x.toFixed(3)).join(', ')})`;
    };
    table.push(`|  gain, engine - baseline, same seed | ${k} | ${gain((r) => r.nmi)} | ${gain((r) => r.ari)} | ${gain((r) => r.harmonicPurity)} | |`);
    if (naming) {
      for (const line of namingLines(k, naming)) console.log(line);
      const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
      console.log(`naming benchmark over ${SEEDS.length} seeds (names sharing a content word with the majority gold intent): ${namingBySeed.join('; ')}; total ${sum(ownHits)} vs ${sum(olderHits)} of ${SEEDS.length * k}`);
    }
  }
  if (process.argv.includes('--umap')) await umapComparison(records, gold, goldK, SEEDS, USE_CASE);
  console.log('');
  console.log('| run | k | NMI median [min-max] | ARI | harmonic purity | CPU s (median, per run) |');
  console.log('|---|---:|---|---|---|---:|');
  for (const line of table) console.log(line);
}

/** k-means alone at scale: unit vectors around 120 random directions (more than k, so clusters must merge). */
function scale(): void {
  console.log('');
  console.log('k-means at scale (synthetic, 100 dims, k = 77, nInit 1, spherical):');
  console.log('| points | bounds | iterations | distance evaluations / (n k) | wall s | CPU s |');
  console.log('|---:|---|---:|---:|---:|---:|');
  for (const n of [10_000, 50_000]) {
    const dims = 100;
    const rng = createRng(SEED);
    const centres = Array.from({ length: 120 }, () => Array.from({ length: dims }, () => rng.normal()));
    const m = denseMatrix(n, dims);
    for (let i = 0; i < n; i++) {
      const c = centres[rng.int(centres.length)]!;
      for (let d = 0; d < dims; d++) m.data[i * dims + d] = c[d]! + 1.5 * rng.normal();
    }
    normalizeRowsInPlace(m);
    let fullInertia = 0;
    for (const algorithm of ['elkan', 'hamerly'] as const) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = kmeans(m, { k: 77, seed: SEED, spherical: true, nInit: 1, algorithm });
      const cpu = cpuSince(c0);
      fullInertia = r.inertia;
      const evals = r.restarts[0]!.distanceEvaluations / (n * 77);
      console.log(`| ${n} | ${algorithm} | ${r.iterations} | ${evals.toFixed(1)} | ${((performance.now() - t0) / 1000).toFixed(2)} | ${cpu.toFixed(2)} |`);
    }
    // What the engine runs above 20 000 records: mini-batch k-means, then 3 Lloyd steps.
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const mb = miniBatchKmeans(m, { k: 77, seed: SEED, spherical: true });
    const r = kmeans(m, { k: 77, seed: SEED, spherical: true, init: mb.centroids, maxIter: 3 });
    console.log(
      `| ${n} | mini-batch + 3 Lloyd steps (inertia ${(r.inertia / fullInertia).toFixed(3)}x full) | ${mb.iterations} batches | | ${((performance.now() - t0) / 1000).toFixed(2)} | ${cpuSince(c0).toFixed(2)} |`,
    );
  }
}

/** python3 with scikit-learn, or undefined. */
function findPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

/**
 * n texts with gold intents: banking77 train + test in a seeded order; past its 13,083 texts, copies with one word
 * dropped at a seeded position (texts of fewer than 3 words are copied whole), so the gold labels stay meaningful.
 */
function corpusOfSize(pool: readonly { text: string; label: string }[], n: number, seed: number): { text: string; label: string }[] {
  const rng = createRng(seed);
  const order = pool.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out: { text: string; label: string }[] = [];
  for (let i = 0; i < n; i++) {
    const r = pool[order[i % pool.length]!]!;
    if (i < pool.length) {
      out.push(r);
      continue;
    }
    const words = r.text.split(/\s+/u).filter(Boolean);
    if (words.length >= 3) words.splice(rng.int(words.length), 1);
    out.push({ text: words.join(' '), label: r.label });
  }
  return out;
}

const secs = (x: number): string => x.toFixed(2);

/** The engine against scikit-learn's LSA + KMeans / MiniBatchKMeans pipeline, same texts, same k. */
async function vsSklearn(): Promise<void> {
  const py = findPython();
  console.log('');
  if (!py) {
    console.log('scikit-learn side by side: skipped, python3 with scikit-learn not found (Debian: apt-get install -y python3-sklearn)');
    return;
  }
  const sizesArg = process.argv.includes('--sizes') ? process.argv[process.argv.indexOf('--sizes') + 1]! : '5000,10000,20000';
  const sizes = sizesArg.split(',').map((x) => Number(x));
  if (sizes.some((x) => !Number.isInteger(x) || x < 100)) throw new Error(`--sizes: comma-separated integers >= 100, got "${sizesArg}"`);
  const pool = [...readBanking77(join(DATA_DIR, 'train.jsonl')), ...readBanking77(DATA)];
  const k = new Set(pool.map((r) => r.label)).size;
  const seed = SEEDS[0]!;
  const sk = spawnSync(py, ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8' }).stdout.trim();
  console.log(`engine vs scikit-learn ${sk} (TF-IDF + TruncatedSVD(100) + Normalizer + KMeans / MiniBatchKMeans, n_init=1), k = ${k}, seed ${seed}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('times in s, wall / CPU (scikit-learn: in its process, after imports and reading; CPU counts its BLAS/OpenMP threads)');
  console.log('');
  console.log('| texts | system | vectors | k-means | total | NMI | total vs scikit-learn KMeans pipeline, wall / CPU |');
  console.log('|---:|---|---|---|---|---:|---:|');
  const dir = mkdtempSync(join(tmpdir(), 'cluster-sklearn-'));
  const verdicts: SizeVerdict[] = [];
  try {
    for (const n of sizes) {
      const corpus = corpusOfSize(pool, n, seed);
      const gold = corpus.map((r) => r.label);
      const corpusPath = join(dir, `corpus-${n}.jsonl`);
      writeFileSync(corpusPath, corpus.map((r) => JSON.stringify({ text: r.text })).join('\n') + '\n');
      const outPath = join(dir, `sklearn-${n}.json`);
      const run = spawnSync(py, [SKLEARN_SCRIPT, corpusPath, String(k), String(seed), outPath], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`cluster_sklearn.py failed at ${n} texts:\n${run.stderr.slice(-3000)}`);
      const r = JSON.parse(readFileSync(outPath, 'utf8')) as {
        tfidf: { wall: number; cpu: number };
        svd: { wall: number; cpu: number };
        kmeans: { wall: number; cpu: number; labels: number[] };
        minibatch: { wall: number; cpu: number; labels: number[] };
      };
      // The engine, timed by stage through its progress events.
      const records = corpus.map((c, i) => ({ id: String(i), text: c.text }));
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const marks: Record<string, { wall: number; cpu: number }> = {};
      const mark = (name: string) => (marks[name] = { wall: (performance.now() - t0) / 1000, cpu: cpuSince(c0) });
      const res = await clusterTaxonomy(records, { useCase: USE_CASE, seed, k, onProgress: (e) => (e.type === 'named' ? undefined : mark(e.type)) });
      mark('done');
      const engNmi = clusteringReport(gold, res.assignments.map((a) => a.labelId)).nmi;
      const kmNmi = clusteringReport(gold, r.kmeans.labels.map(String)).nmi;
      const mbNmi = clusteringReport(gold, r.minibatch.labels.map(String)).nmi;
      const vec = { wall: r.tfidf.wall + r.svd.wall, cpu: r.tfidf.cpu + r.svd.cpu };
      const skTotal = { wall: vec.wall + r.kmeans.wall, cpu: vec.cpu + r.kmeans.cpu };
      const mbTotal = { wall: vec.wall + r.minibatch.wall, cpu: vec.cpu + r.minibatch.cpu };
      const v = marks.vectorized!;
      const c = marks.clustered!;
      const d = marks.done!;
      const wc = (x: { wall: number; cpu: number }) => `${secs(x.wall)} / ${secs(x.cpu)}`;
      const algo = n > 20_000 ? 'mini-batch + 3 Lloyd steps' : `k-means, greedy k-means++ on ${Math.min(n, Math.max(ENGINE_INIT_SAMPLE_MIN, ENGINE_INIT_SAMPLE_PER_CLUSTER * k))} points`;
      verdicts.push({ n, cpu: d.cpu / skTotal.cpu, wall: d.wall / skTotal.wall, nmi: engNmi, skNmi: kmNmi });
      const lsa = n > ENGINE_COMPACT_ABOVE ? `char 3-4-gram LSA, 64 dims, no power iteration, at most ${ENGINE_COMPACT_MAX_ITER} Lloyd iterations` : 'char 2-4-gram LSA, 100 dims';
      console.log(`| ${n} | engine (${lsa}, SVD fitted on ${Math.min(n, ENGINE_SVD_SAMPLE)} texts; ${algo}; total incl. naming) | ${wc(v)} | ${wc({ wall: c.wall - v.wall, cpu: c.cpu - v.cpu })} | ${wc(d)} | ${engNmi.toFixed(3)} | ${(d.wall / skTotal.wall).toFixed(2)} / ${(d.cpu / skTotal.cpu).toFixed(2)} (vectors + k-means ${(c.wall / skTotal.wall).toFixed(2)} / ${(c.cpu / skTotal.cpu).toFixed(2)}) |`);
      console.log(`| ${n} | scikit-learn KMeans | ${wc(vec)} | ${wc(r.kmeans)} | ${wc(skTotal)} | ${kmNmi.toFixed(3)} | 1 / 1 |`);
      console.log(`| ${n} | scikit-learn MiniBatchKMeans | ${wc(vec)} | ${wc(r.minibatch)} | ${wc(mbTotal)} | ${mbNmi.toFixed(3)} | ${(mbTotal.wall / skTotal.wall).toFixed(2)} / ${(mbTotal.cpu / skTotal.cpu).toFixed(2)} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const line of verdictLines(verdicts)) console.log(line);
}

const onlySklearn = process.argv.includes('--sklearn-only');
(process.argv.includes('--scale-only') || onlySklearn ? Promise.resolve() : main())
  .then(async () => {
    if (!process.argv.includes('--no-sklearn') && !process.argv.includes('--scale-only')) await vsSklearn();
    if (process.argv.includes('--scale') || process.argv.includes('--scale-only')) scale();
  })
  .catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
