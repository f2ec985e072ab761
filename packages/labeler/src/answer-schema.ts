import { z } from 'zod';
import { NONE_ANSWER } from './catalog.js';
import type { LabelCatalog } from './catalog.js';

export type LabelMode = 'primary' | 'multi' | 'both';

/** Which fields an answer carries, fixed for a run. */
export interface AnswerShape {
  mode: LabelMode;
  rationale: boolean;
  allowNone: boolean;
}

/** One text's answer as the model gives it (label strings are not yet checked against the taxonomy). */
export interface ItemAnswer {
  rationale?: string;
  label?: string;
  labels?: string[];
}

export interface PackedAnswer {
  answers: (ItemAnswer & { id: string })[];
}

/**
 * A string field that is SENT to the model as an enum (JSON Schema `enum`, so providers with constrained decoding
 * can only produce taxonomy ids) but VALIDATED loosely as any string. The looseness is deliberate: providers
 * without constrained decoding may answer "Card Arrival" for "L3", and the near-miss mapper can recover that,
 * whereas a strict zod enum would make the gateway throw it away as invalid output.
 */
function enumString(values: string[], description: string): z.ZodString {
  return z.string().meta({ enum: values, description });
}

function allowedAnswers(catalog: LabelCatalog, shape: AnswerShape): string[] {
  return shape.allowNone ? [...catalog.ids, NONE_ANSWER] : [...catalog.ids];
}

function itemFields(catalog: LabelCatalog, shape: AnswerShape): Record<string, z.ZodType> {
  const allowed = allowedAnswers(catalog, shape);
  const fields: Record<string, z.ZodType> = {};
  // Rationale first: models that write their reason before the label tend to label better, and the fields are
  // generated in schema order.
  if (shape.rationale) fields.rationale = z.string().describe('One or two sentences: why this label fits the text.');
  const noneHint = shape.allowNone ? ` or "${NONE_ANSWER}" when no label fits` : '';
  if (shape.mode === 'primary' || shape.mode === 'both') {
    fields.label = enumString(allowed, `The id of the single best label${noneHint}.`);
  }
  if (shape.mode === 'multi' || shape.mode === 'both') {
    fields.labels = z
      .array(enumString(allowed, 'A label id.'))
      .describe(`The ids of every label that applies, most relevant first${noneHint}.`);
  }
  return fields;
}

/** The answer schema of a one-text call. Every field is required (OpenAI strict structured outputs need that). */
export function singleAnswerSchema(catalog: LabelCatalog, shape: AnswerShape): z.ZodType<ItemAnswer> {
  return z.object(itemFields(catalog, shape)) as unknown as z.ZodType<ItemAnswer>;
}

/** The answer schema of a packed call: one entry per text, keyed by the short ids ("t1".."tk") sent with them. */
export function packedAnswerSchema(catalog: LabelCatalog, shape: AnswerShape, keys: string[]): z.ZodType<PackedAnswer> {
  const item = z.object({ id: enumString(keys, 'The id of the text this answer is for.'), ...itemFields(catalog, shape) });
  return z.object({
    answers: z.array(item).describe('Exactly one answer per text, in any order.'),
  }) as unknown as z.ZodType<PackedAnswer>;
}

/** Short ids for the texts of a pack: t1..tk. Short ids cost fewer tokens than record ids and cannot leak them. */
export function packKeys(k: number): string[] {
  return Array.from({ length: k }, (_, i) => `t${i + 1}`);
}
