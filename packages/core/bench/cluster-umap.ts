/**
 * Does UMAP on the LSA vectors before k-means (BERTopic's recipe) improve the offline engine on BANKING77? The engine
 * as it is against the engine with `umap: true` (umap-js: 5 dimensions, 15 neighbours, min_dist 0, then Euclidean
 * k-means on the layout), same seed, at the gold k. Run by `npm run bench:cluster -- --umap`; prints NMI / ARI /
 * harmonic purity and CPU seconds per seed, and the gain. Nothing is asserted.
 */
import { clusterTaxonomy } from '../src/cluster/index.js';
import { clusteringReport } from '../src/evaluate/clustering.js';

const cpu = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
};

export async function umapComparison(records: readonly { id: string; text: string }[], gold: readonly string[], k: number, seeds: readonly number[], useCase: string): Promise<void> {
  console.log(`\nUMAP before k-means (k = ${k}): the engine against the engine with umap: true (5 dims, 15 neighbours, min_dist 0):`);
  console.log('| seed | engine NMI | +UMAP NMI | engine ARI | +UMAP ARI | engine h-purity | +UMAP h-purity | engine CPU s | +UMAP CPU s |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const gains: { nmi: number; ari: number; hp: number }[] = [];
  for (const seed of seeds) {
    let c0 = process.cpuUsage();
    const plain = await clusterTaxonomy(records, { useCase, seed, k });
    const plainCpu = cpu(c0);
    c0 = process.cpuUsage();
    const withUmap = await clusterTaxonomy(records, { useCase, seed, k, umap: true });
    const umapCpu = cpu(c0);
    const eng = clusteringReport(gold, plain.assignments.map((a) => a.labelId));
    const um = clusteringReport(gold, withUmap.assignments.map((a) => a.labelId));
    gains.push({ nmi: um.nmi - eng.nmi, ari: um.ari - eng.ari, hp: um.harmonicPurity - eng.harmonicPurity });
    const f = (x: number): string => x.toFixed(3);
    console.log(`| ${seed} | ${f(eng.nmi)} | ${f(um.nmi)} | ${f(eng.ari)} | ${f(um.ari)} | ${f(eng.harmonicPurity)} | ${f(um.harmonicPurity)} | ${plainCpu.toFixed(1)} | ${umapCpu.toFixed(1)} |`);
  }
  const list = (key: 'nmi' | 'ari' | 'hp'): string => gains.map((g) => `${g[key] >= 0 ? '+' : ''}${g[key].toFixed(3)}`).join(', ');
  console.log(`gain with UMAP per seed: NMI ${list('nmi')}; ARI ${list('ari')}; harmonic purity ${list('hp')}`);
}
