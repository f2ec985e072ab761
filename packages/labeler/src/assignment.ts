import type { AssignmentErrorKind, LabelAssignment } from '@taxonomist/core';
import type { LabelCatalog } from './catalog.js';
import type { LabelMode } from './answer-schema.js';
import type { FinalOutcome } from './combine.js';

/**
 * Build the output line of a record. Keys are always in the same order, so equal outcomes give byte-identical
 * lines. Labels come from the catalog (ids resolved to names), never from the model's text.
 */
export function toAssignment(
  id: string,
  outcome: FinalOutcome,
  ctx: { catalog: LabelCatalog; mode: LabelMode; truncated?: { originalTokens: number; keptTokens: number } },
): LabelAssignment {
  if (outcome.status === 'failed') {
    return failedAssignment(id, outcome.kind, outcome.message, outcome.raw, {
      model: outcome.modelId,
      taxonomyId: ctx.catalog.taxonomyId,
      ...(ctx.truncated ? { truncated: ctx.truncated } : {}),
    });
  }
  const a = outcome.answer;
  // Keys in LabelAssignmentSchema order, so lines read back and rewritten (compaction) stay byte-identical.
  const out: LabelAssignment = { id, status: 'ok' };
  if (!a.none) {
    const primary = ctx.catalog.byId.get(a.primaryId!)!;
    out.label = primary.name;
    out.labelId = primary.id;
    if (ctx.mode !== 'primary') {
      out.labels = a.ids.map((i) => ctx.catalog.byId.get(i)!.name);
      out.labelIds = [...a.ids];
    }
  } else {
    out.none = true;
  }
  if (outcome.confidence !== undefined) {
    out.confidence = outcome.confidence;
    if (outcome.confidenceMethod !== undefined) out.confidenceMethod = outcome.confidenceMethod;
  }
  if (a.rationale !== undefined) out.rationale = a.rationale;
  if (a.mapped.length > 0) out.mapped = a.mapped.map((m) => ({ from: m.from, to: m.to }));
  if (ctx.truncated) out.truncated = { originalTokens: ctx.truncated.originalTokens, keptTokens: ctx.truncated.keptTokens };
  out.model = outcome.modelId;
  out.taxonomyId = ctx.catalog.taxonomyId;
  return out;
}

export function failedAssignment(
  id: string,
  kind: AssignmentErrorKind,
  message: string,
  raw: string | undefined,
  extra: { model?: string; taxonomyId?: string; truncated?: { originalTokens: number; keptTokens: number } } = {},
): LabelAssignment {
  const out: LabelAssignment = { id, status: 'failed' };
  if (extra.truncated) out.truncated = { originalTokens: extra.truncated.originalTokens, keptTokens: extra.truncated.keptTokens };
  if (extra.model !== undefined) out.model = extra.model;
  if (extra.taxonomyId !== undefined) out.taxonomyId = extra.taxonomyId;
  out.error = { kind, message, ...(raw !== undefined ? { raw } : {}) };
  return out;
}
