import { TaxonomySchema, taxonomyIdOf } from '@taxonomist/core';
import type { Taxonomy, TaxonomyLabel } from '@taxonomist/core';

/** The reserved answer meaning "none of these labels fits" (coverage measurement; never a real label). */
export const NONE_ANSWER = 'none';

/**
 * Lower-case and drop everything but letters and digits, so "Card Arrival", "card_arrival" and "card-arrival"
 * compare equal. Unicode letters are kept (names in other languages must still match).
 */
export function normalizeAnswer(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * The taxonomy as the labeler uses it: labels in taxonomy order plus the lookup tables the near-miss mapper needs.
 * Built once per run; construction fails loudly when two labels would be indistinguishable after normalization,
 * because the mapper could then not tell which one a near-miss meant.
 */
export interface LabelCatalog {
  taxonomy: Taxonomy;
  /** The taxonomy's own `id`, else its content id: core's `taxonomyIdOf`, the id taxonomy.json and models carry. */
  taxonomyId: string;
  labels: TaxonomyLabel[];
  ids: string[];
  byId: Map<string, TaxonomyLabel>;
  /** Position of each id in taxonomy order (deterministic tie-breaks). */
  order: Map<string, number>;
  /** normalized id -> id */
  byNormalizedId: Map<string, string>;
  /** normalized name -> id */
  byNormalizedName: Map<string, string>;
}

export function buildCatalog(input: Taxonomy): LabelCatalog {
  const parsed = TaxonomySchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TypeError(`invalid taxonomy: field "${issue.path.join('.')}": ${issue.message}`);
  }
  const taxonomy = parsed.data;
  if (taxonomy.labels.length === 0) throw new TypeError('invalid taxonomy: it has no labels');
  const byId = new Map<string, TaxonomyLabel>();
  const order = new Map<string, number>();
  const byNormalizedId = new Map<string, string>();
  const byNormalizedName = new Map<string, string>();
  taxonomy.labels.forEach((l, i) => {
    byId.set(l.id, l);
    order.set(l.id, i);
    const nid = normalizeAnswer(l.id);
    const nname = normalizeAnswer(l.name);
    if (nid === NONE_ANSWER || nname === NONE_ANSWER) {
      throw new TypeError(`invalid taxonomy: label "${l.id}" ("${l.name}") collides with the reserved answer "none"`);
    }
    if (nid === '') throw new TypeError(`invalid taxonomy: label id "${l.id}" has no letters or digits`);
    const clashId = byNormalizedId.get(nid);
    if (clashId !== undefined) {
      throw new TypeError(`invalid taxonomy: label ids "${clashId}" and "${l.id}" are indistinguishable (case/punctuation)`);
    }
    byNormalizedId.set(nid, l.id);
    const clashName = byNormalizedName.get(nname);
    if (clashName !== undefined) {
      throw new TypeError(
        `invalid taxonomy: labels "${clashName}" and "${l.id}" have indistinguishable names ("${l.name}")`,
      );
    }
    if (nname !== '') byNormalizedName.set(nname, l.id);
  });
  return {
    taxonomy,
    taxonomyId: taxonomyIdOf(taxonomy),
    labels: taxonomy.labels,
    ids: taxonomy.labels.map((l) => l.id),
    byId,
    order,
    byNormalizedId,
    byNormalizedName,
  };
}
