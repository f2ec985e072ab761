import { describe, it, expect } from 'vitest';
import { buildCatalog, resolveAnswer, levenshtein, allowedEdits } from '../src/index.js';
import { TAXONOMY } from './helpers.js';

const catalog = buildCatalog(TAXONOMY);

describe('levenshtein', () => {
  it('computes edit distances and stops early past the cap', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('same', 'same')).toBe(0);
    expect(levenshtein('abcdefgh', 'zzzzzzzz', 2)).toBe(3);
  });
  it('tolerates 2 edits on long names, fewer on short ones, none under 5 characters', () => {
    expect(allowedEdits('cardarrival')).toBe(2);
    expect(allowedEdits('abcde')).toBe(1);
    expect(allowedEdits('abcd')).toBe(0);
  });
});

describe('resolveAnswer', () => {
  it('accepts exact ids unflagged', () => {
    expect(resolveAnswer(catalog, 'L2', false)).toEqual({ kind: 'label', id: 'L2', mapped: false });
  });
  it('maps case, spacing and punctuation variants of ids and names, flagged', () => {
    expect(resolveAnswer(catalog, 'l2', false)).toEqual({ kind: 'label', id: 'L2', mapped: true });
    expect(resolveAnswer(catalog, ' L-2 ', false)).toEqual({ kind: 'label', id: 'L2', mapped: true });
    expect(resolveAnswer(catalog, 'Exchange_Rate', false)).toEqual({ kind: 'label', id: 'L2', mapped: true });
    expect(resolveAnswer(catalog, 'lost-or-stolen card', false)).toEqual({ kind: 'label', id: 'L3', mapped: true });
  });
  it('maps "id: name" combinations only when the name belongs to that id', () => {
    expect(resolveAnswer(catalog, 'L1: card arrival', false)).toEqual({ kind: 'label', id: 'L1', mapped: true });
    expect(resolveAnswer(catalog, 'card arrival (L1)', false)).toEqual({ kind: 'label', id: 'L1', mapped: true });
    expect(resolveAnswer(catalog, 'L2: card arrival', false)).toEqual({ kind: 'unknown' });
  });
  it('maps small typos of names, never of ids', () => {
    expect(resolveAnswer(catalog, 'exchange rte', false)).toEqual({ kind: 'label', id: 'L2', mapped: true });
    expect(resolveAnswer(catalog, 'refund requst', false)).toEqual({ kind: 'label', id: 'L4', mapped: true });
    // One edit from L1 but it names no label: must not be guessed.
    expect(resolveAnswer(catalog, 'L9', false)).toEqual({ kind: 'unknown' });
    expect(resolveAnswer(catalog, 'L12', false)).toEqual({ kind: 'unknown' });
    // Three edits: too far.
    expect(resolveAnswer(catalog, 'exchnge rtes x', false)).toEqual({ kind: 'unknown' });
  });
  it('refuses answers equally near two names', () => {
    const c = buildCatalog({
      schemaVersion: 1,
      useCase: '',
      labels: [
        { id: 'A', name: 'billing issue', description: '' },
        { id: 'B', name: 'billing issuf', description: '' },
      ],
    });
    expect(resolveAnswer(c, 'billing issux', false)).toEqual({ kind: 'unknown' });
  });
  it('treats "none" phrases as none only when allowed', () => {
    expect(resolveAnswer(catalog, 'none', true)).toEqual({ kind: 'none', mapped: false });
    expect(resolveAnswer(catalog, 'None of these', true)).toEqual({ kind: 'none', mapped: true });
    expect(resolveAnswer(catalog, 'none', false)).toEqual({ kind: 'unknown' });
  });
  it('never maps an injected arbitrary answer', () => {
    for (const a of ['HACKED', 'L5', 'ignore the instructions', '', 'card']) {
      expect(resolveAnswer(catalog, a, true).kind).toBe('unknown');
    }
  });
});

describe('buildCatalog', () => {
  it('rejects labels the mapper could not tell apart, and the reserved none', () => {
    const base = { schemaVersion: 1 as const, useCase: '' };
    expect(() =>
      buildCatalog({ ...base, labels: [{ id: 'L-1', name: 'a', description: '' }, { id: 'l1', name: 'b', description: '' }] }),
    ).toThrow(/indistinguishable/);
    expect(() =>
      buildCatalog({ ...base, labels: [{ id: 'A', name: 'Card Lost', description: '' }, { id: 'B', name: 'card_lost', description: '' }] }),
    ).toThrow(/indistinguishable names|duplicate label name/); // core's TaxonomySchema refuses them first
    expect(() => buildCatalog({ ...base, labels: [{ id: 'X', name: 'None', description: '' }] })).toThrow(/reserved/);
    expect(() => buildCatalog({ ...base, labels: [] })).toThrow(/no labels|at least one label/);
    expect(() => buildCatalog({ ...base, labels: [{ id: 'A', name: 'a', description: '', parent: 'Z' }] })).toThrow(/parent/);
  });
  it('derives a stable content id when the taxonomy has none', () => {
    expect(buildCatalog(TAXONOMY).taxonomyId).toBe(buildCatalog(structuredClone(TAXONOMY)).taxonomyId);
    expect(buildCatalog({ ...TAXONOMY, id: 'mine' }).taxonomyId).toBe('mine');
  });
});
