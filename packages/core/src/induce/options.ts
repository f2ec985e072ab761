import { z } from 'zod';
import { TaxonomySchema } from '../schemas/taxonomy.js';
import type { ChatModelRef, EmbeddingsRef, Gateway } from '../llm/types.js';
import type { GatewayOptions } from '../llm/gateway.js';
import type { PluginHost, PromptOverride } from '../plugins/types.js';
import type { InductionProgressEvent } from './progress.js';

/** Per-stage sampling temperatures (paper: generate 0.5, update 0.2, everything else 0). */
export const InduceTemperaturesSchema = z.object({
  summarize: z.number().min(0).max(2).default(0),
  generate: z.number().min(0).max(2).default(0.5),
  update: z.number().min(0).max(2).default(0.2),
  review: z.number().min(0).max(2).default(0),
  assign: z.number().min(0).max(2).default(0),
  judge: z.number().min(0).max(2).default(0),
});
export type InduceTemperatures = z.infer<typeof InduceTemperaturesSchema>;

/**
 * The serialisable settings of an induction run. Everything here enters the checkpoint's options hash, so a
 * checkpoint is only resumed by a run with the same settings. Defaults follow the paper where it gives one.
 */
export const InduceSettingsSchema = z
  // strict: a misspelt option is an error, not a silently ignored key.
  .strictObject({
    /** What the taxonomy is for, e.g. "classify the user's intent in these support chats". */
    useCase: z.string().trim().min(1, 'useCase must be a non-empty instruction'),
    /** 'llm' (TnT-LLM) or 'cluster' (k-means baseline). Default: 'llm' when a model is given, else 'cluster'. */
    strategy: z.enum(['llm', 'cluster']).optional(),
    seed: z.number().int().default(0),
    /** Records drawn from the corpus (seeded; all of them when the corpus is smaller). */
    sampleSize: z.number().int().positive().default(2000),
    /** Metadata field to stratify the sample by (proportional allocation). */
    stratifyBy: z.string().min(1).optional(),
    /** Share of the sample kept aside for judging trials and for later evaluation. */
    validationFraction: z.number().min(0).max(0.9).default(0.1),
    /** 'auto': summarize only texts longer than `summaryTokenThreshold`; true: all; false: none. */
    summarize: z.union([z.literal('auto'), z.boolean()]).default('auto'),
    summaryTokenThreshold: z.number().int().positive().default(80),
    /** Target length of a summary in words. */
    summaryWords: z.number().int().positive().default(20),
    /** Texts are cut to this many tokens (on token boundaries) before they reach any prompt. */
    maxTextTokens: z.number().int().positive().default(2000),
    /** Records per minibatch. */
    batchSize: z.number().int().positive().default(200),
    /** Tokens of data per minibatch, so a batch always fits the context window with the prompt around it. */
    batchTokenBudget: z.number().int().positive().default(40_000),
    maxLabels: z.number().int().positive().default(25),
    maxNameWords: z.number().int().positive().default(5),
    maxDescriptionWords: z.number().int().positive().default(30),
    /** Expected language of names and descriptions (ISO 639-1 like 'en', 'ru', 'ja'); checked by script. */
    language: z.string().min(2).optional(),
    /** Passes over the minibatches (the first pass generates on batch 1 and updates on the rest). */
    epochs: z.number().int().positive().default(1),
    temperatures: InduceTemperaturesSchema.prefault({}),
    /** Raise the temperature by this much on every re-ask after an invalid answer. */
    temperatureStep: z.number().min(0).max(1).default(0.1),
    /** Attempts per step (the first ask included) before a step is given up. */
    maxAttempts: z.number().int().positive().default(5),
    /** Run the whole chain this many times with different seeds; an LLM judge keeps the best result. */
    trials: z.number().int().positive().default(1),
    /** Validation records the judge looks at per pair of candidates. */
    judgeSampleSize: z.number().int().positive().default(30),
    /** Ask the judge in both orders and only count consistent verdicts (removes position bias, costs 2x). */
    judgeBothOrders: z.boolean().default(false),
    /** Run the final review pass (without data). */
    review: z.boolean().default(true),
    /** 2 grows sub-labels inside every top label from the records the model placed there. */
    levels: z.union([z.literal(1), z.literal(2)]).default(1),
    maxSubLabels: z.number().int().min(2).default(8),
    /** Top labels with fewer placed records than this get no sub-labels. */
    minRecordsForSubLabels: z.number().int().positive().default(10),
    /** Example summaries stored on each label (taken from the placement pass; 0 skips that pass at 1 level). */
    examplesPerLabel: z.number().int().nonnegative().default(0),
    /** A taxonomy to start from instead of generating one (its ids are kept). */
    seedTaxonomy: TaxonomySchema.optional(),
    /** Ids or names of seed labels the model may not remove or rename. */
    lockedLabels: z.array(z.string().min(1)).default([]),
    /** Appended to every prompt. */
    instructions: z.string().optional(),
    /** Parallel model calls for summaries, placements and judging (the gateway also limits). */
    concurrency: z.number().int().positive().default(8),
    /** Options of the clustering strategy (see clusterTaxonomy). */
    cluster: z
      .strictObject({
        k: z.number().int().positive().optional(),
        kRange: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
      })
      .optional(),
  })
  .superRefine((s, ctx) => {
    if (s.lockedLabels.length > 0 && s.seedTaxonomy === undefined) {
      ctx.addIssue({ code: 'custom', path: ['lockedLabels'], message: 'lockedLabels needs a seedTaxonomy to lock labels of' });
    }
    if (s.seedTaxonomy !== undefined) {
      const known = new Set(s.seedTaxonomy.labels.flatMap((l) => [l.id, l.name]));
      for (const locked of s.lockedLabels) {
        if (!known.has(locked)) {
          ctx.addIssue({
            code: 'custom',
            path: ['lockedLabels'],
            message: `locked label "${locked}" is neither an id nor a name of the seed taxonomy`,
          });
        }
      }
      if (s.seedTaxonomy.labels.length > s.maxLabels) {
        ctx.addIssue({
          code: 'custom',
          path: ['seedTaxonomy'],
          message: `the seed taxonomy has ${s.seedTaxonomy.labels.length} labels, more than maxLabels ${s.maxLabels}`,
        });
      }
    }
    if (s.maxTextTokens > s.batchTokenBudget) {
      ctx.addIssue({
        code: 'custom',
        path: ['batchTokenBudget'],
        message: `batchTokenBudget (${s.batchTokenBudget}) must be at least maxTextTokens (${s.maxTextTokens}) so any one text fits a batch`,
      });
    }
  });
export type InduceSettingsInput = z.input<typeof InduceSettingsSchema>;
export type InduceSettings = z.infer<typeof InduceSettingsSchema>;

/** The non-serialisable parts of the options: models, gateway, callbacks. */
export interface InduceRuntimeOptions {
  /** The chat model for generate/update/review (and, unless given separately, everything else). */
  model?: ChatModelRef;
  /** A cheaper model for summaries. */
  summarizeModel?: ChatModelRef;
  /** The model of the trial judge and of the placement pass (default: `model`). */
  judgeModel?: ChatModelRef;
  /**
   * The gateway every call goes through. Without one, a gateway is created from `gatewayOptions` with the plugin
   * host as provider resolver and hooks. Plugins' 'prompt:messages' transforms run in the gateway: when you pass
   * your own gateway, create it with the host (`createGateway({ resolver: host })`) to have them applied.
   */
  gateway?: Gateway;
  /** Options of the gateway created when none is given (cache, retries, limits, prices). */
  gatewayOptions?: GatewayOptions;
  /** Embeddings for the cluster strategy (else the built-in offline vectorizer). */
  embeddings?: EmbeddingsRef;
  /** Prompt overrides by prompt id (win over plugin overrides). */
  prompts?: Partial<Record<string, PromptOverride>>;
  /** Plugin host (after `await host.ready()`): prompt overrides, providers, and the taxonomy:* observer hooks. */
  host?: PluginHost;
  /** Path of the checkpoint file (atomic JSON); an existing one for the same settings is resumed. */
  checkpoint?: string;
  signal?: AbortSignal;
  onProgress?: (event: InductionProgressEvent) => void;
}

export type InduceOptions = InduceSettingsInput & InduceRuntimeOptions;

const RUNTIME_KEYS = [
  'model',
  'summarizeModel',
  'judgeModel',
  'gateway',
  'gatewayOptions',
  'embeddings',
  'prompts',
  'host',
  'checkpoint',
  'signal',
  'onProgress',
] as const satisfies readonly (keyof InduceRuntimeOptions)[];

/** Split options into validated settings (defaults applied) and the runtime parts. Throws naming the bad field. */
export function parseInduceOptions(options: InduceOptions): { settings: InduceSettings; runtime: InduceRuntimeOptions } {
  const runtime: InduceRuntimeOptions = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if ((RUNTIME_KEYS as readonly string[]).includes(key)) (runtime as Record<string, unknown>)[key] = value;
    else rest[key] = value;
  }
  const parsed = InduceSettingsSchema.safeParse(rest);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(options)'}: ${i.message}`);
    throw new InductionError(`invalid induction options:\n${lines.join('\n')}`);
  }
  return { settings: parsed.data, runtime };
}

/** An error of the induction pipeline (bad options, unusable checkpoint, a step that could not be completed). */
export class InductionError extends Error {
  override readonly name = 'InductionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
