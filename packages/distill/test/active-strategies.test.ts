import { describe, expect, it } from 'vitest';
import { createRng } from '@taxonomist/core';
import {
  allocate,
  balancedStrategy,
  diverseBalancedStrategy,
  createSelectionRegistry,
  defaultSelectionRegistry,
  diverseStrategy,
  entropyStrategy,
  marginStrategy,
  randomStrategy,
  strataFromAssignment,
  stratifiedSeed,
  type SelectionContext,
} from '../src/index.js';

// 6 candidates x 3 labels: rows ordered from most to least certain, except row 4 (a near tie of two labels).
const P = Float64Array.from([
  0.98, 0.01, 0.01,
  0.9, 0.05, 0.05,
  0.6, 0.3, 0.1,
  0.34, 0.33, 0.33,
  0.5, 0.495, 0.005,
  0.7, 0.2, 0.1,
]);
const ctx = (size: number, strata = Int32Array.from([0, 0, 0, 1, 1, 1]), seed = 1): SelectionContext => ({
  candidates: Int32Array.from([10, 11, 12, 13, 14, 15]),
  probabilities: P,
  K: 3,
  size,
  rng: createRng(seed),
  strata: () => {
    const s = new Int32Array(16);
    [10, 11, 12, 13, 14, 15].forEach((p, i) => (s[p] = strata[i]!));
    return s;
  },
  round: 1,
});

describe('selection strategies', () => {
  it('margin takes the smallest gap between the two best labels first', () => {
    expect(Array.from(marginStrategy.select(ctx(3)))).toEqual([14, 13, 12]);
  });

  it('entropy takes the flattest distribution first (not the same order as margin)', () => {
    expect(Array.from(entropyStrategy.select(ctx(2)))).toEqual([13, 12]);
  });

  it('diverse spreads the batch over the strata instead of piling it where uncertainty is', () => {
    // Pure margin would take 14 and 13 (both stratum 1); diverse gives stratum 0 its share.
    const picks = Array.from(diverseStrategy.select(ctx(2)));
    expect(picks).toContain(14);
    expect(picks.some((p) => p <= 12)).toBe(true);
  });

  it('balanced gives the batch to the predicted labels furthest below an equal share, most uncertain first', () => {
    // Predicted labels by row: 0, 0, 1, 1, 2, 2 (rows 1, 3 and 5 the less sure of each pair).
    const Pb = Float64Array.from([0.9, 0.05, 0.05, 0.5, 0.4, 0.1, 0.05, 0.9, 0.05, 0.1, 0.5, 0.4, 0.05, 0.05, 0.9, 0.4, 0.1, 0.5]);
    const at = (counts: number[], size: number) => Array.from(balancedStrategy.select({ ...ctx(size), probabilities: Pb, labelCounts: Float64Array.from(counts) }));
    expect(at([5, 5, 0], 2)).toEqual([15, 14]);
    expect(at([0, 5, 5], 2)).toEqual([11, 10]);
    // Two labels short by the same amount: one slot each, the less sure record of each.
    expect(at([0, 0, 8], 2)).toEqual([11, 13]);
    expect(() => balancedStrategy.select(ctx(2))).toThrow(/labelCounts/);
  });

  it('diverse-balanced: half the batch by diverse, the rest by balanced among the records left, no record twice', () => {
    const Pb = Float64Array.from([0.9, 0.05, 0.05, 0.5, 0.4, 0.1, 0.05, 0.9, 0.05, 0.1, 0.5, 0.4, 0.05, 0.05, 0.9, 0.4, 0.1, 0.5]);
    const c = { ...ctx(4), probabilities: Pb, labelCounts: Float64Array.from([5, 5, 0]) };
    const picks = Array.from(diverseBalancedStrategy.select(c));
    expect(picks.slice(0, 2)).toEqual(Array.from(diverseStrategy.select({ ...c, size: 2 })));
    expect(new Set(picks).size).toBe(4);
    expect(picks.slice(2).every((p) => p === 14 || p === 15)).toBe(true);
  });

  it('random is a seeded uniform draw: same seed same picks, another seed other picks', () => {
    const a = Array.from(randomStrategy.select(ctx(3, undefined, 5)));
    expect(Array.from(randomStrategy.select(ctx(3, undefined, 5)))).toEqual(a);
    const others = [6, 7, 8, 9].map((s) => Array.from(randomStrategy.select(ctx(3, undefined, s))).join());
    expect(others.some((o) => o !== a.join())).toBe(true);
    expect(new Set(a).size).toBe(3);
  });

  it('allocate shares slots by weight with caps and hands the overflow on', () => {
    expect(allocate(Float64Array.from([3, 1]), [10, 10], 4)).toEqual([3, 1]);
    expect(allocate(Float64Array.from([9, 1]), [2, 10], 6)).toEqual([2, 4]);
    expect(allocate(Float64Array.from([0, 0]), [1, 3], 4)).toEqual([1, 3]);
  });

  it('the stratified seed batch visits every stratum before taking a second record from one', () => {
    const strata = strataFromAssignment([0, 0, 0, 0, 1, 1, 2, 3, 3, 3]);
    const seed = Array.from(stratifiedSeed(strata, 4, () => true, createRng(1)));
    expect(new Set(seed.map((p) => strata.stratum[p])).size).toBe(4);
    const skip = Array.from(stratifiedSeed(strata, 4, (p) => p !== 6, createRng(1)));
    expect(skip).not.toContain(6);
    expect(skip).toHaveLength(4);
  });

  it('registry: built-ins, plugins from a host, clear errors', () => {
    expect(defaultSelectionRegistry.names()).toEqual(['random', 'margin', 'entropy', 'diverse', 'balanced', 'diverse-balanced']);
    expect(() => defaultSelectionRegistry.get('nope')).toThrow(/unknown selection strategy "nope" \(known: random, margin/);
    const mine = { name: 'first', description: 'first candidates', select: (c: SelectionContext) => c.candidates.slice(0, c.size) };
    const reg = createSelectionRegistry({ registry: (kind) => new Map(kind === 'selectionStrategies' ? [['first', mine]] : []) });
    expect(reg.get('first')).toBe(mine);
    expect(() => reg.register(mine)).toThrow(/already registered/);
    expect(() => reg.register({ name: 'bad' } as never)).toThrow(/select\(\)/);
  });
});
