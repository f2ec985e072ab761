import type { LabelCatalog } from './catalog.js';
import type { AnswerShape, PackedAnswer } from './answer-schema.js';
import { interpretAnswer } from './interpret.js';
import type { PackStats, RecordOutcome } from './call-model.js';

/**
 * Match a packed answer back to the texts of its pack by key (t1..tk). A text whose answer is missing, duplicated or
 * outside the taxonomy gets no outcome and is listed in `reask` (and counted in `pack`): the caller re-asks it on
 * its own (online labeling) or fails it with the reason (batch labeling). Shared by both so they judge alike.
 */
export function matchPackedAnswers(
  ctx: { catalog: LabelCatalog; shape: AnswerShape; pack: PackStats },
  keys: readonly string[],
  value: PackedAnswer,
  confidences: readonly (number | undefined)[],
  modelId: string,
): { out: (RecordOutcome | undefined)[]; reask: number[]; reasons: Map<number, { kind: 'invalid_output' | 'out_of_taxonomy'; message: string }> } {
  const out: (RecordOutcome | undefined)[] = new Array(keys.length).fill(undefined);
  const reask: number[] = [];
  const reasons = new Map<number, { kind: 'invalid_output' | 'out_of_taxonomy'; message: string }>();
  const answers = Array.isArray(value.answers) ? value.answers : [];
  const byKey = new Map<string, number[]>();
  answers.forEach((a, i) => {
    const list = byKey.get(a.id) ?? [];
    list.push(i);
    byKey.set(a.id, list);
  });
  for (const key of byKey.keys()) if (!keys.includes(key)) ctx.pack.extra += byKey.get(key)!.length;
  keys.forEach((key, r) => {
    const hits = byKey.get(key) ?? [];
    if (hits.length !== 1) {
      if (hits.length === 0) ctx.pack.missing += 1;
      else ctx.pack.duplicated += 1;
      reask.push(r);
      const message = hits.length === 0 ? `the packed answer has no answer for text "${key}"` : `the packed answer answers text "${key}" ${hits.length} times`;
      reasons.set(r, { kind: 'invalid_output', message });
      return;
    }
    const interp = interpretAnswer(ctx.catalog, ctx.shape, answers[hits[0]!]!);
    if (interp.kind !== 'ok') {
      ctx.pack.outOfTaxonomy += 1;
      reask.push(r);
      reasons.set(r, { kind: 'out_of_taxonomy', message: interp.message });
      return;
    }
    const confidence = confidences[hits[0]!];
    out[r] = { status: 'ok', answer: interp, modelId, ...(confidence !== undefined ? { confidence } : {}) };
  });
  return { out, reask, reasons };
}
