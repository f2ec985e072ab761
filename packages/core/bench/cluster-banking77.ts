/**
 * Benchmark of the clustering taxonomy engine (offline: built-in LSA vectors, c-TF-IDF names) on the banking77 test
 * split against its 77 gold intents. Run from the repo root:
 *
 *   npx tsx --conditions=source packages/core/bench/cluster-banking77.ts [--quick]
 *
 * Reports NMI / ARI / harmonic purity, wall time and peak RSS for k = 77 and for k chosen by silhouette, against a
 * trivial baseline measured in the same run (uniformly random assignment to 77 clusters, seeded). `--quick` skips
 * the automatic-k run; `--scale` adds k-means timings on 10k and 50k synthetic 100-dimensional unit vectors
 * (k = 77, one restart, Elkan vs Hamerly bounds). Figures are printed; nothing is asserted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterTaxonomy, type ClusterTaxonomyOptions } from '../src/cluster/index.js';
import { clusteringReport, type ClusteringReport } from '../src/evaluate/clustering.js';
import { createRng } from '../src/util/random.js';
import { denseMatrix, normalizeRowsInPlace } from '../src/vectors/dense.js';
import { kmeans } from '../src/vectors/kmeans.js';
import { requireBenchData } from '../../../bench/shared-data.js';

// <repo root>/../shared/data/banking77, or $TAXONOMIST_DATA/banking77.
const DATA = join(requireBenchData('banking77', ['test.jsonl']), 'test.jsonl');
const SEED = 42;

interface Row {
  name: string;
  k: number;
  report: ClusteringReport;
  seconds: number;
  /** CPU time of this process during the run (user + system): robust to other load on the machine. */
  cpuSeconds: number;
  peakRssMb: number;
  note?: string;
}

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

/** Peak resident set size of this process so far, in MB (process-wide and monotonic, not per run). */
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const data = readBanking77(DATA);
  const records = data.map((r) => ({ id: r.id, text: r.text }));
  const gold = data.map((r) => r.label);
  const goldK = new Set(gold).size;
  console.log(`banking77 test: ${records.length} texts, ${goldK} gold intents; seed ${SEED}; node ${process.version}`);
  const rows: Row[] = [];

  // Trivial baseline: each text to one of k clusters uniformly at random (seeded).
  {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const rng = createRng(SEED);
    const pred = gold.map(() => `R${rng.int(goldK)}`);
    rows.push({
      name: 'random assignment (baseline)',
      k: goldK,
      report: clusteringReport(gold, pred),
      seconds: (performance.now() - t0) / 1000,
      cpuSeconds: cpuSince(c0),
      peakRssMb: peakRssMb(),
    });
  }

  const run = async (name: string, options: Omit<ClusterTaxonomyOptions, 'useCase' | 'seed'>): Promise<void> => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const res = await clusterTaxonomy(records, { useCase: "the customer's intent in a banking support message", seed: SEED, ...options });
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = cpuSince(c0);
    const pred = res.assignments.map((a) => a.labelId);
    const t1 = performance.now();
    const again = res.model.assign(records.map((r) => r.text));
    const assignSeconds = (performance.now() - t1) / 1000;
    const agree = again.filter((a, i) => a.labelId === pred[i]).length;
    const note = [
      res.silhouette !== undefined ? `silhouette ${res.silhouette.toFixed(3)} over k ∈ {${res.kCandidates!.map((c) => c.k).join(', ')}}` : undefined,
      `model.assign: ${Math.round(records.length / assignSeconds)} texts/s, ${agree}/${records.length} match`,
      `model JSON ${(JSON.stringify(res.model.toJSON()).length / 1e6).toFixed(1)} MB`,
      `e.g. ${res.taxonomy.labels
        .slice(0, 3)
        .map((l) => `"${l.name}"`)
        .join(', ')}`,
    ]
      .filter((x) => x !== undefined)
      .join('; ');
    rows.push({ name, k: res.k, report: clusteringReport(gold, pred), seconds, cpuSeconds, peakRssMb: peakRssMb(), note });
  };

  await run('LSA + spherical k-means, k = 77', { k: goldK });
  if (!quick) await run('LSA + spherical k-means, k by silhouette', { kRange: { min: 40, max: 120, step: 20 } });

  const base = rows[0]!.report;
  const ratio = (x: number, b: number): string => (Math.abs(b) < 1e-9 ? 'n/a' : `${(x / b).toFixed(1)}x`);
  console.log('');
  console.log('| run | k | NMI | ARI | harmonic purity | wall s | CPU s | peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const m = r.report;
    console.log(
      `| ${r.name} | ${r.k} | ${m.nmi.toFixed(3)} | ${m.ari.toFixed(3)} | ${m.harmonicPurity.toFixed(3)} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${r.peakRssMb.toFixed(0)} |`,
    );
  }
  console.log('');
  for (const r of rows.slice(1)) {
    const m = r.report;
    console.log(
      `${r.name}: NMI ${ratio(m.nmi, base.nmi)} / harmonic purity ${ratio(m.harmonicPurity, base.harmonicPurity)} the random baseline; ARI ${m.ari.toFixed(3)} vs ${base.ari.toFixed(3)}`,
    );
    if (r.note) console.log(`  ${r.note}`);
  }
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
    for (const algorithm of ['elkan', 'hamerly'] as const) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = kmeans(m, { k: 77, seed: SEED, spherical: true, nInit: 1, algorithm });
      const cpu = cpuSince(c0);
      const evals = r.restarts[0]!.distanceEvaluations / (n * 77);
      console.log(`| ${n} | ${algorithm} | ${r.iterations} | ${evals.toFixed(1)} | ${((performance.now() - t0) / 1000).toFixed(2)} | ${cpu.toFixed(2)} |`);
    }
  }
}

main()
  .then(() => {
    if (process.argv.includes('--scale')) scale();
  })
  .catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
