import { describe, it, expect } from 'vitest';
import { labelValueProbabilities, majorityVote, EnsembleAgreement } from '../src/index.js';
import { cohenKappa } from '@taxonomist/core';
import type { TokenLogprob } from '@taxonomist/core';

const lp = (pairs: [string, number][]): TokenLogprob[] => pairs.map(([token, logprob]) => ({ token, logprob }));

describe('labelValueProbabilities', () => {
  it('multiplies the probabilities of the tokens spelling the label value', () => {
    const tokens = lp([
      ['{"', 0],
      ['label', 0],
      ['":"', 0],
      ['L', Math.log(0.9)],
      ['12', Math.log(0.5)],
      ['"}', 0],
    ]);
    const [p] = labelValueProbabilities(tokens, 'label', 1);
    expect(p).toBeCloseTo(0.45, 10);
  });
  it('finds each answer of a packed array in order, ignoring quoted keys inside a rationale', () => {
    const text = '{"answers":[{"id":"t1","rationale":"not \\"label\\": \\"L9\\"","label":"L1"},{"id":"t2","label":"L2"}]}';
    // One character per token, each value character with its own probability.
    const tokens = [...text].map((ch, i) => ({ token: ch, logprob: 0 * i }));
    const firstL1 = text.indexOf('"label":"L1"') + '"label":"'.length;
    tokens[firstL1]!.logprob = Math.log(0.8);
    const firstL2 = text.indexOf('"label":"L2"') + '"label":"'.length;
    tokens[firstL2 + 1]!.logprob = Math.log(0.6);
    expect(labelValueProbabilities(tokens, 'label', 2).map((x) => x?.toFixed(3))).toEqual(['0.800', '0.600']);
  });
  it('reads the first listed label in multi mode and pads missing answers', () => {
    const tokens = lp([['{"labels": ["', 0], ['L3', Math.log(0.7)], ['","L1"]}', Math.log(0.1)]]);
    const out = labelValueProbabilities(tokens, 'labels', 2);
    expect(out[0]).toBeCloseTo(0.7, 10);
    expect(out[1]).toBeUndefined();
  });
});

const ok = (id: string | undefined, extra: Partial<{ ids: string[]; rationale: string }> = {}) =>
  id === undefined
    ? { kind: 'ok' as const, ids: [], none: true, mapped: [] }
    : { kind: 'ok' as const, primaryId: id, ids: extra.ids ?? [id], none: false, mapped: [], ...(extra.rationale ? { rationale: extra.rationale } : {}) };

describe('majorityVote', () => {
  it('picks the most voted label with its share', () => {
    const v = majorityVote([ok('L1'), ok('L2'), ok('L2', { rationale: 'r2' }), ok('L3')]);
    expect(v.winner.primaryId).toBe('L2');
    expect(v.share).toBe(0.5);
    expect(v.winner.rationale).toBe('r2');
  });
  it('breaks ties in favour of the first answer in order (first model / first sample)', () => {
    expect(majorityVote([ok('L3'), ok('L1'), ok('L1'), ok('L3')]).winner.primaryId).toBe('L3');
    expect(majorityVote([ok('L1'), ok('L3'), ok('L3'), ok('L1')]).winner.primaryId).toBe('L1');
  });
  it('counts none as a candidate and keeps multi labels listed by a majority', () => {
    expect(majorityVote([ok(undefined), ok(undefined), ok('L1')]).winner.none).toBe(true);
    const v = majorityVote([ok('L1', { ids: ['L1', 'L2'] }), ok('L1', { ids: ['L1', 'L2', 'L4'] }), ok('L3', { ids: ['L3', 'L4'] })]);
    expect(v.winner.ids).toEqual(['L1', 'L2', 'L4']);
  });
});

describe('EnsembleAgreement', () => {
  it('matches core cohenKappa on the records both models answered', () => {
    const a = ['L1', 'L1', 'L2', 'L2', 'L3', 'L1', 'L2', undefined];
    const b = ['L1', 'L2', 'L2', 'L2', 'L3', 'L3', 'L1', 'L1'];
    const c = ['L1', 'L1', 'L2', 'L2', 'L3', 'L1', 'L2', 'L1'];
    const acc = new EnsembleAgreement(['a', 'b', 'c']);
    a.forEach((_, i) => acc.add([a[i], b[i], c[i]]));
    const r = acc.report();
    expect(r.records).toBe(8);
    expect(r.allAnswered).toBe(7);
    expect(r.partial).toBe(1);
    expect(r.unanimous).toBe(4);
    const ab = r.pairwise.find((p) => p.a === 'a' && p.b === 'b')!;
    expect(ab.n).toBe(7);
    expect(ab.kappa).toBeCloseTo(cohenKappa(a.slice(0, 7) as string[], b.slice(0, 7) as string[]), 12);
    expect(ab.agreement).toBeCloseTo(4 / 7, 12);
    const ac = r.pairwise.find((p) => p.a === 'a' && p.b === 'c')!;
    expect(ac.agreement).toBe(1);
    expect(ac.kappa).toBe(1);
  });
});
