import { z } from 'zod';

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

export const TaxonomySchema = z
  .object({
    schemaVersion: z.literal(TAXONOMY_SCHEMA_VERSION),
    /** Content-derived id (see `taxonomyId`), so models and label files can say which taxonomy they used. */
    id: z.string().min(1).optional(),
    useCase: z.string(),
    labels: z.array(TaxonomyLabelSchema),
    /** How the taxonomy was made: 'llm', 'cluster', 'manual', ... */
    method: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((t, ctx) => {
    const ids = new Set<string>();
    t.labels.forEach((l, i) => {
      if (ids.has(l.id)) ctx.addIssue({ code: 'custom', message: `duplicate label id "${l.id}"`, path: ['labels', i, 'id'] });
      ids.add(l.id);
    });
    t.labels.forEach((l, i) => {
      if (l.parent !== undefined && !ids.has(l.parent)) {
        ctx.addIssue({ code: 'custom', message: `parent "${l.parent}" is not a label id`, path: ['labels', i, 'parent'] });
      }
    });
  });
export type Taxonomy = z.infer<typeof TaxonomySchema>;
