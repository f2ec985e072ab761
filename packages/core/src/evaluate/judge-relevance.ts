import { z } from 'zod';
import { SCHEMA_NAMES } from '../induce/answers.js';
import type { Taxonomy } from '../schemas/taxonomy.js';
import {
  labelText,
  rateByLabel,
  wilsonInterval,
  type ConfidenceInterval,
  type JudgeEvaluationOptions,
  type JudgeInputRecord,
  type JudgeReportBase,
} from './judge.js';
import { judgeRecords } from './judge-run.js';

export const RelevanceJudgeAnswerSchema = z.object({
  reason: z.string().describe('One sentence on why the label is or is not relevant to the purpose.'),
  relevant: z.boolean().describe('Whether the label says something about the text that the purpose asks for.'),
});
export type RelevanceJudgeAnswer = z.infer<typeof RelevanceJudgeAnswerSchema>;

export interface RelevanceDecision {
  id: string;
  labelId: string;
  relevant: boolean | null;
  reason: string;
}

export interface RelevanceReport extends JudgeReportBase {
  relevant: number;
  /** relevant / n (null when n = 0). */
  rate: number | null;
  ci: ConfidenceInterval | null;
  decisions: RelevanceDecision[];
}

/**
 * Use-case relevance by an LLM judge: for each drawn record, is its assigned label relevant to the use-case
 * instruction? Reported as a rate with a Wilson confidence interval and per label.
 */
export async function judgeRelevance(
  records: readonly JudgeInputRecord[],
  taxonomy: Taxonomy,
  options: JudgeEvaluationOptions,
): Promise<RelevanceReport> {
  const useCase = options.useCase ?? taxonomy.useCase;
  const { judged, skipped, usage } = await judgeRecords(records, taxonomy, options, {
    promptId: 'judge-relevance',
    schema: RelevanceJudgeAnswerSchema,
    schemaName: SCHEMA_NAMES['judge-relevance'],
    prepare: (_record, label, text) => ({ vars: { useCase, labelText: labelText(label), recordText: text } }),
  });
  const decisions: RelevanceDecision[] = judged.map((j) => ({
    id: j.record.id,
    labelId: j.label.id,
    relevant: j.value?.relevant ?? null,
    reason: j.value?.reason ?? 'no usable verdict',
  }));
  const answered = decisions.filter((d) => d.relevant !== null);
  const relevant = answered.filter((d) => d.relevant).length;
  return {
    n: answered.length,
    relevant,
    rate: answered.length === 0 ? null : relevant / answered.length,
    ci: wilsonInterval(relevant, answered.length, options.level ?? 0.95),
    failed: decisions.length - answered.length,
    skipped,
    perLabel: rateByLabel(taxonomy, answered.map((d) => ({ labelId: d.labelId, hit: d.relevant! }))),
    decisions,
    usage,
  };
}
