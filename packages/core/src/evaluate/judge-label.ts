import { z } from 'zod';
import { SCHEMA_NAMES } from '../induce/answers.js';
import type { Taxonomy, TaxonomyLabel } from '../schemas/taxonomy.js';
import { createRng, hashString32 } from '../util/random.js';
import {
  labelDepth,
  labelText,
  rateByLabel,
  wilsonInterval,
  type ConfidenceInterval,
  type JudgeEvaluationOptions,
  type JudgeInputRecord,
  type JudgeReportBase,
} from './judge.js';
import { judgeRecords } from './judge-run.js';

export const LabelJudgeAnswerSchema = z.object({
  reason: z.string().describe('One sentence on which label fits the text better and why.'),
  choice: z.enum(['first', 'second']).describe('The label that describes the text better.'),
});
export type LabelJudgeAnswer = z.infer<typeof LabelJudgeAnswerSchema>;

export interface LabelJudgeDecision {
  id: string;
  labelId: string;
  /** The rival label shown next to the assigned one. */
  otherId: string;
  /** Whether the assigned label was shown first. */
  assignedFirst: boolean;
  choice: 'first' | 'second' | null;
  /** The judge picked the assigned label (null without a usable verdict). */
  hit: boolean | null;
  reason: string;
}

export interface LabelAccuracyReport extends JudgeReportBase {
  /** Records where the judge preferred the assigned label. */
  hits: number;
  /** hits / n (null when n = 0). Chance level is 0.5. */
  accuracy: number | null;
  ci: ConfidenceInterval | null;
  /** Share of verdicts for the first position (about 0.5 means little position bias). */
  firstPositionRate: number | null;
  decisions: LabelJudgeDecision[];
}

/**
 * Label accuracy by an LLM judge (TnT-LLM's evaluation): for each drawn record, its assigned label against one
 * random other label of the same depth, the two shown in a seeded random order; the judge picks the better fit.
 * The hit rate (chance 0.5) is reported with a Wilson confidence interval and per label.
 */
export async function judgeLabelAccuracy(
  records: readonly JudgeInputRecord[],
  taxonomy: Taxonomy,
  options: JudgeEvaluationOptions,
): Promise<LabelAccuracyReport> {
  const seed = options.seed ?? 0;
  const useCase = options.useCase ?? taxonomy.useCase;
  const pairs = new Map<string, { other: TaxonomyLabel; assignedFirst: boolean }>();
  const { judged, skipped, usage } = await judgeRecords(records, taxonomy, options, {
    promptId: 'judge-label',
    schema: LabelJudgeAnswerSchema,
    schemaName: SCHEMA_NAMES['judge-label'],
    prepare: (record, label, text) => {
      const depth = labelDepth(label, taxonomy);
      const rivals = taxonomy.labels.filter((l) => l.id !== label.id && labelDepth(l, taxonomy) === depth);
      if (rivals.length === 0) return { skip: 'no_other_label' };
      // One generator per record: the rival and the order do not depend on which other records were drawn.
      const rng = createRng(hashString32(`${seed}:judge-label:${record.id}`));
      const other = rivals[rng.int(rivals.length)]!;
      const assignedFirst = rng.next() < 0.5;
      pairs.set(record.id, { other, assignedFirst });
      const [first, second] = assignedFirst ? [label, other] : [other, label];
      return { vars: { useCase, firstLabel: labelText(first), secondLabel: labelText(second), recordText: text } };
    },
  });

  const decisions: LabelJudgeDecision[] = [];
  let hits = 0;
  let n = 0;
  let failed = 0;
  let first = 0;
  for (const j of judged) {
    const { other, assignedFirst } = pairs.get(j.record.id)!;
    const choice = j.value?.choice ?? null;
    const hit = choice === null ? null : (choice === 'first') === assignedFirst;
    if (hit === null) failed++;
    else {
      n++;
      if (hit) hits++;
      if (choice === 'first') first++;
    }
    decisions.push({
      id: j.record.id,
      labelId: j.label.id,
      otherId: other.id,
      assignedFirst,
      choice,
      hit,
      reason: j.value?.reason ?? 'no usable verdict',
    });
  }
  return {
    n,
    hits,
    accuracy: n === 0 ? null : hits / n,
    ci: wilsonInterval(hits, n, options.level ?? 0.95),
    firstPositionRate: n === 0 ? null : first / n,
    failed,
    skipped,
    perLabel: rateByLabel(
      taxonomy,
      decisions.filter((d) => d.hit !== null).map((d) => ({ labelId: d.labelId, hit: d.hit! })),
    ),
    decisions,
    usage,
  };
}
