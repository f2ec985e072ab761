import { z } from 'zod';

export const ASSIGNMENT_ERROR_KINDS = [
  'rate_limit',
  'server',
  'timeout',
  'network',
  'quota',
  'auth',
  'bad_request',
  'invalid_output',
  'refusal',
  'out_of_taxonomy',
  'budget',
  'aborted',
  'input',
  'unknown',
] as const;
export const AssignmentErrorKindSchema = z.enum(ASSIGNMENT_ERROR_KINDS);
export type AssignmentErrorKind = z.infer<typeof AssignmentErrorKindSchema>;

/**
 * One output line of a labeling or prediction run (the `labels.jsonl` / `predictions.jsonl` contract).
 * Every input record yields exactly one of these: `status: ok` with a label, or `status: failed` with an error.
 */
export const LabelAssignmentSchema = z
  .object({
    id: z.string().min(1),
    status: z.enum(['ok', 'failed']),
    /** Primary label name; absent only when status is failed. */
    label: z.string().min(1).optional(),
    labelId: z.string().min(1).optional(),
    /** All applicable label names (multi-label mode). */
    labels: z.array(z.string().min(1)).optional(),
    labelIds: z.array(z.string().min(1)).optional(),
    /** The model answered "none of these" (coverage measurement); never a real label. */
    none: z.boolean().optional(),
    confidence: z.number().min(0).max(1).optional(),
    /** How `confidence` was obtained. */
    confidenceMethod: z.enum(['logprobs', 'self-consistency', 'vote', 'classifier', 'model']).optional(),
    rationale: z.string().optional(),
    /** The answer was a near miss (case, spacing, small edit, name for id) mapped onto a taxonomy label. */
    mapped: z.object({ from: z.string(), to: z.string() }).array().optional(),
    /** The text was truncated to this many tokens before labeling. */
    truncated: z.object({ originalTokens: z.number().int(), keptTokens: z.number().int() }).optional(),
    model: z.string().optional(),
    /**
     * The label was asked again because the label audit disputed it: the original answer, the new answers, the
     * resolution policy and whether the label changed (`label` holds the resolution).
     */
    relabel: z
      .object({
        from: z.string(),
        policy: z.enum(['majority', 'second-opinion']),
        answers: z.array(z.string().nullable()),
        changed: z.boolean(),
        model: z.string().optional(),
      })
      .optional(),
    taxonomyId: z.string().optional(),
    error: z
      .object({ kind: AssignmentErrorKindSchema, message: z.string(), raw: z.string().optional() })
      .optional(),
  })
  .superRefine((a, ctx) => {
    if (a.status === 'ok' && a.label === undefined && !a.none) {
      ctx.addIssue({ code: 'custom', message: 'an ok assignment needs a label (or none: true)', path: ['label'] });
    }
    if (a.status === 'failed' && a.error === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a failed assignment needs an error', path: ['error'] });
    }
  });
export type LabelAssignment = z.infer<typeof LabelAssignmentSchema>;
