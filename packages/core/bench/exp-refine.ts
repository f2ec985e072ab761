import { readFileSync } from 'node:fs';
import { clusteringReport } from '../src/evaluate/clustering.js';
import { kmeans } from '../src/vectors/kmeans.js';
import { LsaVectorizer, DEFAULT_LSA_FEATURIZER } from '../src/vectors/lsa.js';
import { SparseTextFeaturizer } from '../src/vectors/sparse/featurizer.js';
import { refineByIterativeClassification } from '../src/cluster/refine.js';
const data = readFileSync('/work/shared/data/banking77/test.jsonl', 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const texts = data.map((d: any) => d.text as string);
const gold = data.map((d: any) => d.label as string);
const t0 = performance.now();
const fitted = LsaVectorizer.fit(texts, { seed: 1, dimensions: 100, featurizer: DEFAULT_LSA_FEATURIZER });
console.log('lsa s', ((performance.now() - t0) / 1000).toFixed(1));
const feats: Record<string, any> = {
  charwb: DEFAULT_LSA_FEATURIZER,
  word12: { blocks: [{ analyzer: 'word', ngramRange: [1, 2] }], minDf: 2, maxDf: 0.5, sublinearTf: true },
  word1: { blocks: [{ analyzer: 'word', ngramRange: [1, 1] }], minDf: 2, maxDf: 0.5, sublinearTf: true },
};
const xs: Record<string, any> = {};
for (const [name, f] of Object.entries(feats)) xs[name] = new SparseTextFeaturizer(f).fitTransform(texts);
const core = Number(process.argv[2] ?? 0.7);
for (const seed of [1, 2, 3]) {
  const t1 = performance.now();
  const km = kmeans(fitted.vectors, { k: 77, seed, spherical: true, nInit: 3 });
  const kmS = (performance.now() - t1) / 1000;
  const r0 = clusteringReport(gold, Array.from(km.labels, String));
  const line = [`seed ${seed} km ${kmS.toFixed(1)}s NMI ${r0.nmi.toFixed(3)} ARI ${r0.ari.toFixed(3)} HP ${r0.harmonicPurity.toFixed(3)}`];
  for (const name of Object.keys(xs)) {
    const t2 = performance.now();
    const ref = refineByIterativeClassification(xs[name], km.labels, 77, { core, epochs: Number(process.argv[3] ?? 5), learningRate: Number(process.argv[4] ?? 1) });
    const r = clusteringReport(gold, Array.from(ref.labels, String));
    line.push(`${name}: NMI ${r.nmi.toFixed(3)} ARI ${r.ari.toFixed(3)} HP ${r.harmonicPurity.toFixed(3)} rounds ${ref.rounds} ${((performance.now() - t2) / 1000).toFixed(1)}s`);
  }
  console.log(line.join(' | '));
}
