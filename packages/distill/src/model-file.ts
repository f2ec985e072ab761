/**
 * Model files: one versioned JSON document holding the featurizer state, the linear weights (little-endian float32,
 * base64), the label set, the taxonomy id and training facts. Same inputs and seed give byte-identical files (no
 * timestamps, fixed key order). `loadClassifier` checks the format and schema version first, so a file from another
 * version fails with a message saying so rather than with a schema error deep inside.
 */
import { readFile } from 'node:fs/promises';
import { base64ToFloat32, float32ToBase64, writeTextAtomic } from '@taxonomist/core';
import { z } from 'zod';
import type { LinearModel } from './classifiers/linear-model.js';
import type { FeaturizerContext, FeaturizerState } from './featurizers/types.js';
import { DistilledClassifier } from './model.js';
import { defaultRegistry, type DistillRegistry } from './registry.js';
import { DISTILL_PACKAGE } from './version.js';

export const MODEL_FILE_FORMAT = 'taxonomist-distill-model' as const;
export const MODEL_SCHEMA_VERSION = 1 as const;

export const ModelFileSchema = z
  .object({
    format: z.literal(MODEL_FILE_FORMAT),
    schemaVersion: z.literal(MODEL_SCHEMA_VERSION),
    createdBy: z.object({ name: z.string(), version: z.string() }),
    labels: z.array(z.string().min(1)).min(1),
    taxonomyId: z.string().optional(),
    /** Label name -> its id in the taxonomy, so predictions carry `labelId` (absent when the labels had none). */
    labelIds: z.record(z.string(), z.string()).optional(),
    multiLabel: z.boolean(),
    threshold: z.number().min(0).max(1),
    featurizer: z.looseObject({ type: z.string().min(1) }),
    classifier: z.object({
      config: z.looseObject({ type: z.string().min(1) }),
      link: z.enum(['softmax', 'sigmoid']),
      scale: z.number().positive(),
      features: z.number().int().nonnegative(),
      classes: z.number().int().positive(),
      bias: z.array(z.number()),
      /** base64 of little-endian float32, features x classes, row per feature. */
      weights: z.string(),
    }),
    training: z.record(z.string(), z.unknown()),
  })
  .superRefine((m, ctx) => {
    if (new Set(m.labels).size !== m.labels.length) ctx.addIssue({ code: 'custom', message: 'labels must be unique', path: ['labels'] });
    if (m.classifier.classes !== m.labels.length) {
      ctx.addIssue({ code: 'custom', message: `${m.classifier.classes} classes for ${m.labels.length} labels`, path: ['classifier', 'classes'] });
    }
    if (m.classifier.bias.length !== m.classifier.classes) {
      ctx.addIssue({ code: 'custom', message: `bias has ${m.classifier.bias.length} values, expected ${m.classifier.classes}`, path: ['classifier', 'bias'] });
    }
  });
export type ModelFile = z.infer<typeof ModelFileSchema>;

/** A model file that cannot be used: names the file and, when known, the field (the CLI exits 3 with both). */
export class ModelFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ModelFileError';
  }
}

/** The model as a model-file object (key order fixed). */
export function modelToJSON(model: DistilledClassifier): ModelFile {
  const l = model.linear;
  return {
    format: MODEL_FILE_FORMAT,
    schemaVersion: MODEL_SCHEMA_VERSION,
    createdBy: { name: DISTILL_PACKAGE.name, version: DISTILL_PACKAGE.version },
    labels: [...model.labels],
    ...(model.meta.taxonomyId !== undefined ? { taxonomyId: model.meta.taxonomyId } : {}),
    ...(model.meta.labelIds !== undefined ? { labelIds: model.meta.labelIds } : {}),
    multiLabel: model.meta.multiLabel,
    threshold: model.meta.threshold,
    featurizer: model.featurizer.toJSON(),
    classifier: {
      config: model.meta.classifier,
      link: l.link,
      scale: l.scale,
      features: l.features,
      classes: l.classes,
      bias: Array.from(l.bias),
      weights: float32ToBase64(l.weights),
    },
    training: model.meta.training,
  };
}

export function serializeModel(model: DistilledClassifier): string {
  return JSON.stringify(modelToJSON(model), null, 2) + '\n';
}

export async function saveClassifier(model: DistilledClassifier, path: string): Promise<void> {
  // Write then rename (core's writeTextAtomic), so a crash never leaves a half-written model behind; it also
  // redacts secrets, like every artifact writer.
  await writeTextAtomic(path, serializeModel(model));
}

export interface LoadClassifierOptions {
  /** Embedding models, needed when the model's featurizer uses embeddings. */
  embeddings?: FeaturizerContext['embeddings'];
  registry?: DistillRegistry;
}

/** Rebuild a classifier from a parsed model-file object. `source` names it in errors. */
export function modelFromJSON(raw: unknown, opts: LoadClassifierOptions = {}, source = 'model'): DistilledClassifier {
  const head = raw as { format?: unknown; schemaVersion?: unknown; createdBy?: { version?: unknown } } | null;
  if (head === null || typeof head !== 'object' || head.format !== MODEL_FILE_FORMAT) {
    throw new ModelFileError(`${source}: not a Taxonomist distill model (format is ${JSON.stringify(head?.format)}, expected "${MODEL_FILE_FORMAT}")`, source);
  }
  if (head.schemaVersion !== MODEL_SCHEMA_VERSION) {
    throw new ModelFileError(
      `${source}: model file schemaVersion ${JSON.stringify(head.schemaVersion)} (written by @taxonomist/distill ${String(head.createdBy?.version ?? '?')}) ` +
        `but this @taxonomist/distill ${DISTILL_PACKAGE.version} reads schemaVersion ${MODEL_SCHEMA_VERSION}: retrain the model or use a matching version`,
      source,
    );
  }
  const parsed = ModelFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ModelFileError(`${source}: invalid model file: ${issues}`, source, parsed.error.issues[0]!.path.join('.') || undefined);
  }
  const m = parsed.data;
  const registry = opts.registry ?? defaultRegistry;
  const c = m.classifier;
  let weights: Float32Array;
  try {
    weights = base64ToFloat32(c.weights, `${source}: field "classifier.weights"`);
  } catch (err) {
    throw new ModelFileError((err as Error).message, source, 'classifier.weights');
  }
  // Predictions from a non-finite weight are NaN for every text ("confidence": null): refuse the file instead.
  const notFinite = weights.findIndex((w) => !Number.isFinite(w));
  if (notFinite >= 0) {
    throw new ModelFileError(`${source}: field "classifier.weights": value ${notFinite} is ${String(weights[notFinite])} (a damaged file)`, source, 'classifier.weights');
  }
  if (weights.length !== c.features * c.classes) {
    throw new ModelFileError(`${source}: classifier.weights holds ${weights.length} values, expected ${c.features} x ${c.classes}`, source);
  }
  let featurizer;
  try {
    featurizer = registry.featurizerContext(opts.embeddings).load(m.featurizer as FeaturizerState);
  } catch (err) {
    throw new ModelFileError(`${source}: featurizer: ${(err as Error).message}`, source, 'featurizer');
  }
  if (featurizer.dimension !== c.features) {
    throw new ModelFileError(`${source}: featurizer has ${featurizer.dimension} features but the weights have ${c.features}`, source);
  }
  const linear: LinearModel = {
    features: c.features,
    classes: c.classes,
    weights,
    bias: Float32Array.from(c.bias),
    link: c.link,
    scale: c.scale,
  };
  return new DistilledClassifier(m.labels, featurizer, linear, {
    classifier: c.config,
    multiLabel: m.multiLabel,
    threshold: m.threshold,
    ...(m.taxonomyId !== undefined ? { taxonomyId: m.taxonomyId } : {}),
    ...(m.labelIds !== undefined ? { labelIds: m.labelIds } : {}),
    training: m.training,
  });
}

export async function loadClassifier(path: string, opts: LoadClassifierOptions = {}): Promise<DistilledClassifier> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelFileError(`${path}: cannot read model file: ${(err as Error).message}`, path);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(`${path}: model file is not valid JSON: ${(err as Error).message}`, path);
  }
  return modelFromJSON(raw, opts, path);
}
