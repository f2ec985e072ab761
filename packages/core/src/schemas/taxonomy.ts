import { z } from 'zod';
import { normalizeName } from '../induce/text.js';
import { hashValue } from '../util/hash.js';

export const TAXONOMY_SCHEMA_VERSION = 1 as const;

/** A label of a taxonomy. `id` is stable across revisions: renames keep it, merges and splits are recorded. */
export const TaxonomyLabelSchema = z.object({
  id: z.string().min(1).describe('Stable identifier of the label, e.g. "L3".'),
  name: z.string().min(1).describe('Short name of the label.'),
  description: z.string().describe('What belongs under this label (and what does not).'),
  parent: z.string().min(1).optional().describe('Id of the parent label, for a hierarchy.'),
  examples: z.array(z.string()).optional().describe('A few example texts or summaries.'),
});
export type TaxonomyLabel = z.infer<typeof TaxonomyLabelSchema>;

/**
 * Content id of a taxonomy: 'tax-' + 16 hex of the hash of what decides labeling (schema version, use case, and
 * each label's id, name, description and parent, in order). Examples and metadata do not change it.
 */
export function taxonomyId(t: { useCase: string; labels: readonly { id: string; name: string; description: string; parent?: string }[] }): string {
  return `tax-${hashValue({
    schemaVersion: TAXONOMY_SCHEMA_VERSION,
    useCase: t.useCase,
    labels: t.labels.map((l) => ({ id: l.id, name: l.name, description: l.description, parent: l.parent })),
  }).slice(0, 16)}`;
}

/** What `taxonomyId` returns: an `id` of this form is a content id and must match the content. */
export const CONTENT_ID_PATTERN = /^tax-[0-9a-f]{16}$/;

/** Reserved: labelers answer "none" when no label fits, so no label may be called that. */
export const RESERVED_LABEL_NAME = 'none';

export const TaxonomySchema = z
  .object({
    schemaVersion: z.literal(TAXONOMY_SCHEMA_VERSION),
    /** Content-derived id (see `taxonomyId`), so models and label files can say which taxonomy they used. */
    id: z.string().min(1).optional(),
    useCase: z.string(),
    labels: z.array(TaxonomyLabelSchema).min(1, 'a taxonomy needs at least one label'),
    /** How the taxonomy was made: 'llm', 'cluster', 'manual', ... */
    method: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((t, ctx) => {
    const ids = new Set<string>();
    const names = new Map<string, string>();
    t.labels.forEach((l, i) => {
      if (ids.has(l.id)) {
        ctx.addIssue({ code: 'custom', message: `duplicate label id "${l.id}"`, path: ['labels', i, 'id'] });
        return; // one issue per label
      }
      ids.add(l.id);
      // Labels are matched by name (label lines, models, reports): two labels one name apart are one label.
      const key = normalizeName(l.name);
      const same = names.get(key);
      if (same !== undefined) ctx.addIssue({ code: 'custom', message: `duplicate label name "${l.name}" (also label "${same}")`, path: ['labels', i, 'name'] });
      else names.set(key, l.id);
      if (key === RESERVED_LABEL_NAME || l.id.trim().toLowerCase() === RESERVED_LABEL_NAME) {
        ctx.addIssue({ code: 'custom', message: `"${RESERVED_LABEL_NAME}" is reserved (the answer when no label fits): rename label "${l.id}"`, path: ['labels', i, key === RESERVED_LABEL_NAME ? 'name' : 'id'] });
      }
    });
    const parentOf = new Map(t.labels.map((l) => [l.id, l.parent]));
    t.labels.forEach((l, i) => {
      if (l.parent === undefined) return;
      if (!ids.has(l.parent)) {
        ctx.addIssue({ code: 'custom', message: `parent "${l.parent}" is not a label id`, path: ['labels', i, 'parent'] });
        return;
      }
      // Follow the parents: reaching this label again is a cycle (each label of the cycle is reported).
      const seen = new Set<string>([l.id]);
      for (let p: string | undefined = l.parent; p !== undefined; p = parentOf.get(p)) {
        if (seen.has(p)) {
          if (p === l.id) ctx.addIssue({ code: 'custom', message: `parent cycle: ${[...seen, p].map((x) => `"${x}"`).join(' -> ')}`, path: ['labels', i, 'parent'] });
          break;
        }
        seen.add(p);
      }
    });
    // An id of the content-id form was written by taxonomyToJson: if it no longer matches, the file was edited and
    // everything that records the id (label lines, models) would claim the old taxonomy. Other ids are the user's.
    if (t.id !== undefined && CONTENT_ID_PATTERN.test(t.id) && t.labels.length > 0) {
      const actual = taxonomyId(t);
      if (actual !== t.id) {
        ctx.addIssue({
          code: 'custom',
          message: `"${t.id}" is the content id of another version of this taxonomy (this content is "${actual}"): it was edited after it was written; delete the "id" field (or set it to "${actual}")`,
          path: ['id'],
        });
      }
    }
  });
export type Taxonomy = z.infer<typeof TaxonomySchema>;
