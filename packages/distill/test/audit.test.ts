import { describe, expect, it } from 'vitest';
import { confidentLearning } from '../src/index.js';

describe('confidentLearning', () => {
  it('flags the examples whose given label the probabilities dispute and estimates the noise rate', () => {
    const labels = ['a', 'b'];
    // 8 examples given 'a', 8 given 'b'; examples 3 and 12 are mislabeled (the model is confident in the other label).
    const rows: [number, number][] = [];
    const given: number[] = [];
    for (let i = 0; i < 16; i++) {
      const g = i < 8 ? 0 : 1;
      given.push(g);
      const flipped = i === 3 || i === 12;
      const pTrue = flipped ? 0.1 : 0.9;
      rows.push(g === 0 ? [pTrue, 1 - pTrue] : [1 - pTrue, pTrue]);
    }
    const P = Float64Array.from(rows.flat());
    const res = confidentLearning(P, Int32Array.from(given), labels, rows.map((_, i) => `r${i}`));
    // thresholds: mean self-confidence of each label = (7 * 0.9 + 0.1) / 8 = 0.8
    expect(res.thresholds).toEqual([expect.closeTo(0.8, 12), expect.closeTo(0.8, 12)]);
    expect(res.issues.map((i) => i.id)).toEqual(['r3', 'r12']);
    expect(res.issues[0]).toMatchObject({ givenLabel: 'a', suggestedLabel: 'b', givenProbability: 0.1 });
    expect(res.confidentJoint).toEqual([
      [7, 1],
      [1, 7],
    ]);
    expect(res.noiseRate).toBeCloseTo(2 / 16, 12);
    expect(res.estimatedNoisyExamples).toBe(2);
    expect(Array.from(res.ranking.slice(0, 2))).toEqual([3, 12]);
    expect(res.perLabel[0]).toMatchObject({ label: 'a', examples: 8, flagged: 1 });
  });

  it('finds no issue when the model agrees with every label', () => {
    const P = Float64Array.from([0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.1, 0.9]);
    const res = confidentLearning(P, Int32Array.from([0, 0, 1, 1]), ['a', 'b']);
    expect(res.issues).toEqual([]);
    expect(res.noiseRate).toBe(0);
  });
});
