/**
 * The prediction line of one record (the LabelAssignment contract), shared by every writer of predictions (predictStream
 * here, `taxonomist predict` and `taxonomist run`) so that they all carry the same fields: label, labelId, confidence,
 * model, taxonomyId.
 */
import type { LabelAssignment } from '@taxonomist/core';
import type { DistilledClassifier } from './model.js';

/** The classifier's id as written in the `model` field of every prediction line. */
export function classifierModelId(model: DistilledClassifier): string {
  return `distill:${model.meta.classifier.type}`;
}

/**
 * An ok line: the top label, its calibrated probability as confidence, all labels for multi-label, and the label's id
 * in the taxonomy from `labelIds` (default: the ids recorded in the model file at training).
 */
export function predictionLine(
  id: string,
  p: { label: string; probability: number; labels?: string[] },
  model: DistilledClassifier,
  options: { labelIds?: ReadonlyMap<string, string> | Readonly<Record<string, string>>; modelName?: string } = {},
): LabelAssignment {
  const ids = options.labelIds ?? model.meta.labelIds;
  const labelId = ids === undefined ? undefined : ids instanceof Map ? ids.get(p.label) : Object.hasOwn(ids, p.label) ? (ids as Record<string, string>)[p.label] : undefined;
  return {
    id,
    status: 'ok',
    label: p.label,
    ...(labelId !== undefined ? { labelId } : {}),
    ...(p.labels !== undefined ? { labels: p.labels } : {}),
    confidence: Math.min(1, Math.max(0, p.probability)),
    confidenceMethod: 'classifier',
    model: options.modelName ?? classifierModelId(model),
    ...(model.taxonomyId !== undefined ? { taxonomyId: model.taxonomyId } : {}),
  };
}

/** The failed line of a record with nothing to classify (an empty or whitespace-only text). */
export function failedPredictionLine(id: string, message: string, model: DistilledClassifier, options: { modelName?: string } = {}): LabelAssignment {
  return {
    id,
    status: 'failed',
    model: options.modelName ?? classifierModelId(model),
    ...(model.taxonomyId !== undefined ? { taxonomyId: model.taxonomyId } : {}),
    error: { kind: 'input', message },
  };
}
