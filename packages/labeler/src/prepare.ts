import { countTokens, truncateToTokens, withinTokenCap } from '@taxonomist/core';
import type { PreparedRecord } from './call-model.js';

export type PreparedInput =
  | { kind: 'ready'; record: PreparedRecord }
  /** The record has an id but cannot be labeled (empty or non-string text): it becomes a failed 'input' line. */
  | { kind: 'bad'; id: string; message: string };

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** The id of an in-memory record, or a TypeError naming the record: without an id nothing can be written or resumed. */
export function recordId(raw: unknown, index: number): string {
  const id = (raw as { id?: unknown } | null)?.id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  throw new TypeError(`corpus record #${index}: field "id": expected a non-empty string, got ${typeName(id)}`);
}

/**
 * Validate a record's text and cut it to `maxTokens` (with a marker) so one huge text cannot blow the context or
 * the budget. A text the byte bound proves under the cap is not encoded here (encoding every text only to check
 * the cap was the labeling client's largest CPU cost); its token count, needed only for cost estimates, is taken
 * on demand by recordTokens.
 */
export function prepareRecord(
  raw: unknown,
  id: string,
  seq: number,
  settings: { maxTextTokens: number; truncationMarker: string },
): PreparedInput {
  const text = (raw as { text?: unknown }).text;
  if (typeof text !== 'string') return { kind: 'bad', id, message: `field "text": expected a string, got ${typeName(text)}` };
  if (text.trim() === '') return { kind: 'bad', id, message: `field "text": ${text === '' ? 'is empty' : 'is only whitespace'}` };
  if (withinTokenCap(text, settings.maxTextTokens)) return { kind: 'ready', record: { seq, id, text } };
  const cut = truncateToTokens(text, settings.maxTextTokens, { marker: settings.truncationMarker });
  return {
    kind: 'ready',
    record: {
      seq,
      id,
      text: cut.text,
      tokens: countTokens(cut.text),
      truncated: { originalTokens: cut.originalTokens, keptTokens: cut.keptTokens },
    },
  };
}

/** Tokens of a prepared record's text, counted on first use and kept on the record. */
export function recordTokens(record: PreparedRecord): number {
  record.tokens ??= countTokens(record.text);
  return record.tokens;
}
