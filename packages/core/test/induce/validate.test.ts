import { describe, expect, it } from 'vitest';
import { checkLabels, checkRevision, isVagueName, scriptShare, type LabelRules } from '../../src/index.js';
import { checkPlacements } from '../../src/induce/place.js';

const rules: LabelRules = { minLabels: 2, maxLabels: 3, maxNameWords: 3, maxDescriptionWords: 6, locked: [] };
const lab = (name: string, description = 'Texts about it.') => ({ name, description });

describe('checkLabels', () => {
  it('accepts a taxonomy that follows the rules', () => {
    expect(checkLabels([lab('Card delivery'), lab('Refunds')], rules)).toEqual([]);
  });

  it('reports count, word limits, empty fields, duplicates and vague names, each once', () => {
    const problems = checkLabels(
      [lab('Card delivery'), lab('card  DELIVERY!'), lab('A name far too long'), lab('', 'x'), lab('Other questions', '')],
      rules,
    );
    expect(problems).toEqual([
      'the taxonomy has 5 labels; at most 3 are allowed: merge or drop some.',
      'label 2 "card  DELIVERY!": the same name as label 1; names must be distinct (merge them or tell them apart).',
      'label 3 "A name far too long": the name has 5 words; at most 3 are allowed.',
      'label 4: the name is empty.',
      expect.stringContaining('label 5 "Other questions": catch-all names'),
      'label 5 "Other questions": the description is empty.',
    ]);
    expect(checkLabels([lab('Only one')], rules)).toEqual(['the taxonomy has 1 labels; it needs at least 2.']);
    expect(checkLabels([lab('A'), lab('B', 'one two three four five six seven')], rules)).toEqual([
      'label 2 "B": the description has 7 words; at most 6 are allowed.',
    ]);
  });

  it('flags names outside the language by script', () => {
    const ru = { ...rules, language: 'ru' };
    expect(checkLabels([lab('Доставка карты', 'Где моя карта.'), lab('Возврат', 'Деньги назад.')], ru)).toEqual([]);
    expect(checkLabels([lab('Доставка карты', 'Где моя карта.'), lab('Refunds', 'Money back.')], ru)).toEqual([
      'label 2 "Refunds": not written in the required language (ru).',
    ]);
    expect(scriptShare('カードの配達', 'ja')).toBe(1);
    expect(scriptShare('Card', 'ja')).toBe(0);
    expect(scriptShare('anything', 'tlh')).toBe(1);
  });

  it('keeps sub-labels from reusing top label names', () => {
    expect(checkLabels([lab('Refunds'), lab('Urgent refunds')], { ...rules, reservedNames: ['refunds'] })).toEqual([
      'label 1 "Refunds": the name is already used by a top-level label; sub-labels need names of their own.',
    ]);
  });
});

describe('isVagueName', () => {
  it('catches catch-all buckets but not specific names', () => {
    for (const n of ['Other', 'others', 'General', 'Misc.', 'Miscellaneous', 'Unknown', 'None', 'N/A', 'Other requests', 'General inquiries']) {
      expect(isVagueName(n), n).toBe(true);
    }
    for (const n of ['Card delivery', 'Otherworldly travel', 'Generalized anxiety', 'Unknown charges on statement']) {
      expect(isVagueName(n), n).toBe(n === 'Unknown charges on statement');
    }
  });
});

describe('checkRevision', () => {
  const current = [
    { id: 'L1', name: 'Card delivery', description: 'd' },
    { id: 'L2', name: 'Refunds', description: 'd' },
  ];
  const rev = (fromIds: string[], name: string) => ({ fromIds, name, description: 'Texts about it.' });

  it('rejects ids the model made up and ids listed twice', () => {
    expect(checkRevision([rev(['L1'], 'Card delivery'), rev(['L9', 'L2', 'l2'], 'Refunds')], current, rules)).toEqual([
      'label 2 "Refunds": fromIds lists "L9", which is not an id of the current taxonomy (L1, L2); use [] for a new label.',
      'label 2 "Refunds": fromIds lists "L2" twice.',
    ]);
  });

  it('keeps locked labels: present once, same name, not merged or split', () => {
    const locked = { ...rules, locked: [{ id: 'L2', name: 'Refunds' }] };
    expect(checkRevision([rev(['L1'], 'Card delivery'), rev(['L2'], 'Refunds')], current, locked)).toEqual([]);
    expect(checkRevision([rev(['L1'], 'Card delivery'), rev([], 'Top-ups')], current, locked)).toEqual([
      'locked label [L2] "Refunds" was dropped; it must be kept with fromIds ["L2"] and its name.',
    ]);
    const renamed = checkRevision([rev(['L1'], 'Card delivery'), rev(['L2'], 'Money back')], current, locked);
    expect(renamed).toEqual([expect.stringContaining('locked label [L2] "Refunds" may not be renamed, merged or split')]);
    const merged = checkRevision([rev(['L1', 'L2'], 'Refunds'), rev([], 'Top-ups')], current, locked);
    expect(merged).toEqual([expect.stringContaining('may not be renamed, merged or split')]);
  });
});

describe('checkPlacements', () => {
  const labels = [
    { id: 'L1', name: 'A', description: '' },
    { id: 'L2', name: 'B', description: '' },
  ];
  it('wants every item once with a known label or none', () => {
    expect(checkPlacements({ placements: [{ item: 1, labelId: 'L1' }, { item: 2, labelId: 'none' }] }, 2, labels)).toEqual([]);
    expect(
      checkPlacements({ placements: [{ item: 1, labelId: 'L1' }, { item: 1, labelId: 'L2' }, { item: 4, labelId: 'L7' }] }, 3, labels),
    ).toEqual([
      'no placement for texts 2, 3.',
      'more than one placement for text 1; give one label each.',
      'there are only texts 1 to 3; 4 do not exist.',
      '"L7" is not a label id; use one of L1, L2 or "none".',
    ]);
  });
});
