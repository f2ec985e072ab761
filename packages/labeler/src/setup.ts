import type { Taxonomy } from '@taxonomist/core';
import { buildCatalog } from './catalog.js';
import type { LabelCatalog } from './catalog.js';
import { packedAnswerSchema, packKeys, singleAnswerSchema } from './answer-schema.js';
import type { AnswerShape, PackedAnswer } from './answer-schema.js';
import { buildSystemPrompt } from './prompt.js';
import { createFewShotSelector } from './few-shot.js';
import type { FewShotSelector } from './few-shot.js';
import { buildCallTokenModel } from './cost-model.js';
import type { CallTokenModel } from './cost-model.js';
import type { ModelHandle } from './call-model.js';
import type { ConfidenceMethod } from './combine.js';
import { resolveOptions } from './options.js';
import type { LabelOptions, ResolvedOptions } from './options.js';
import { z } from 'zod';
import { countTokens } from '@taxonomist/core';

/** Everything fixed for a run (or an estimate), derived once from the taxonomy and options. */
export interface RunSetup {
  opts: ResolvedOptions;
  catalog: LabelCatalog;
  shape: AnswerShape;
  models: ModelHandle[];
  confidence: ConfidenceMethod;
  systems: { single: string; packed: string };
  singleSchema: ReturnType<typeof singleAnswerSchema>;
  packedSchema(k: number): z.ZodType<PackedAnswer>;
  fewShot?: FewShotSelector;
  tokens: CallTokenModel;
}

export async function createRunSetup(taxonomy: Taxonomy, options: LabelOptions): Promise<RunSetup> {
  const opts = resolveOptions(options);
  const catalog = buildCatalog(taxonomy);
  const shape: AnswerShape = { mode: opts.mode, rationale: opts.rationale, allowNone: opts.allowNone };
  const models: ModelHandle[] = [];
  for (const ref of opts.modelRefs) {
    const r = await opts.gateway.resolveChatModel(ref);
    if (models.some((m) => m.id === r.id)) {
      throw new TypeError(`label: model "${r.id}" is listed twice in the ensemble (give each model a distinct id)`);
    }
    models.push({ ref, id: r.id, supportsLogprobs: r.supportsLogprobs });
  }
  let confidence: ConfidenceMethod;
  if (opts.confidence === 'auto') confidence = models[0]!.supportsLogprobs ? 'logprobs' : 'self-consistency';
  else confidence = opts.confidence;
  const promptBase = { shape, ...(opts.instructions !== undefined ? { instructions: opts.instructions } : {}) };
  const systems = {
    single: buildSystemPrompt(catalog, { ...promptBase, packed: false }),
    packed: buildSystemPrompt(catalog, { ...promptBase, packed: true }),
  };
  const packedSchemas = new Map<number, z.ZodType<PackedAnswer>>();
  const singleSchema = singleAnswerSchema(catalog, shape);
  const fewShot =
    options.fewShot !== undefined
      ? await createFewShotSelector(options.fewShot, { gateway: opts.gateway, catalog, seed: opts.seed, stage: opts.stage })
      : undefined;
  return {
    opts,
    catalog,
    shape,
    models,
    confidence,
    systems,
    singleSchema,
    packedSchema(k: number) {
      let s = packedSchemas.get(k);
      if (s === undefined) {
        s = packedAnswerSchema(catalog, shape, packKeys(k));
        packedSchemas.set(k, s);
      }
      return s;
    },
    ...(fewShot ? { fewShot } : {}),
    tokens: buildCallTokenModel(catalog, shape, systems, fewShot?.representative ?? [], {
      single: countTokens(JSON.stringify(z.toJSONSchema(singleSchema))),
      packed: countTokens(JSON.stringify(z.toJSONSchema(packedAnswerSchema(catalog, shape, packKeys(opts.pack))))),
    }),
  };
}

/** Calls a batch of records makes: models x samples (re-asks of packed answers not included). */
export function callsPerBatch(setup: RunSetup): number {
  return setup.models.length * (setup.confidence === 'self-consistency' ? setup.opts.samples : 1);
}
