import { describe, it, expect } from 'vitest';
import { accuracy, classificationReport, cohenKappa, macroF1, topKAccuracy } from '../../src/evaluate/index.js';

// Expected numbers below are worked out by hand from the definitions (sklearn conventions, zero_division=0).
describe('classificationReport', () => {
  // gold a a b b c / pred a b b b a
  // a: tp 1, predicted 2, support 2 -> P 1/2, R 1/2, F1 1/2
  // b: tp 2, predicted 3, support 2 -> P 2/3, R 1, F1 0.8
  // c: tp 0, predicted 0, support 1 -> P 0 (0/0), R 0, F1 0
  const gold = ['a', 'a', 'b', 'b', 'c'];
  const pred = ['a', 'b', 'b', 'b', 'a'];

  it('computes per-label and averaged metrics', () => {
    const r = classificationReport(gold, pred);
    expect(r.n).toBe(5);
    expect(r.accuracy).toBeCloseTo(0.6, 12);
    expect(r.perLabel.map((x) => x.label)).toEqual(['a', 'b', 'c']);
    expect(r.perLabel[0]).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2, predicted: 2 });
    expect(r.perLabel[1]!.precision).toBeCloseTo(2 / 3, 12);
    expect(r.perLabel[1]!.recall).toBe(1);
    expect(r.perLabel[1]!.f1).toBeCloseTo(0.8, 12);
    expect(r.perLabel[2]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1, predicted: 0 });
    expect(r.macroPrecision).toBeCloseTo((0.5 + 2 / 3) / 3, 12);
    expect(r.macroRecall).toBeCloseTo(0.5, 12);
    expect(r.macroF1).toBeCloseTo(1.3 / 3, 12);
    expect(r.weightedF1).toBeCloseTo((2 * 0.5 + 2 * 0.8) / 5, 12);
    // po 0.6; pe = .4*.4 + .4*.6 + .2*0 = .4 -> (0.6-0.4)/0.6
    expect(r.kappa).toBeCloseTo(1 / 3, 12);
  });

  it('builds the confusion matrix with gold rows and predicted columns, and ranks confusions', () => {
    const r = classificationReport(gold, pred);
    expect(r.confusion).toEqual({
      labels: ['a', 'b', 'c'],
      matrix: [
        [1, 1, 0],
        [0, 2, 0],
        [1, 0, 0],
      ],
    });
    expect(r.topConfusions).toEqual([
      { gold: 'a', predicted: 'b', count: 1 },
      { gold: 'c', predicted: 'a', count: 1 },
    ]);
    const r2 = classificationReport(['x', 'x', 'x', 'y'], ['y', 'y', 'x', 'x']);
    expect(r2.topConfusions[0]).toEqual({ gold: 'x', predicted: 'y', count: 2 });
  });

  it('lists given labels even without support, in the given order, and keeps unlisted ones out of averages', () => {
    const r = classificationReport(gold, pred, { labels: ['c', 'b', 'a', 'z'] });
    expect(r.confusion.labels).toEqual(['c', 'b', 'a', 'z']);
    expect(r.perLabel[3]).toMatchObject({ label: 'z', precision: 0, recall: 0, f1: 0, support: 0, predicted: 0 });
    expect(r.macroF1).toBeCloseTo(1.3 / 4, 12);
    const only = classificationReport(gold, pred, { labels: ['a', 'b'] });
    expect(only.macroRecall).toBeCloseTo(0.75, 12);
    expect(only.accuracy).toBeCloseTo(0.6, 12); // accuracy is over all records
    expect(() => classificationReport(gold, pred, { labels: ['a', 'a'] })).toThrow(/twice/);
  });

  it('rejects mismatched lengths and handles empty input', () => {
    expect(() => classificationReport(['a'], [])).toThrow(/1 labels but predictions have 0/);
    const e = classificationReport([], []);
    expect(e).toMatchObject({ n: 0, accuracy: 0, macroF1: 0, weightedF1: 0, kappa: 0 });
  });
});

describe('standalone metrics', () => {
  it('accuracy and macroF1', () => {
    expect(accuracy(['a', 'b', 'c', 'd'], ['a', 'b', 'x', 'd'])).toBe(0.75);
    // perfect on a, b: F1 1 each; labels a,b -> macro 1; with a wrong pred 'c' for b: a F1 1, b F1 2/3, c F1 0
    expect(macroF1(['a', 'b'], ['a', 'b'])).toBe(1);
    expect(macroF1(['a', 'b', 'b'], ['a', 'b', 'c'])).toBeCloseTo((1 + 2 / 3 + 0) / 3, 12);
  });

  it("Cohen's kappa matches the textbook example (Wikipedia: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> 0.4)", () => {
    const a: string[] = [];
    const b: string[] = [];
    const push = (x: string, y: string, k: number) => {
      for (let i = 0; i < k; i++) {
        a.push(x);
        b.push(y);
      }
    };
    push('yes', 'yes', 20);
    push('yes', 'no', 5);
    push('no', 'yes', 10);
    push('no', 'no', 15);
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 12);
    expect(cohenKappa(['a', 'b', 'a'], ['a', 'b', 'a'])).toBe(1);
    // Systematic disagreement: po 0, pe .5 -> -1
    expect(cohenKappa(['a', 'b'], ['b', 'a'])).toBeCloseTo(-1, 12);
    // Degenerate single-label agreement is reported as 1, not NaN.
    expect(cohenKappa(['a', 'a'], ['a', 'a'])).toBe(1);
  });

  it('top-k accuracy', () => {
    const gold = ['a', 'b', 'c'];
    const ranked = [['a', 'b'], ['c', 'b'], ['a', 'b', 'c']];
    expect(topKAccuracy(gold, ranked, 1)).toBeCloseTo(1 / 3, 12);
    expect(topKAccuracy(gold, ranked, 2)).toBeCloseTo(2 / 3, 12);
    expect(topKAccuracy(gold, ranked, 3)).toBe(1);
    expect(() => topKAccuracy(gold, ranked, 0)).toThrow(/positive integer/);
    expect(() => topKAccuracy(gold, ranked.slice(1), 1)).toThrow(/2 rows/);
  });
});
