import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Embeddings } from '@langchain/core/embeddings';
import type { PriceTable, StructuredMethod, ChatMessage, TokenUsage } from '../llm/types.js';
import type { BatchClient } from './batch.js';

/** Settings handed to a provider factory (from CLI flags, config files or code). Never logged. */
export interface ProviderSettings {
  /** Registered as a secret (redacted from every output) before the provider's factory sees it. */
  apiKey?: string;
  baseURL?: string;
  temperature?: number;
  timeoutMs?: number;
  [key: string]: unknown;
}

/**
 * A model provider. Registered by a plugin under `id`; resolved by model ids like `${id}:${modelName}`.
 */
export interface ProviderDefinition {
  id: string;
  chatModel?(modelName: string, settings: ProviderSettings): BaseChatModel | Promise<BaseChatModel>;
  embeddings?(modelName: string, settings: ProviderSettings): Embeddings | Promise<Embeddings>;
  /**
   * Batch API for a chat model (asynchronous, discounted bulk calls): submit requests, poll, fetch results by custom
   * id, cancel. Optional; see BatchClient. Resolved through `gateway.resolveBatch(modelId)`.
   */
  batch?(modelName: string, settings: ProviderSettings): BatchClient | Promise<BatchClient>;
  /** Preferred structured-output method for this provider's chat models (default 'auto'). */
  structuredMethod?: StructuredMethod;
  /** Whether chat models can return token log-probabilities. */
  supportsLogprobs?: boolean;
  /** Prices for this provider's models, keyed by model name. */
  prices?: PriceTable;
  /**
   * The secret values (API keys, tokens) this provider will use with these settings, e.g. a key it reads from the
   * environment itself. Called before each model is created; every value returned is registered with core's secret
   * registry and redacted from everything Taxonomist writes (label lines, manifests, caches, reports, the terminal).
   * `settings.apiKey` is registered without it. Keys obtained elsewhere can be registered with `registerSecret`.
   */
  secrets?(settings: ProviderSettings): readonly (string | undefined)[];
}

/**
 * Payload types of hooks that core names but another package emits (label:*): that package augments this interface
 * (`declare module '@taxonomist/core' { interface HookPayloads { 'label:done': LabelSummary } }`). Until its types
 * are loaded (any import from it, e.g. `import type { LabelRecordEvent } from '@taxonomist/labeler'`) the payload is
 * `unknown`, never `any`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HookPayloads {}

/** The payload of a hook named in core and typed by the package that emits it. */
export type PayloadOf<K extends string> = K extends keyof HookPayloads ? HookPayloads[K] : unknown;

/**
 * Observer hooks: run in parallel, results ignored. Packages extend this interface by module augmentation:
 *   declare module '@taxonomist/core' { interface ObserverHooks { 'my:event': (e: X) => void } }
 * and register the name at run time with registerObserverHook('my:event').
 */
export interface ObserverHooks {
  /** One labeled output line was written (emitted by @taxonomist/labeler). */
  'label:record': (e: PayloadOf<'label:record'>) => void | Promise<void>;
  /** Labeling progress (emitted by @taxonomist/labeler). */
  'label:progress': (e: PayloadOf<'label:progress'>) => void | Promise<void>;
  /** A labeling run ended (emitted by @taxonomist/labeler). */
  'label:done': (e: PayloadOf<'label:done'>) => void | Promise<void>;
  'llm:request': (e: { stage: string; modelId: string; messages: ChatMessage[] }) => void | Promise<void>;
  'llm:response': (e: {
    stage: string;
    modelId: string;
    usage: TokenUsage;
    cached: boolean;
    attempts: number;
    durationMs: number;
  }) => void | Promise<void>;
  'llm:retry': (e: { stage: string; modelId: string; attempt: number; delayMs: number; error: Error }) => void | Promise<void>;
  'llm:error': (e: { stage: string; modelId: string; error: Error }) => void | Promise<void>;
}

/** Transform hooks: run in order, each gets the previous one's value and returns the next. */
export interface TransformHooks {
  /** Rewrite the messages of any prompt before it is sent (prompt id given). */
  'prompt:messages': (messages: ChatMessage[], ctx: { promptId: string; stage: string }) => ChatMessage[] | Promise<ChatMessage[]>;
}

export type HookName = keyof ObserverHooks | keyof TransformHooks;

/** The payload an observer hook receives, e.g. `HookPayload<'taxonomy:updated'>`. */
export type HookPayload<K extends keyof ObserverHooks> = Parameters<ObserverHooks[K]>[0];

/**
 * Value types of the registry kinds, added by the packages that define them (distill: classifiers, featurizers) by
 * module augmentation. A kind not typed yet takes `unknown` values.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RegistryValueTypes {}

/** The registry kinds plugins can fill (checked at run time too; see REGISTRY_KINDS). */
export type RegistryKind = 'classifiers' | 'featurizers' | 'selectionStrategies' | Extract<keyof RegistryValueTypes, string>;

export type RegistryValue<K extends string> = K extends keyof RegistryValueTypes ? RegistryValueTypes[K] : unknown;

/** `registries` of a plugin: kind -> name -> definition, typed per kind. */
export type PluginRegistries = { [K in RegistryKind]?: Record<string, RegistryValue<K>> };

export type PluginHooks = { [K in keyof ObserverHooks]?: ObserverHooks[K] } & {
  [K in keyof TransformHooks]?: TransformHooks[K];
};

/** A prompt template override: a function from the prompt's variables to messages. */
export type PromptOverride = (vars: Record<string, unknown>) => ChatMessage[];

export interface PluginSetupContext {
  registerProvider(provider: ProviderDefinition): void;
  registerHook<K extends HookName>(name: K, fn: NonNullable<PluginHooks[K]>): void;
  registerPrompt(promptId: string, override: PromptOverride): void;
  register<K extends RegistryKind>(kind: K, name: string, value: RegistryValue<K>): void;
  /**
   * Add a secret value (an API key, a token) to the process-wide registry: it is redacted from every file, cache
   * entry and message Taxonomist writes. Values shorter than 8 characters are ignored.
   */
  registerSecret(value: string): void;
}

/**
 * A plugin is a plain object. `enforce` orders plugins: 'pre' ones first, then normal ones, then 'post' ones,
 * each group in list order.
 */
export interface TaxonomistPlugin {
  name: string;
  version?: string;
  enforce?: 'pre' | 'post';
  setup?(ctx: PluginSetupContext): void | Promise<void>;
  providers?: ProviderDefinition[];
  hooks?: PluginHooks;
  prompts?: Record<string, PromptOverride>;
  /** Registries (classifiers, featurizers, selection strategies): kind -> name -> definition. */
  registries?: PluginRegistries;
}

/** Options of `createPluginHost`. */
export interface PluginHostOptions {
  /**
   * Receives each error thrown by an observer hook (after all observers of the event ran). Without it, `emit`
   * rejects with an AggregateError of all of them.
   */
  onHookError?(error: unknown, info: { hook: string; plugin: string }): void;
}

/** A provider resolved from a model id like `openai:gpt-4o-mini`. */
export interface ResolvedModelId {
  provider: ProviderDefinition;
  /** Everything after the first ':' (may itself contain ':'). */
  modelName: string;
  /** Name of the plugin that registered the provider. */
  plugin: string;
}

/** The runtime view of a list of plugins. Call `await ready()` once before use (runs the plugins' setup()). */
export interface PluginHost {
  /** The plugins in effective order (pre, normal, post; list order within each group). */
  readonly plugins: readonly TaxonomistPlugin[];
  /** Runs every setup() in order, once; later calls return the same promise. */
  ready(): Promise<void>;
  getProvider(id: string): ProviderDefinition | undefined;
  providers(): ProviderDefinition[];
  /** Throws, listing the known providers, when the id has no prefix or the provider is unknown. */
  resolveModelId(modelId: string): ResolvedModelId;
  /** Run every observer of `name` in parallel; see PluginHostOptions.onHookError for failures. */
  emit<K extends keyof ObserverHooks>(name: K, payload: Parameters<ObserverHooks[K]>[0]): Promise<void>;
  /** Run the transforms of `name` in plugin order, each on the previous one's result. */
  transform<K extends keyof TransformHooks>(
    name: K,
    value: Parameters<TransformHooks[K]>[0],
    ctx: Parameters<TransformHooks[K]>[1],
  ): Promise<Awaited<ReturnType<TransformHooks[K]>>>;
  /** Whether any plugin listens to / transforms `name` (lets callers skip building payloads). */
  hasHook(name: string): boolean;
  /** The prompt override for `promptId` (the last plugin in order that registered one wins). */
  prompt(promptId: string): PromptOverride | undefined;
  /** Everything registered under `kind` (plugin.registries and ctx.register), name -> value. */
  registry<K extends RegistryKind>(kind: K): Map<string, RegistryValue<K>>;
  registry(kind: string): Map<string, unknown>;
  /** Prices of every provider, keyed by model id (`${providerId}:${modelName}`). */
  prices(): PriceTable;
}
