import { describe, expect, it } from 'vitest';
import { verdictLines } from '../../bench/sklearn-verdict.js';

describe('bench:cluster verdict against scikit-learn', () => {
  const fast = { n: 5000, cpu: 0.8, wall: 0.9, nmi: 0.62, skNmi: 0.54 };

  it('is met only when every size is faster by CPU with NMI no lower', () => {
    expect(verdictLines([fast, { ...fast, n: 10000 }])[1]).toMatch(/: MET \(/);
  });

  it('says not met, naming the sizes, when one size is slower or worse', () => {
    const lines = verdictLines([fast, { ...fast, n: 10000, cpu: 1.2 }, { ...fast, n: 20000, nmi: 0.5 }]);
    expect(lines[1]).toMatch(/NOT MET at 10000, 20000 texts/);
    expect(lines[1]).toContain('10000: CPU 1.20x');
  });

  it('reports wall time separately', () => {
    expect(verdictLines([{ ...fast, wall: 1.5 }])[2]).toMatch(/not faster at 5000 texts/);
    expect(verdictLines([])).toEqual([]);
  });
});
