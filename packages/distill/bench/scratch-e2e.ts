import { readFileSync } from 'node:fs';
import { train, evaluate, serializeModel, modelFromJSON } from '../src/index.js';
const load = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string; label: string });
const tr = load('../shared/data/banking77/train.jsonl');
const te = load('../shared/data/banking77/test.jsonl');
const opts = JSON.parse(process.argv[2] ?? '{}');
let t = performance.now();
const { model, report } = await train(tr, opts);
console.log('train ms', (performance.now() - t).toFixed(0), JSON.stringify(report.timingsMs), JSON.stringify(report.info).slice(0, 300));
const ev = await evaluate(model, te);
console.log('acc', ev.accuracy.toFixed(4), 'macroF1', ev.macroF1.toFixed(4), 'top', JSON.stringify(ev.topK), 'logloss', ev.logLoss.toFixed(4), 'kappa', ev.kappa.toFixed(4));
const texts = te.map((r) => r.text);
for (let rep = 0; rep < 3; rep++) {
  t = performance.now();
  model.predictSync(texts, { k: 5 });
  const dt = performance.now() - t;
  t = performance.now();
  model.predictLabelsSync(texts);
  const dt2 = performance.now() - t;
  console.log('predict texts/s', ((texts.length / dt) * 1000).toFixed(0), 'labels-only texts/s', ((texts.length / dt2) * 1000).toFixed(0));
}
const s = serializeModel(model);
console.log('model bytes', s.length, 'rss MB', (process.memoryUsage().rss / 1e6).toFixed(0));
const m2 = modelFromJSON(JSON.parse(s));
const a = model.predictSync(texts.slice(0, 200)); const b = m2.predictSync(texts.slice(0, 200));
console.log('roundtrip identical', JSON.stringify(a) === JSON.stringify(b));
