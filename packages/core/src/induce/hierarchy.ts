import type { TaxonomyLabel } from '../schemas/taxonomy.js';
import type { BatchItem } from './batch.js';
import { runChain } from './chain.js';
import type { RunContext } from './context.js';
import { placeItems, type Placement } from './place.js';
import type { HierarchyInfo } from './result.js';
import type { IdAllocator } from './revision.js';
import type { LabelRules } from './validate.js';

export interface GrowResult {
  /** Top labels, each followed by its sub-labels (with `parent`). */
  labels: TaxonomyLabel[];
  info: HierarchyInfo;
}

/**
 * Second level: place the training records under the top labels, then run the generate/update/review chain on
 * the records of each top label (in taxonomy order, so ids are handed out deterministically) to divide it.
 */
export async function growSubLabels(
  ctx: RunContext,
  top: readonly TaxonomyLabel[],
  items: readonly BatchItem[],
  ids: IdAllocator,
  chain: { trial: number; seed: number; cacheSalt?: string; rules: LabelRules },
): Promise<GrowResult> {
  const { settings } = ctx;
  const placement = await placeItems(ctx, items, top, 'place/top');
  const placed: Record<string, number> = {};
  let unplaced = 0;
  const byLabel = new Map<string, BatchItem[]>(top.map((l) => [l.id, []]));
  for (const item of items) {
    const labelId = placement.byRecord.get(item.id);
    if (labelId === undefined) continue;
    if (labelId === null) unplaced++;
    else byLabel.get(labelId)!.push(item);
  }
  for (const l of top) placed[l.id] = byLabel.get(l.id)!.length;

  const labels: TaxonomyLabel[] = [];
  const grown: string[] = [];
  const skipped: HierarchyInfo['skipped'] = [];
  const topNames = top.map((l) => l.name);
  for (const parent of top) {
    const own = byLabel.get(parent.id)!;
    const withExamples = settings.examplesPerLabel > 0 ? { ...parent, examples: own.slice(0, settings.examplesPerLabel).map((i) => i.text) } : parent;
    labels.push(withExamples);
    if (own.length < settings.minRecordsForSubLabels) {
      skipped.push({ labelId: parent.id, records: own.length, reason: `only ${own.length} records placed (minimum ${settings.minRecordsForSubLabels})` });
      continue;
    }
    const result = await runChain(ctx, {
      trial: chain.trial,
      level: 2,
      parent,
      keyPrefix: `sub/${parent.id}`,
      items: own,
      seed: chain.seed,
      ids,
      rules: { ...chain.rules, minLabels: 2, maxLabels: settings.maxSubLabels, locked: [], reservedNames: topNames },
      ...(chain.cacheSalt !== undefined ? { cacheSalt: chain.cacheSalt } : {}),
    });
    if (result.labels === null) {
      skipped.push({ labelId: parent.id, records: own.length, reason: result.failure ?? 'no valid sub-labels' });
      continue;
    }
    grown.push(parent.id);
    let children: TaxonomyLabel[] = result.labels.map((l) => ({ ...l, parent: parent.id }));
    if (settings.examplesPerLabel > 0) {
      children = withPlacedExamples(children, own, await placeItems(ctx, own, children, `place/sub/${parent.id}`), settings.examplesPerLabel);
    }
    labels.push(...children);
  }
  return { labels, info: { placed, unplaced, failedPlacements: placement.failed, grown, skipped } };
}

/** Attach up to `k` placed item texts (in item order) to each label as examples. */
export function withPlacedExamples(
  labels: readonly TaxonomyLabel[],
  items: readonly BatchItem[],
  placement: Placement,
  k: number,
): TaxonomyLabel[] {
  const examples = new Map<string, string[]>(labels.map((l) => [l.id, []]));
  for (const item of items) {
    const labelId = placement.byRecord.get(item.id);
    if (labelId === undefined || labelId === null) continue;
    const list = examples.get(labelId)!;
    if (list.length < k) list.push(item.text);
  }
  return labels.map((l) => ({ ...l, examples: examples.get(l.id)! }));
}
