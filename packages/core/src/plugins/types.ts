import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Embeddings } from '@langchain/core/embeddings';
import type { PriceTable, StructuredMethod, ChatMessage, TokenUsage } from '../llm/types.js';

/** Settings handed to a provider factory (from CLI flags, config files or code). Never logged. */
export interface ProviderSettings {
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
  /** Preferred structured-output method for this provider's chat models (default 'auto'). */
  structuredMethod?: StructuredMethod;
  /** Whether chat models can return token log-probabilities. */
  supportsLogprobs?: boolean;
  /** Prices for this provider's models, keyed by model name. */
  prices?: PriceTable;
}

/**
 * Observer hooks: run in parallel, results ignored. Packages extend this interface by module augmentation:
 *   declare module '@taxonomist/core' { interface ObserverHooks { 'label:done': (e: X) => void } }
 */
export interface ObserverHooks {
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

export type PluginHooks = { [K in keyof ObserverHooks]?: ObserverHooks[K] } & {
  [K in keyof TransformHooks]?: TransformHooks[K];
};

/** A prompt template override: a function from the prompt's variables to messages. */
export type PromptOverride = (vars: Record<string, unknown>) => ChatMessage[];

export interface PluginSetupContext {
  registerProvider(provider: ProviderDefinition): void;
  registerHook<K extends HookName>(name: K, fn: NonNullable<PluginHooks[K]>): void;
  registerPrompt(promptId: string, override: PromptOverride): void;
  register(kind: string, name: string, value: unknown): void;
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
  /** Other registries (e.g. featurizers, classifiers): kind -> name -> factory. */
  registries?: Record<string, Record<string, unknown>>;
}
