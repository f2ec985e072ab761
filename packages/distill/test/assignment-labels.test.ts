import { describe, expect, it } from 'vitest';
import { DataFileError, type LabelAssignment } from '@taxonomist/core';
import { examplesFromAssignments } from '../src/index.js';

const ok = (id: string, label: string, labelId?: string): LabelAssignment => ({ id, status: 'ok', label, ...(labelId ? { labelId } : {}) }) as LabelAssignment;
const texts = new Map([['a', 'text a'], ['b', 'text b'], ['c', 'text c']]);

describe('label lines must name labels of their taxonomy', () => {
  it('with the taxonomy: a label outside it is a DataFileError naming file, field and id', () => {
    const lines = [ok('a', 'Cards', 'L1'), ok('b', 'NOT_IN_TAXONOMY', 'L2')];
    let err: unknown;
    try {
      examplesFromAssignments(lines, texts, { source: 'labels.jsonl', taxonomyLabels: ['Cards', 'Transfers'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataFileError);
    expect(err).toMatchObject({ file: 'labels.jsonl', field: 'label' });
    expect((err as Error).message).toMatch(/labels\.jsonl: id "b": field "label": "NOT_IN_TAXONOMY" is not a label of the taxonomy/);
    // the same lines inside the taxonomy are fine
    expect(examplesFromAssignments([ok('a', 'Cards', 'L1'), ok('b', 'Transfers', 'L2')], texts, { taxonomyLabels: ['Cards', 'Transfers'] }).examples).toHaveLength(2);
  });

  it('without it: one labelId with two names is refused', () => {
    expect(() => examplesFromAssignments([ok('a', 'Cards', 'L1'), ok('b', 'Crads', 'L1')], texts, { source: 'labels.jsonl' })).toThrow(
      /field "label": labelId "L1" is "Crads" here but "Cards" on id "a"/,
    );
    expect(examplesFromAssignments([ok('a', 'Cards', 'L1'), ok('c', 'Cards', 'L1')], texts).examples).toHaveLength(2);
  });
});
