import type { ChatModelRef, CorpusRecord, Gateway, ReadCorpusOptions, ShardSpec, SpillIdSetOptions } from '@taxonomist/core';
import type { LabelMode } from './answer-schema.js';
import type { FewShotOptions } from './few-shot.js';
import type { LabelProgress } from './summary.js';

/** A corpus: a file path (read with core's readCorpus), or records in memory / streamed. */
export type CorpusInput = string | Iterable<CorpusRecord> | AsyncIterable<CorpusRecord>;

/**
 * How confidence is obtained:
 * - 'logprobs': the model's probability of the label tokens it produced (needs a provider that returns logprobs);
 * - 'self-consistency': `samples` calls at `sampleTemperature`, majority label, confidence = its vote share;
 * - 'auto': 'logprobs' when the model supports them, else 'self-consistency';
 * - 'vote': ensembles (several models): the share of models agreeing with the winning label;
 * - 'none' (default for one model): no confidence.
 */
export type ConfidenceOption = 'none' | 'auto' | 'logprobs' | 'self-consistency' | 'vote';

/**
 * Where observer hooks go: a plugin host (core's createPluginHost) or anything with the same emit. Loosely typed
 * (like the gateway's hooks) so any host fits; payloads follow the ObserverHooks declared in ./hooks.ts.
 */
export interface LabelHookHost {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  emit(name: any, payload: any): unknown;
  hasHook?(name: string): boolean;
}

export interface LabelOptions {
  gateway: Gateway;
  /** The model to label with. */
  model?: ChatModelRef;
  /** Several models: an ensemble whose answers are combined by vote (ties: the earliest-listed model wins). */
  models?: ChatModelRef[];
  /** 'primary' (default): one label; 'multi': every applicable label; 'both': the primary plus all applicable. */
  mode?: LabelMode;
  /** Ask for a short rationale before the label (kept on the record). */
  rationale?: boolean;
  /** Allow the answer "none of these" (recorded as `none: true`; measures taxonomy coverage). */
  allowNone?: boolean;
  /** Extra instructions, added after the taxonomy's use case. */
  instructions?: string;
  /** Texts per call (default 1). Packing amortizes the taxonomy prompt over k texts. */
  pack?: number;
  /** Calls (packs) in flight at once (default 8). The gateway's own limits apply on top. */
  concurrency?: number;
  /** Emit (and write) assignments in input order (default false: in completion order). */
  ordered?: boolean;
  /**
   * End a run that was not aborted with the output file in input order (default true): when its lines are not in
   * input order already (completion order, lines appended by resumed runs), the file is compacted in input order.
   * Same inputs and answers then give a byte-identical file whatever the concurrency, latency or kills in between.
   * false keeps the file in the order lines were written.
   */
  sortOutput?: boolean;
  /**
   * The per-id sets of a run with an output file (done ids of a resume, input positions): core's SpillIdSet, flat
   * memory in corpus size. Their table size and temporary directory (default $TMPDIR); tests force tiny tables. The
   * corpus reader's duplicate check is set by corpusOptions.idSet.
   */
  idSet?: SpillIdSetOptions;
  confidence?: ConfidenceOption;
  /** Self-consistency samples (default 5). */
  samples?: number;
  /** Temperature of self-consistency samples (default 0.7). */
  sampleTemperature?: number;
  /** Temperature of ordinary calls (default 0). */
  temperature?: number;
  /** Texts longer than this many tokens are truncated (default 1000). */
  maxTextTokens?: number;
  /** Appended to truncated texts (default " [...truncated]"). */
  truncationMarker?: string;
  fewShot?: FewShotOptions;
  /** JSONL output file: written as records are labeled; an existing file is resumed (ok ids skipped). */
  out?: string;
  /** Start over: truncate `out` instead of resuming it (default false). */
  overwrite?: boolean;
  /** fsync policy of the output writer (see core's openJsonlWriter; default 'batch'). */
  fsync?: 'never' | 'batch' | 'always';
  /** USD cap: no new call is started once spent + in-flight estimates would exceed it; the run ends 'stopped'. */
  budget?: number;
  signal?: AbortSignal;
  onProgress?(progress: LabelProgress): void;
  /** Plugin host: receives 'label:record', 'label:progress' and 'label:done' observer hooks. */
  host?: LabelHookHost;
  /**
   * Options for readCorpus when `corpus` is a path. `keepEmptyTexts` defaults to true here: records with an empty
   * text get a failed 'input' line, like in-memory ones (false skips them as reader issues instead).
   */
  corpusOptions?: ReadCorpusOptions;
  /**
   * Label only the records of this shard (core's shardOf over the record id: 0-based index of count), for splitting
   * one corpus across machines; `taxonomist merge` joins the outputs. A corpus file is still read whole (duplicate ids
   * decided as unsharded); its issues are reported by one shard each (see readCorpus's shard option).
   */
  shard?: ShardSpec;
  /** Seed for every random choice (few-shot selection). Default 0. */
  seed?: number;
  /** Accounting stage of the gateway calls (default 'label'). */
  stage?: string;
  /** Re-asks for invalid answers (default: the gateway's). */
  maxRepairs?: number;
  /** Output token cap per text (a packed call gets k times this). Default: none. */
  maxOutputTokens?: number;
  /** Progress callbacks/hooks at most every this many records (default 1: every record). */
  progressEvery?: number;
  /** Told about recoverable problems, e.g. a stale output lock taken over (default: process.emitWarning). */
  onWarning?: (message: string) => void;
}

/** Options with defaults applied and checked. */
export interface ResolvedOptions {
  gateway: Gateway;
  modelRefs: ChatModelRef[];
  mode: LabelMode;
  rationale: boolean;
  allowNone: boolean;
  instructions?: string;
  pack: number;
  concurrency: number;
  ordered: boolean;
  sortOutput: boolean;
  confidence: ConfidenceOption;
  samples: number;
  sampleTemperature: number;
  temperature: number;
  maxTextTokens: number;
  truncationMarker: string;
  seed: number;
  stage: string;
  progressEvery: number;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`label option "${name}" must be a positive integer, got ${String(value)}`);
  return v;
}

export function resolveOptions(options: LabelOptions): ResolvedOptions {
  if (options === undefined || options.gateway === undefined) throw new TypeError('label: options.gateway is required');
  const modelRefs = options.models !== undefined ? [...options.models] : options.model !== undefined ? [options.model] : [];
  if (modelRefs.length === 0) throw new TypeError('label: give options.model (or options.models for an ensemble)');
  if (options.model !== undefined && options.models !== undefined) {
    throw new TypeError('label: give either options.model or options.models, not both');
  }
  const ensemble = modelRefs.length > 1;
  const confidence = options.confidence ?? (ensemble ? 'vote' : 'none');
  if (ensemble && confidence !== 'vote' && confidence !== 'none') {
    throw new TypeError(`label: an ensemble's confidence is the models' vote share; confidence "${confidence}" is for one model`);
  }
  if (!ensemble && confidence === 'vote') throw new TypeError('label: confidence "vote" needs several models (options.models)');
  const mode = options.mode ?? 'primary';
  if (!['primary', 'multi', 'both'].includes(mode)) throw new RangeError(`label option "mode" must be primary, multi or both, got "${mode}"`);
  const sampleTemperature = options.sampleTemperature ?? 0.7;
  if (confidence === 'self-consistency' || confidence === 'auto') {
    if (!(sampleTemperature > 0)) throw new RangeError('label: self-consistency needs sampleTemperature > 0 (identical samples prove nothing)');
  }
  if (options.budget !== undefined && !(options.budget >= 0)) throw new RangeError(`label option "budget" must be >= 0 USD, got ${options.budget}`);
  return {
    gateway: options.gateway,
    modelRefs,
    mode,
    rationale: options.rationale ?? false,
    allowNone: options.allowNone ?? false,
    ...(options.instructions !== undefined ? { instructions: options.instructions } : {}),
    pack: positiveInt('pack', options.pack, 1),
    concurrency: positiveInt('concurrency', options.concurrency, 8),
    ordered: options.ordered ?? false,
    sortOutput: options.sortOutput ?? true,
    confidence,
    samples: positiveInt('samples', options.samples, 5),
    sampleTemperature,
    temperature: options.temperature ?? 0,
    maxTextTokens: positiveInt('maxTextTokens', options.maxTextTokens, 1000),
    truncationMarker: options.truncationMarker ?? ' [...truncated]',
    seed: options.seed ?? 0,
    stage: options.stage ?? 'label',
    progressEvery: positiveInt('progressEvery', options.progressEvery, 1),
  };
}
