import { z } from 'zod';
import type { DistillRegistry } from '@taxonomist/distill';
import type { ModelSetup } from './models.js';
import type { PipelineEvent } from './events.js';
import { STAGES } from './result.js';

const int = (min = 1) => z.number().int().min(min);

/**
 * The settings of a run: what `taxonomist run` takes as flags, by the same names in camelCase (so a CLI flag, a
 * config default and a library option are one idea with one name). Serialisable: they make the stages'
 * fingerprints in manifest.json, so a change re-runs exactly the stages that depend on it.
 */
export const PipelineSettingsSchema = z.strictObject({
  /** What the taxonomy is for, e.g. "the customer's intent in support chats" (required with a model). */
  useCase: z.string().min(1).optional(),
  /** 'llm' (TnT-LLM) or 'cluster' (offline k-means); default llm with a model, else cluster. */
  strategy: z.enum(['llm', 'cluster']).optional(),
  /** cluster strategy: number of labels (clusters) to make (default: chosen by silhouette, with its reason). */
  labels: int(2).optional(),
  maxLabels: int(2).optional(),
  induceSample: int().optional(),
  batchSize: int().optional(),
  epochs: int().optional(),
  trials: int().optional(),
  levels: z.union([z.literal(1), z.literal(2)]).optional(),
  /** Extra instructions appended to every prompt (induction and labeling). */
  instructions: z.string().optional(),
  /** taxonomy.json to start from (llm strategy), relative to `cwd`. */
  seedTaxonomy: z.string().optional(),
  /** Label names or ids the model may not remove or rename. */
  lock: z.array(z.string()).optional(),
  /** Records labeled (seeded sample) to train the classifier (default 1000). */
  labelSample: int().optional(),
  /** With a model: 'diverse-balanced' | 'diverse' | 'balanced' | 'margin' | 'entropy' (active learning) or 'random' (a seeded sample); default diverse-balanced. */
  selection: z.string().min(1).optional(),
  /** With a model: most records active learning sends to the LLM (default: labelSample). */
  labelBudget: int().optional(),
  /** With a model: stop buying labels once the classifier agrees this well with the LLM on held-out labels. */
  targetAgreement: z.number().gt(0).max(1).optional(),
  /** With a model: re-ask the labels the audit disputes (at most 10%) by self-consistency of the same model. */
  relabel: z.boolean().optional(),
  /** With a model: re-ask the disputed labels with this (stronger) model instead; its answer replaces the label. */
  relabelModel: z.string().min(1).optional(),
  /**
   * With a model: label the seeded sample through the provider's batch API (OpenAI Batch API: half price, results
   * within 24 h) instead of the chat endpoint; same prompts, same labels.jsonl. Needs selection 'random' (its default
   * then): active learning needs its answers round by round.
   */
  batch: z.boolean().optional(),
  /** With batch: first wait between status checks, in seconds (doubles while nothing changes, up to 10 min). */
  pollInterval: z.number().gt(0).optional(),
  /**
   * `i/n` (0-based): this machine's share of the run, by a stable hash of the record id (core's shardOf). Induce is
   * the whole run's (deterministic under the seed; or done once and the out-dir copied); the label stage labels the
   * shard's share of the seeded sample and the run stops there until labels.jsonl holds the whole sample (the n
   * shards' labels joined by `taxonomist merge`); the next call distills on it and predicts the shard's share.
   * Each output gets a `<file>.shard.json` for the merge. See the pipeline README, "Many machines".
   */
  shard: z.string().min(1).optional(),
  multi: z.boolean().optional(),
  /** Texts per labeling call. */
  pack: int().optional(),
  /** Model calls in flight while labeling (the gateway's own limit applies too). */
  concurrency: int().optional(),
  /** Cap on US dollars for the run's model calls (induction and labeling together). */
  budget: z.number().gt(0).optional(),
  rationale: z.boolean().optional(),
  confidence: z.enum(['none', 'auto', 'logprobs', 'self-consistency']).optional(),
  allowNone: z.boolean().optional(),
  /** Share of the labeled sample held out to measure the distilled model (default 0.2). */
  holdout: z.number().min(0).max(0.5).optional(),
  /** Corpus field with gold classes: also write gold-eval.json (NMI/ARI/purity of the predictions). */
  goldField: z.string().min(1).optional(),
  classifier: z.string().min(1).optional(),
  featurizer: z.string().min(1).optional(),
  /** Start over: ignore the manifest and existing artifacts. */
  noResume: z.boolean().optional(),
  format: z.enum(['jsonl', 'csv', 'txt']).optional(),
  textField: z.string().min(1).optional(),
  idField: z.string().min(1).optional(),
  /** Stop at the first malformed corpus line instead of skipping and counting it. */
  strict: z.boolean().optional(),
  seed: z.number().int().optional(),
  /** The model server's URL, recorded in the manifest without credentials (the gateway already holds it). */
  baseUrl: z.string().optional(),
});

export type PipelineSettings = z.infer<typeof PipelineSettingsSchema>;

/** Every setting's name (the CLI passes exactly these of its flag values). */
export const PIPELINE_SETTING_NAMES = Object.keys(PipelineSettingsSchema.shape) as (keyof PipelineSettings)[];

/** What a run needs besides its settings: where, with which models, and who listens. Not part of any fingerprint. */
export const PipelineRuntimeSchema = z.object({
  /** Where every artifact goes (relative to `cwd`). */
  outDir: z.string().min(1),
  /** Without: everything offline (TF-IDF + SVD + k-means taxonomy, nearest-centroid labels). */
  models: z.custom<ModelSetup>((v) => typeof v === 'object' && v !== null && 'online' in v, 'models must be a ModelSetup ({ online: false } or { online: true, model, gateway, host, ... })').optional(),
  /** Classifiers and featurizers beyond the built-ins (default: the model host's plugins, else the built-ins). */
  distillRegistry: z.custom<DistillRegistry>((v) => typeof v === 'object' && v !== null).optional(),
  signal: z.custom<AbortSignal>((v) => typeof AbortSignal !== 'undefined' && v instanceof AbortSignal, 'signal must be an AbortSignal').optional(),
  onEvent: z.custom<(event: PipelineEvent) => void>((v) => typeof v === 'function', 'onEvent must be a function').optional(),
  /** Directory relative paths are resolved from (default process.cwd()). */
  cwd: z.string().optional(),
  /** Milliseconds clock for stage durations (default performance.now). */
  now: z.custom<() => number>((v) => typeof v === 'function').optional(),
  /** Run the stages up to this one only (e.g. 'label' for a taxonomy and labels); later stages are not reached. */
  until: z.enum(STAGES).optional(),
  /** Run these stages even when unchanged (their artifacts are removed first); later stages follow their inputs. */
  force: z.array(z.enum(STAGES)).optional(),
  /** Who runs the pipeline: recorded in manifest.json and the report footer (default @taxonomist/pipeline). */
  tool: z.object({ name: z.string().min(1), version: z.string().min(1) }).optional(),
});

export const PipelineOptionsSchema = PipelineSettingsSchema.extend(PipelineRuntimeSchema.shape);

export type PipelineOptions = z.input<typeof PipelineOptionsSchema>;
