import { describe, expect, it } from 'vitest';
import { csrFromDense } from '@taxonomist/core';
import { trainNaiveBayes } from '../src/index.js';

describe('multinomial naive Bayes', () => {
  it('matches hand-computed smoothed log-probabilities and log-priors', () => {
    // 3 features; class 0 rows [2,1,0],[1,0,0]; class 1 row [0,1,3].
    const X = csrFromDense([2, 1, 0, 1, 0, 0, 0, 1, 3], 3, 3);
    const { weights, bias } = trainNaiveBayes(X, Int32Array.from([0, 0, 1]), 2, { alpha: 1, fitPrior: true });
    // class 0 counts [3,1,0] total 4 -> theta = [4,2,1]/7 ; class 1 counts [0,1,3] total 4 -> [1,2,4]/7
    const expect0 = [4 / 7, 2 / 7, 1 / 7].map(Math.log);
    const expect1 = [1 / 7, 2 / 7, 4 / 7].map(Math.log);
    for (let f = 0; f < 3; f++) {
      expect(weights[f * 2]).toBeCloseTo(expect0[f]!, 12);
      expect(weights[f * 2 + 1]).toBeCloseTo(expect1[f]!, 12);
    }
    expect(bias[0]).toBeCloseTo(Math.log(2 / 3), 12);
    expect(bias[1]).toBeCloseTo(Math.log(1 / 3), 12);
    const uniform = trainNaiveBayes(X, Int32Array.from([0, 0, 1]), 2, { alpha: 1, fitPrior: false });
    expect(Array.from(uniform.bias)).toEqual([Math.log(0.5), Math.log(0.5)]);
  });

  it('rejects negative features with a clear message', () => {
    const X = csrFromDense([1, -1], 1, 2);
    expect(() => trainNaiveBayes(X, Int32Array.from([0]), 2, { alpha: 1, fitPrior: true })).toThrow(/non-negative/);
  });
});
