import { describe, it, expect } from 'vitest';
import { ari, clusteringReport, fleissKappa, harmonicPurity, inversePurity, nmi, purity } from '../../src/evaluate/index.js';

const s = (xs: number[]) => xs.map(String);

describe('NMI (arithmetic normalisation)', () => {
  it('is 1 for identical partitions whatever the names, 0 for independent ones', () => {
    expect(nmi(s([0, 0, 1, 1]), s([0, 0, 1, 1]))).toBeCloseTo(1, 12);
    expect(nmi(s([0, 0, 1, 1]), ['x', 'x', 'y', 'y'])).toBeCloseTo(1, 12);
    expect(nmi(s([0, 0, 0, 0]), s([0, 1, 2, 3]))).toBe(0);
    // Independent: each gold class spread evenly over both clusters -> MI 0.
    expect(nmi(s([0, 0, 1, 1]), s([0, 1, 0, 1]))).toBe(0);
    expect(nmi(s([0, 0]), s([5, 5]))).toBe(1);
  });

  it('matches a hand computation', () => {
    // gold [0,0,1,1], pred [0,0,1,2]: H(g) = ln2, H(p) = 1.5 ln2, MI = .5 ln2 + .25 ln2 + .25 ln2 = ln2
    // NMI = ln2 / ((ln2 + 1.5 ln2) / 2) = 0.8
    expect(nmi(s([0, 0, 1, 1]), s([0, 0, 1, 2]))).toBeCloseTo(0.8, 12);
  });
});

describe('ARI', () => {
  it('matches sklearn documentation examples', () => {
    expect(ari(s([0, 0, 1, 1]), s([1, 1, 0, 0]))).toBeCloseTo(1, 12);
    expect(ari(s([0, 0, 1, 2]), s([0, 0, 1, 1]))).toBeCloseTo(4 / 7, 12); // sklearn: 0.57
    expect(ari(s([0, 0, 0, 0]), s([0, 1, 2, 3]))).toBeCloseTo(0, 12);
    expect(ari(s([0, 0, 1, 1]), s([0, 1, 0, 1]))).toBeCloseTo(-0.5, 12);
  });
  it('is 1 in the degenerate cases', () => {
    expect(ari(s([0, 0, 0]), s([1, 1, 1]))).toBe(1);
    expect(ari(s([0, 1, 2]), s([3, 4, 5]))).toBe(1);
  });
});

describe('purity', () => {
  it('computes purity, inverse purity and their harmonic mean', () => {
    // pred clusters {0,0} {1} {1} -> purity 4/4; gold classes {0:2} {1:1,2:1} -> inverse 3/4; harmonic 6/7
    const g = s([0, 0, 1, 1]);
    const p = s([0, 0, 1, 2]);
    expect(purity(g, p)).toBe(1);
    expect(inversePurity(g, p)).toBe(0.75);
    expect(harmonicPurity(g, p)).toBeCloseTo(6 / 7, 12);
    // one big cluster: purity = largest class share, inverse purity 1
    expect(purity(s([0, 0, 0, 1]), s([9, 9, 9, 9]))).toBe(0.75);
    expect(inversePurity(s([0, 0, 0, 1]), s([9, 9, 9, 9]))).toBe(1);
  });
  it('reports everything together', () => {
    const r = clusteringReport(s([0, 0, 1, 1]), s([0, 0, 1, 2]));
    expect(r).toMatchObject({ n: 4, goldClasses: 2, clusters: 3, purity: 1, inversePurity: 0.75 });
    expect(r.nmi).toBeCloseTo(0.8, 12);
    expect(r.ari).toBeCloseTo(4 / 7, 12);
    expect(() => clusteringReport(['a'], [])).toThrow(/1 labels but predictions have 0/);
  });
});

describe("Fleiss' kappa", () => {
  it('matches the worked example on Wikipedia (10 subjects, 14 raters, 5 categories: 0.210)', () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const items = table.map((row) => row.flatMap((count, cat) => Array.from({ length: count }, () => `c${cat + 1}`)));
    // P̄ = 0.37802, P̄e = 0.21306 -> (0.37802 - 0.21306) / (1 - 0.21306) = 0.20993
    expect(fleissKappa(items)).toBeCloseTo(0.20993, 4);
  });
  it('is 1 for full agreement and rejects unequal rater counts', () => {
    expect(fleissKappa([['a', 'a'], ['b', 'b'], ['a', 'a']])).toBeCloseTo(1, 12);
    expect(fleissKappa([['a', 'a', 'a']])).toBe(1);
    expect(() => fleissKappa([['a', 'b'], ['a']])).toThrow(/item 1 has 1 ratings/);
    expect(() => fleissKappa([['a']])).toThrow(/at least 2 raters/);
    expect(() => fleissKappa([])).toThrow(/no items/);
  });
  it('equals the two-rater value from its own definition on a small case', () => {
    // items (a,a) (a,b) (b,b) (b,b): P_i = 1,0,1,1 -> P̄ .75; shares a 3/8, b 5/8 -> Pe = 9/64 + 25/64 = 34/64
    // kappa = (.75 - 34/64) / (1 - 34/64) = (14/64) / (30/64) = 7/15
    expect(fleissKappa([['a', 'a'], ['a', 'b'], ['b', 'b'], ['b', 'b']])).toBeCloseTo(7 / 15, 12);
  });
});
