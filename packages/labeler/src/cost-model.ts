import { countMessagesTokens, countTokens } from '@taxonomist/core';
import type { LabelCatalog } from './catalog.js';
import { NONE_ANSWER } from './catalog.js';
import type { AnswerShape } from './answer-schema.js';
import { buildMessages } from './prompt.js';
import type { FewShotExample } from './prompt.js';

/** Tokens the rationale of one answer is assumed to take (estimates only). */
export const RATIONALE_TOKENS_ESTIMATE = 40;
/** Labels a multi-label answer is assumed to list (estimates only). */
export const MULTI_LABELS_ESTIMATE = 2;

/**
 * Token model of a call, measured on the real prompt builder with tiktoken (o200k_base): the fixed part (system
 * prompt, examples, message framing, the JSON Schema of the answer) once, then per text its own tokens plus the JSON wrapping around it. Output
 * tokens come from a representative answer built from the answer schema (longest label id, assumed rationale
 * length, assumed labels per multi-label answer).
 */
export interface CallTokenModel {
  /** Tokens of a single-text call excluding the text itself. */
  singleFixed: number;
  /** Tokens of a packed call excluding its texts' own tokens and per-text wrapping. */
  packedFixed: number;
  /** Wrapping tokens per text in a packed call ({"id":"t12","text":...}). */
  packedPerText: number;
  /** Output tokens of one single-text answer. */
  outputSingle: number;
  /** Output tokens per text of a packed answer, and of the packed envelope. */
  outputPerPackedText: number;
  outputPackedFixed: number;
}

function representativeItem(catalog: LabelCatalog, shape: AnswerShape, key?: string): Record<string, unknown> {
  const longestId = catalog.ids.reduce((a, b) => (b.length > a.length ? b : a), shape.allowNone ? NONE_ANSWER : catalog.ids[0]!);
  const item: Record<string, unknown> = {};
  if (key !== undefined) item.id = key;
  // ~1 token per short English word: a filler of the assumed rationale length.
  if (shape.rationale) item.rationale = Array.from({ length: RATIONALE_TOKENS_ESTIMATE }, () => 'word').join(' ');
  if (shape.mode !== 'multi') item.label = longestId;
  if (shape.mode !== 'primary') item.labels = Array.from({ length: MULTI_LABELS_ESTIMATE }, () => longestId);
  return item;
}

export function buildCallTokenModel(
  catalog: LabelCatalog,
  shape: AnswerShape,
  systems: { single: string; packed: string },
  examples: FewShotExample[],
  /** Tokens of the JSON Schemas sent with a call (providers count them as input): single, and packed of size k. */
  schemaTokens: { single: number; packed: number },
): CallTokenModel {
  const probe = 'x';
  const probeTokens = countTokens(probe);
  const single = countMessagesTokens(buildMessages(systems.single, catalog, [{ text: probe }], examples)) - probeTokens;
  const two = countMessagesTokens(
    buildMessages(systems.packed, catalog, [{ key: 't10', text: probe }, { key: 't11', text: probe }], examples),
  );
  const three = countMessagesTokens(
    buildMessages(systems.packed, catalog, [{ key: 't10', text: probe }, { key: 't11', text: probe }, { key: 't12', text: probe }], examples),
  );
  const packedPerText = three - two - probeTokens;
  const packedFixed = two - 2 * (packedPerText + probeTokens) + schemaTokens.packed;
  const outputSingle = countTokens(JSON.stringify(representativeItem(catalog, shape)));
  const envelope = (n: number): number =>
    countTokens(JSON.stringify({ answers: Array.from({ length: n }, (_, i) => representativeItem(catalog, shape, `t${i + 10}`)) }));
  const outputPerPackedText = envelope(3) - envelope(2);
  return {
    singleFixed: single + schemaTokens.single,
    packedFixed,
    packedPerText,
    outputSingle,
    outputPerPackedText,
    outputPackedFixed: envelope(2) - 2 * outputPerPackedText,
  };
}

/** Estimated tokens of one call over texts with these token counts. */
export function callTokens(model: CallTokenModel, textTokens: readonly number[]): { inputTokens: number; outputTokens: number } {
  if (textTokens.length === 1) return { inputTokens: model.singleFixed + textTokens[0]!, outputTokens: model.outputSingle };
  let sum = 0;
  for (const t of textTokens) sum += t;
  return {
    inputTokens: model.packedFixed + textTokens.length * model.packedPerText + sum,
    outputTokens: model.outputPackedFixed + textTokens.length * model.outputPerPackedText,
  };
}
