import { resolveAnswer } from './near-miss.js';
import type { LabelCatalog } from './catalog.js';
import type { AnswerShape, ItemAnswer } from './answer-schema.js';

/** A model answer for one text, checked against the taxonomy. */
export type Interpretation =
  | {
      kind: 'ok';
      /** Primary label id; undefined when the answer is "none of these". */
      primaryId?: string;
      /** All applicable label ids (multi/both modes; [primaryId] in primary mode), primary first. */
      ids: string[];
      none: boolean;
      /** Near misses that were mapped: answered string -> label id (or "none"). */
      mapped: { from: string; to: string }[];
      rationale?: string;
    }
  | { kind: 'unknown'; answers: string[]; message: string };

/**
 * Check an answer's label strings against the taxonomy (through the near-miss mapper). Strict by design: one
 * unrecognisable label makes the whole answer 'unknown' (the record is re-asked, then failed with the raw answer
 * kept) rather than silently dropping part of what the model said.
 */
export function interpretAnswer(catalog: LabelCatalog, shape: AnswerShape, answer: ItemAnswer): Interpretation {
  const mapped: { from: string; to: string }[] = [];
  const unknown: string[] = [];
  const resolveOne = (raw: string): string | 'none' | undefined => {
    const r = resolveAnswer(catalog, raw, shape.allowNone);
    if (r.kind === 'unknown') {
      unknown.push(raw);
      return undefined;
    }
    const to = r.kind === 'none' ? 'none' : r.id;
    if (r.mapped) mapped.push({ from: raw, to });
    return to;
  };

  let primary: string | 'none' | undefined;
  if (shape.mode !== 'multi') {
    if (typeof answer.label !== 'string') {
      return { kind: 'unknown', answers: [], message: 'the answer has no "label"' };
    }
    primary = resolveOne(answer.label);
  }
  const listed: string[] = [];
  if (shape.mode !== 'primary') {
    if (!Array.isArray(answer.labels)) return { kind: 'unknown', answers: [], message: 'the answer has no "labels"' };
    for (const raw of answer.labels) {
      const r = resolveOne(String(raw));
      if (r !== undefined && r !== 'none' && !listed.includes(r)) listed.push(r);
    }
  }
  if (unknown.length > 0) {
    const quoted = unknown.map((u) => JSON.stringify(u)).join(', ');
    return { kind: 'unknown', answers: unknown, message: `answer outside the taxonomy: ${quoted}` };
  }
  const rationale = typeof answer.rationale === 'string' && answer.rationale !== '' ? answer.rationale : undefined;
  const base = { kind: 'ok' as const, mapped, ...(rationale !== undefined ? { rationale } : {}) };

  if (shape.mode === 'primary') {
    return primary === 'none' ? { ...base, ids: [], none: true } : { ...base, primaryId: primary!, ids: [primary!], none: false };
  }
  if (shape.mode === 'multi') {
    // "none" listed together with real labels is contradictory; the real labels carry the information.
    if (listed.length > 0) return { ...base, primaryId: listed[0]!, ids: listed, none: false };
    // An empty list means "none" only when "none" is allowed (resolveOne already refused "none" otherwise).
    if (shape.allowNone) return { ...base, ids: [], none: true };
    return { kind: 'unknown', answers: [], message: 'the answer lists no label' };
  }
  // both: the primary label decides; the list is completed with it so labels always contain the primary.
  if (primary === 'none') return { ...base, ids: [], none: true };
  const ids = [primary!, ...listed.filter((id) => id !== primary)];
  return { ...base, primaryId: primary!, ids, none: false };
}
