import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPluginHost } from '@taxonomist/core';
import {
  MODEL_SCHEMA_VERSION,
  createDistillRegistry,
  crossValidate,
  evaluate,
  loadClassifier,
  naiveBayes,
  saveClassifier,
  serializeModel,
  train,
  type ClassifierDefinition,
} from '../src/index.js';
import { syntheticExamples } from './helpers.js';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'distill-train-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const trainSet = syntheticExamples(240, 1);
const testSet = syntheticExamples(90, 2);
const probes = testSet.map((e) => e.text);

describe('train with every classifier', () => {
  for (const classifier of [{ type: 'linear-svm' }, { type: 'logistic', C: 10 }, { type: 'naive-bayes' }, { type: 'ovr-logistic' }]) {
    it(`${classifier.type} learns the synthetic intents (accuracy > 0.85) with probabilities summing to 1`, async () => {
      const { model, report } = await train(trainSet, { classifier, seed: 3 });
      expect(report.labels).toBe(3);
      const ev = await evaluate(model, testSet);
      expect(ev.accuracy).toBeGreaterThan(0.85);
      expect(ev.topK['3']).toBe(1);
      const preds = model.predictSync(probes.slice(0, 5), { k: 3 });
      // predictBatch gives the same labels and probabilities as typed arrays.
      const batch = model.predictBatch(probes.slice(0, 5), { k: 3 });
      preds.forEach((p, i) => {
        expect(batch.labels[batch.label[i]!]).toBe(p.label);
        p.topK.forEach((t, j) => {
          expect(batch.labels[batch.topK[i * 3 + j]!]).toBe(t.label);
          expect(batch.topKProbability[i * 3 + j]).toBeCloseTo(t.probability, 6);
        });
      });
      // probabilities() (used by evaluate) agrees with predict.
      const P = model.probabilities(await model.featurizer.transform(probes.slice(0, 5)));
      preds.forEach((p, i) => expect(P[i * 3 + model.labels.indexOf(p.label)]).toBeCloseTo(p.probability, 10));
      for (const p of preds) {
        expect(p.topK).toHaveLength(3);
        expect(p.topK[0]!.label).toBe(p.label);
        expect(p.topK[0]!.probability).toBeGreaterThanOrEqual(p.topK[1]!.probability);
        if (model.linear.link === 'softmax') expect(p.topK.reduce((s, t) => s + t.probability, 0)).toBeCloseTo(1, 6);
      }
    });
  }
});

describe('model files', () => {
  it('save/load round trip gives identical predictions, and the same seed gives identical bytes', async () => {
    const dir = await tmp();
    const { model } = await train(trainSet, { seed: 7, taxonomyId: 'tax-123' });
    const path = join(dir, 'model.json');
    await saveClassifier(model, path);
    const loaded = await loadClassifier(path);
    expect(loaded.taxonomyId).toBe('tax-123');
    expect(loaded.labels).toEqual(model.labels);
    expect(loaded.predictSync(probes, { k: 3 })).toEqual(model.predictSync(probes, { k: 3 }));
    const { model: again } = await train(trainSet, { seed: 7, taxonomyId: 'tax-123' });
    expect(serializeModel(again)).toBe(await readFile(path, 'utf8'));
    // Another seed shuffles coordinate descent differently: a different (if equivalent) model.
    const { model: other } = await train(trainSet, { seed: 8, taxonomyId: 'tax-123' });
    expect(serializeModel(other)).not.toBe(serializeModel(model));
  });

  it('refuses another schema version, another format and corrupt weights with clear errors', async () => {
    const dir = await tmp();
    const { model } = await train(trainSet, { classifier: { type: 'naive-bayes' } });
    const doc = JSON.parse(serializeModel(model));
    const write = async (name: string, value: unknown) => {
      const p = join(dir, name);
      await writeFile(p, typeof value === 'string' ? value : JSON.stringify(value));
      return p;
    };
    await expect(loadClassifier(await write('v2.json', { ...doc, schemaVersion: MODEL_SCHEMA_VERSION + 1 }))).rejects.toThrow(
      /v2\.json: model file schemaVersion 2 .* reads schemaVersion 1/,
    );
    await expect(loadClassifier(await write('other.json', { hello: 1 }))).rejects.toThrow(/not a Taxonomist distill model/);
    await expect(loadClassifier(await write('bad.json', '{"format": '))).rejects.toThrow(/bad\.json: model file is not valid JSON/);
    await expect(
      loadClassifier(await write('short.json', { ...doc, classifier: { ...doc.classifier, weights: 'AAAAAA==' } })),
    ).rejects.toThrow(/classifier.weights holds 1 values/);
    await expect(loadClassifier(await write('labels.json', { ...doc, labels: ['x'] }))).rejects.toThrow(/classifier.classes: 3 classes for 1 labels/);
    await expect(loadClassifier(join(dir, 'missing.json'))).rejects.toThrow(/cannot read model file/);
  });
});

describe('training options', () => {
  it('grid search picks a C by cross-validation and records the table', async () => {
    const { report, model } = await train(trainSet, { grid: { C: [0.001, 1] }, folds: 3, seed: 1 });
    expect(report.grid!.results.map((r) => r.params)).toEqual([{ C: 0.001 }, { C: 1 }]);
    const best = report.grid!.results.reduce((a, b) => (b.mean > a.mean ? b : a));
    expect(report.classifier.C).toBe(best.params.C);
    expect(model.meta.classifier.C).toBe(best.params.C);
  });

  it('early stopping holds out a stratified validation split and keeps the best round', async () => {
    const { report } = await train(trainSet, { classifier: { type: 'logistic', maxIterations: 50 }, validation: { fraction: 0.2, patience: 2 } });
    expect(report.validationExamples).toBe(48);
    expect(report.trainExamples).toBe(192);
    const es = report.info.earlyStopping as { bestRound: number; history: number[]; bestScore: number };
    expect(es.bestScore).toBe(Math.max(...es.history));
    expect(es.history.length).toBeGreaterThanOrEqual(es.bestRound);
  });

  it('class weights "balanced" lift the recall of a rare class', async () => {
    const skewed = [...trainSet.filter((e) => e.label !== 'refund'), ...trainSet.filter((e) => e.label === 'refund').slice(0, 4)];
    const recallOf = async (classWeight: string) => {
      const { model } = await train(skewed, { classifier: { type: 'linear-svm', classWeight, C: 0.05 } });
      const ev = await evaluate(model, testSet);
      return ev.perLabel.find((r) => r.label === 'refund')!.recall;
    };
    expect(await recallOf('balanced')).toBeGreaterThan(await recallOf('none'));
  });

  it('multi-label training predicts label sets', async () => {
    const multi = trainSet.map((e, i) => (i % 4 === 0 ? { ...e, text: `${e.text} refund money back`, labels: [e.label, 'refund'] } : e));
    const { model } = await train(multi, { multiLabel: true, classifier: { type: 'ovr-logistic' }, threshold: 0.5 });
    const [p] = model.predictSync(['lost stolen card refund money back merchant']);
    expect(p!.labels).toEqual(expect.arrayContaining(['card_lost', 'refund']));
  });

  it('rejects bad input clearly', async () => {
    await expect(train([{ text: 'a', label: 'x' }, { text: 'b', label: 'x' }])).rejects.toThrow(/at least 2 labels/);
    await expect(train([{ id: 'q', text: 3 as unknown as string, label: 'x' }])).rejects.toThrow(/examples\[0\] \(id "q"\): field "text"/);
    await expect(train(trainSet, { labels: ['card_lost', 'top_up'] })).rejects.toThrow(/label "refund" is not in options.labels/);
    await expect(train(trainSet, { classifier: { type: 'nope' } })).rejects.toThrow(/unknown classifier "nope"/);
    await expect(train(trainSet, { classifier: { type: 'linear-svm', C: -1 } })).rejects.toThrow(/classifier "linear-svm": C/);
    await expect(train(trainSet, { multiLabel: true, classifier: { type: 'naive-bayes' } })).rejects.toThrow(/does not support multi-label/);
  });
});

describe('cross-validation', () => {
  it('gives out-of-fold probabilities for every example and per-fold metrics', async () => {
    const cv = await crossValidate(trainSet, { folds: 4, seed: 2 });
    expect(cv.probabilities.length).toBe(trainSet.length * 3);
    expect(cv.perFold).toHaveLength(4);
    expect(new Set(cv.foldOf).size).toBe(4);
    expect(cv.report.accuracy).toBeGreaterThan(0.8);
  });
});

describe('plugins', () => {
  it('a plugin registry entry adds a classifier kind that train can use', async () => {
    // A custom kind: its own config schema, delegating the maths to naive Bayes with a strong smoothing.
    const myNb: ClassifierDefinition<{ type: 'my-nb'; alpha: number }> = {
      type: 'my-nb',
      schema: z.object({ type: z.literal('my-nb'), alpha: z.number().positive().default(5) }),
      supports: ['single'],
      train: (ctx, cfg) => naiveBayes.train(ctx, { type: 'naive-bayes', alpha: cfg.alpha, fitPrior: true, classWeight: 'none' }),
    };
    const host = createPluginHost([{ name: 'p', registries: { classifiers: { 'my-nb': myNb } } }]);
    const registry = createDistillRegistry(host);
    const { model } = await train(trainSet, { classifier: { type: 'my-nb' } as { type: string }, registry });
    expect(model.meta.classifier).toEqual({ type: 'my-nb', alpha: 5 });
    expect((await evaluate(model, testSet)).accuracy).toBeGreaterThan(0.8);
    await expect(train(trainSet, { classifier: { type: 'my-nb' } })).rejects.toThrow(/unknown classifier "my-nb"/);
    expect(() => createDistillRegistry({ registry: (k) => new Map(k === 'classifiers' ? [['x', {}]] : []) })).toThrow(/zod schema and train/);
  });
});
