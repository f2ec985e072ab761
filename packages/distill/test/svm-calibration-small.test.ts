/**
 * SVM probability calibration on a small many-class problem (the bundled banking sample: ~9 examples per label over
 * 77 labels). There almost every example is a support vector with a large dual weight, so the approximate
 * leave-one-out scores over-correct and a temperature fitted on them collapsed to its lower bound (every probability
 * ~1/77). The default must give sensible probabilities there.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '@taxonomist/core';
import { evaluate, readLabeledFile, stratifiedHoldout, train, type LabeledExample } from '../src/index.js';

const SAMPLE = new URL('../../../examples/data/banking-sample.jsonl', import.meta.url).pathname;

async function sampleSplit(): Promise<{ trainSet: LabeledExample[]; heldOut: LabeledExample[]; K: number }> {
  const { examples } = await readLabeledFile(SAMPLE);
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const y = Int32Array.from(examples, (e) => index.get(e.label)!);
  const { train: tr, validation } = stratifiedHoldout(y, labels.length, 0.2, createRng(7));
  return { trainSet: Array.from(tr, (i) => examples[i]!), heldOut: Array.from(validation, (i) => examples[i]!), K: labels.length };
}

describe('linear SVM calibration on small many-class data', () => {
  it('default probabilities are far from uniform and beat the uniform log-loss on held-out data', async () => {
    const { trainSet, heldOut, K } = await sampleSplit();
    expect(K).toBeGreaterThan(50);
    const { model, report } = await train(trainSet, { seed: 7 });
    const scale = report.info.calibrationScale as number;
    expect(scale).toBeGreaterThan(1);
    const ev = await evaluate(model, heldOut);
    // Uniform probabilities give log K (4.34 here); the old default scored 4.3438.
    expect(ev.logLoss).toBeLessThan(0.5 * Math.log(K));
    const preds = await model.predict(heldOut.map((e) => e.text), { k: 1 });
    const meanTop = preds.reduce((s, p) => s + p.probability, 0) / preds.length;
    expect(meanTop).toBeGreaterThan(20 / K);
    // Calibrated: mean confidence within 0.15 of the held-out accuracy.
    expect(Math.abs(meanTop - ev.accuracy)).toBeLessThan(0.15);
  });

  it("'loo' detects its degenerate fit and falls back to out-of-fold scores", async () => {
    const { trainSet, heldOut, K } = await sampleSplit();
    const { model, report } = await train(trainSet, { seed: 7, classifier: { type: 'linear-svm', calibration: 'loo' } });
    expect(report.info.calibrationFallback).toBe('cv');
    expect((await evaluate(model, heldOut)).logLoss).toBeLessThan(0.5 * Math.log(K));
  });
});
