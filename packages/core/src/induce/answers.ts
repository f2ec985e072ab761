import { z } from 'zod';

/**
 * The structured answers the model gives at each stage. Every field is required (nullable/empty instead of
 * optional) so the schemas work with strict JSON-schema structured output.
 */

export const SummaryAnswerSchema = z.object({
  summary: z.string().describe('The text summarized for the use case in about the requested number of words.'),
  note: z.string().describe('One short sentence on what in the text mattered most for the use case.'),
});
export type SummaryAnswer = z.infer<typeof SummaryAnswerSchema>;

const NewLabelSchema = z.object({
  name: z.string().describe('Short, specific label name.'),
  description: z.string().describe('What belongs under the label and what does not.'),
});

export const GenerateAnswerSchema = z.object({
  labels: z.array(NewLabelSchema).describe('The labels of the taxonomy.'),
  explanation: z.string().describe('Why these labels cover the data and fit the use case.'),
});
export type GenerateAnswer = z.infer<typeof GenerateAnswerSchema>;

export const RevisedLabelSchema = NewLabelSchema.extend({
  fromIds: z
    .array(z.string())
    .describe(
      'Ids of the current labels whose texts this label covers: [own id] to keep or rename a label, several ids for a merge, ' +
        'the same id in several labels for a split, [] for a new label.',
    ),
});
export type RevisedLabel = z.infer<typeof RevisedLabelSchema>;

/** Update and review answers share one shape: a rating of the current taxonomy and the revised one. */
export const RevisionAnswerSchema = z.object({
  rating: z.number().int().min(0).max(100).describe('How well the current taxonomy fits the data and the rules, 0-100.'),
  explanation: z.string().describe('Why the rating, and what was changed.'),
  suggestions: z.array(z.string()).describe('The edits that were needed, one per entry.'),
  labels: z.array(RevisedLabelSchema).describe('The complete revised taxonomy.'),
});
export type RevisionAnswer = z.infer<typeof RevisionAnswerSchema>;

/** Label count bounds of one chain level (the LabelRules' minLabels / maxLabels). */
export interface LabelCountLimits {
  minLabels: number;
  maxLabels: number;
}

const constrained = new Map<string, z.ZodType>();

/** Memoised per constraint set, so the gateway's JSON Schema and binding caches are reused across steps. */
function memoSchema<T>(key: string, make: () => z.ZodType<T>): z.ZodType<T> {
  let schema = constrained.get(key);
  if (!schema) {
    if (constrained.size >= 256) constrained.delete(constrained.keys().next().value!);
    schema = make();
    constrained.set(key, schema);
  }
  return schema as z.ZodType<T>;
}

/**
 * The generate answer with the label count sent as minItems / maxItems, so that providers with constrained decoding
 * cannot overshoot the cap. The bounds are JSON Schema metadata, not zod checks: an answer that breaks them still
 * parses and is refused by the taxonomy rules (checkLabels), which name the violation in the re-ask and keep the
 * answer as a candidate for the deterministic fallback (merge down, keep the best-supported labels).
 */
export function generateAnswerSchema(limits: LabelCountLimits): z.ZodType<GenerateAnswer> {
  return memoSchema(`g:${limits.minLabels}:${limits.maxLabels}`, () =>
    GenerateAnswerSchema.extend({
      labels: GenerateAnswerSchema.shape.labels.meta({ minItems: limits.minLabels, maxItems: limits.maxLabels }),
    }),
  );
}

/**
 * The update/review answer with the label count as minItems / maxItems and `fromIds` items as an enum of the
 * current label ids (metadata, like generateAnswerSchema: checkRevision refuses invented ids by name).
 */
export function revisionAnswerSchema(limits: LabelCountLimits, currentIds: readonly string[]): z.ZodType<RevisionAnswer> {
  return memoSchema(`r:${limits.minLabels}:${limits.maxLabels}:${JSON.stringify(currentIds)}`, () => {
    const fromIds = RevisedLabelSchema.shape.fromIds;
    const label = RevisedLabelSchema.extend({
      fromIds: currentIds.length > 0 ? z.array(z.string().meta({ enum: [...currentIds] })).describe(fromIds.description ?? '') : fromIds,
    });
    return RevisionAnswerSchema.extend({
      labels: z.array(label).describe('The complete revised taxonomy.').meta({ minItems: limits.minLabels, maxItems: limits.maxLabels }),
    });
  });
}

export const AssignAnswerSchema = z.object({
  placements: z
    .array(
      z.object({
        item: z.number().int().describe('Number of the text in the list.'),
        labelId: z.string().describe('Id of the label it belongs to, or "none".'),
      }),
    )
    .describe('One entry per text.'),
});
export type AssignAnswer = z.infer<typeof AssignAnswerSchema>;

export const PairwiseJudgeAnswerSchema = z.object({
  reason: z.string().describe('One or two sentences comparing how well each label set captures the text.'),
  verdict: z.enum(['first', 'second', 'tie']).describe('Which label set fits the text better.'),
});
export type PairwiseJudgeAnswer = z.infer<typeof PairwiseJudgeAnswerSchema>;

/** Schema names sent with each stage's request (scripted test models dispatch on them). */
export const SCHEMA_NAMES = {
  summarize: 'text_summary',
  generate: 'taxonomy_draft',
  merge: 'taxonomy_merge',
  update: 'taxonomy_revision',
  review: 'taxonomy_review',
  assign: 'label_placements',
  'judge-pairwise': 'taxonomy_comparison',
  'judge-label': 'label_choice',
  'judge-relevance': 'label_relevance',
} as const;
