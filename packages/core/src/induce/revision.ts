import type { TaxonomyLabel } from '../schemas/taxonomy.js';
import type { RevisedLabel } from './answers.js';
import type { LabelEdit } from './result.js';
import { resolveId } from './validate.js';

/**
 * Hands out label ids 'L<n>' that were never used before in a chain, so an id always means one label. Starts
 * above every 'L<n>' id of the seed taxonomy.
 */
export class IdAllocator {
  private nextNumber: number;
  constructor(start = 1) {
    this.nextNumber = start;
  }
  static after(labels: readonly { id: string }[]): IdAllocator {
    let max = 0;
    for (const l of labels) {
      const m = /^L(\d+)$/.exec(l.id);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return new IdAllocator(max + 1);
  }
  next(): string {
    return `L${this.nextNumber++}`;
  }
  clone(): IdAllocator {
    return new IdAllocator(this.nextNumber);
  }
}

/** A first taxonomy: every label is new. */
export function applyDraft(
  draft: readonly { name: string; description: string }[],
  ids: IdAllocator,
  parent?: string,
): { labels: TaxonomyLabel[]; mapping: LabelEdit[] } {
  const labels = draft.map((d) => makeLabel(ids.next(), d, parent));
  return { labels, mapping: labels.map((l) => ({ kind: 'added' as const, from: null, to: [l.id] })) };
}

/**
 * Turn a validated revision (labels with `fromIds`) into the next labels with stable ids and the mapping
 * old id -> new ids. A label keeps an id only when it is the sole heir of that id; a merge keeps the id of its
 * first source (in current order) that is not also split; split parts and new labels get fresh ids.
 */
export function applyRevision(
  current: readonly TaxonomyLabel[],
  revised: readonly RevisedLabel[],
  ids: IdAllocator,
  parent?: string,
): { labels: TaxonomyLabel[]; mapping: LabelEdit[] } {
  const order = new Map(current.map((l, i) => [l.id, i]));
  const sources = revised.map((r) => {
    const resolved = r.fromIds.map((raw) => resolveId(raw, current));
    if (resolved.some((id) => id === undefined)) throw new Error('applyRevision: unvalidated revision (unknown id)');
    return [...new Set(resolved as string[])].sort((a, b) => order.get(a)! - order.get(b)!);
  });
  const heirs = new Map<string, number[]>();
  sources.forEach((src, j) => {
    for (const id of src) heirs.set(id, [...(heirs.get(id) ?? []), j]);
  });

  const newIds = revised.map((_, j) => {
    const keep = sources[j]!.find((id) => heirs.get(id)!.length === 1);
    return keep ?? ids.next();
  });
  const labels = revised.map((r, j) => makeLabel(newIds[j]!, r, parent));

  const mapping: LabelEdit[] = [];
  for (const old of current) {
    const targets = heirs.get(old.id) ?? [];
    if (targets.length === 0) {
      mapping.push({ kind: 'removed', from: old.id, to: [] });
    } else if (targets.length > 1) {
      mapping.push({ kind: 'split', from: old.id, to: targets.map((j) => newIds[j]!) });
    } else {
      const j = targets[0]!;
      const next = labels[j]!;
      if (sources[j]!.length > 1) {
        mapping.push({ kind: 'merged', from: old.id, to: [next.id] });
      } else if (next.name !== old.name) {
        mapping.push({ kind: 'renamed', from: old.id, to: [next.id] });
      } else {
        mapping.push({
          kind: 'kept',
          from: old.id,
          to: [next.id],
          ...(next.description !== old.description ? { descriptionChanged: true } : {}),
        });
      }
    }
  }
  sources.forEach((src, j) => {
    if (src.length === 0) mapping.push({ kind: 'added', from: null, to: [newIds[j]!] });
  });
  return { labels, mapping };
}

function makeLabel(id: string, d: { name: string; description: string }, parent?: string): TaxonomyLabel {
  return {
    id,
    name: d.name.trim().replace(/\s+/g, ' '),
    description: d.description.trim().replace(/\s+/g, ' '),
    ...(parent !== undefined ? { parent } : {}),
  };
}
