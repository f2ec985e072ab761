import { describe, expect, it } from 'vitest';
import { applyDraft, applyRevision, IdAllocator, type TaxonomyLabel } from '../../src/index.js';

const L = (id: string, name: string, description = `${name} texts`): TaxonomyLabel => ({ id, name, description });
const current = [L('L1', 'Card delivery'), L('L2', 'Lost card'), L('L3', 'Stolen card'), L('L4', 'Refunds')];
const rev = (fromIds: string[], name: string, description = `${name} texts`) => ({ fromIds, name, description });

describe('applyDraft', () => {
  it('gives every label a fresh id and records it as added', () => {
    const ids = new IdAllocator();
    const { labels, mapping } = applyDraft([{ name: ' A ', description: 'x  y' }, { name: 'B', description: 'z' }], ids, 'L9');
    expect(labels).toEqual([
      { id: 'L1', name: 'A', description: 'x y', parent: 'L9' },
      { id: 'L2', name: 'B', description: 'z', parent: 'L9' },
    ]);
    expect(mapping).toEqual([
      { kind: 'added', from: null, to: ['L1'] },
      { kind: 'added', from: null, to: ['L2'] },
    ]);
    expect(ids.next()).toBe('L3');
  });
});

describe('applyRevision', () => {
  it('derives kept, renamed, merged, removed and added edits with stable ids', () => {
    const ids = IdAllocator.after(current);
    const { labels, mapping } = applyRevision(
      current,
      [rev(['L1'], 'Card arrival'), rev(['L3', 'L2'], 'Lost or stolen card'), rev([], 'Exchange rates')],
      ids,
    );
    // The merge keeps the id of its first source in the current order (L2), whatever order the model listed.
    expect(labels.map((l) => `${l.id}:${l.name}`)).toEqual(['L1:Card arrival', 'L2:Lost or stolen card', 'L5:Exchange rates']);
    expect(mapping).toEqual([
      { kind: 'renamed', from: 'L1', to: ['L1'] },
      { kind: 'merged', from: 'L2', to: ['L2'] },
      { kind: 'merged', from: 'L3', to: ['L2'] },
      { kind: 'removed', from: 'L4', to: [] },
      { kind: 'added', from: null, to: ['L5'] },
    ]);
  });

  it('gives split parts fresh ids and never reuses a retired id', () => {
    const ids = IdAllocator.after(current);
    const first = applyRevision(current, [rev(['L1'], 'Card delivery'), rev(['L4'], 'Refund status'), rev(['L4'], 'New refunds')], ids);
    expect(first.labels.map((l) => l.id)).toEqual(['L1', 'L5', 'L6']);
    expect(first.mapping).toEqual([
      { kind: 'kept', from: 'L1', to: ['L1'] },
      { kind: 'removed', from: 'L2', to: [] },
      { kind: 'removed', from: 'L3', to: [] },
      { kind: 'split', from: 'L4', to: ['L5', 'L6'] },
    ]);
    const second = applyRevision(first.labels, [rev(['L1'], 'Card delivery', 'new words'), rev([], 'Lost card')], ids);
    // "Lost card" comes back under a new id: L2 was retired and keeps meaning the old label.
    expect(second.labels.map((l) => l.id)).toEqual(['L1', 'L7']);
    expect(second.mapping[0]).toEqual({ kind: 'kept', from: 'L1', to: ['L1'], descriptionChanged: true });
  });

  it('lets a label that takes part of a split keep the id of another, exclusive source', () => {
    const ids = IdAllocator.after(current);
    const { labels, mapping } = applyRevision(
      current,
      [rev(['L1', 'L2'], 'Card problems'), rev(['L1'], 'Card delivery'), rev(['L3'], 'Stolen card'), rev(['L4'], 'Refunds')],
      ids,
    );
    expect(labels.map((l) => l.id)).toEqual(['L2', 'L5', 'L3', 'L4']);
    expect(mapping.slice(0, 2)).toEqual([
      { kind: 'split', from: 'L1', to: ['L2', 'L5'] },
      { kind: 'merged', from: 'L2', to: ['L2'] },
    ]);
  });

  it('resolves ids written loosely ("[l2]") and refuses unvalidated unknown ids', () => {
    const ids = IdAllocator.after(current);
    const { labels } = applyRevision(current, [rev(['[l2]'], 'Lost card')], ids);
    expect(labels[0]!.id).toBe('L2');
    expect(() => applyRevision(current, [rev(['L42'], 'X')], IdAllocator.after(current))).toThrow(/unknown id/);
  });

  it('starts fresh ids above the L<n> ids of a seed taxonomy and ignores other id styles', () => {
    expect(IdAllocator.after([{ id: 'L7' }, { id: 'billing' }, { id: 'L12' }]).next()).toBe('L13');
    expect(IdAllocator.after([{ id: 'billing' }]).next()).toBe('L1');
  });
});
