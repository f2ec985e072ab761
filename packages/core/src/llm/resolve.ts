import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Embeddings } from '@langchain/core/embeddings';
import type { ProviderDefinition, ProviderSettings } from '../plugins/types.js';
import type { BatchClient } from '../plugins/batch.js';
import { registerSecret } from '../util/redact.js';
import { sha256 } from '../util/hash.js';
import type { ChatModelRef, EmbeddingsRef, ResolvedChatModel, ResolvedEmbeddings, StructuredMethod } from './types.js';

/**
 * What the gateway needs from the plugin host: provider lookup by id. The plugin host (plugins/host.ts) satisfies
 * this; a plain list of ProviderDefinitions works too.
 */
export interface ProviderResolver {
  getProvider(id: string): ProviderDefinition | undefined;
  /** Known provider ids, for error messages. */
  providers?(): ProviderDefinition[] | string[];
}

type AnyObj = Record<string, unknown>;

export function isChatModel(v: unknown): v is BaseChatModel {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as AnyObj).invoke === 'function' &&
    typeof (v as AnyObj)._llmType === 'function' &&
    typeof (v as AnyObj)._generate === 'function'
  );
}

export function isEmbeddings(v: unknown): v is Embeddings {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as AnyObj).embedDocuments === 'function' &&
    typeof (v as AnyObj).embedQuery === 'function'
  );
}

function modelName(m: object): string {
  const o = m as AnyObj;
  const name = o.model ?? o.modelName ?? o.name;
  return typeof name === 'string' && name ? name : 'default';
}

/**
 * A stable, secret-free identity of a server: the URL without user:password, query or fragment, host lower-cased,
 * no trailing slash. Part of cache keys, so two servers serving the same model name never share answers.
 */
export function endpointIdentity(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    // Not a URL: still tell endpoints apart, without keeping the text (it could hold anything).
    return `unparsed:${sha256(url).slice(0, 16)}`;
  }
}

/**
 * The endpoint a LangChain model instance talks to, from the fields clients keep it in (ChatOpenAI and
 * OpenAIEmbeddings: `clientConfig.baseURL`, which also holds OPENAI_BASE_URL; others: baseURL / baseUrl / apiUrl /
 * endpoint). Undefined when the model does not say: its provider's default endpoint (the provider is in the model id).
 */
export function modelEndpoint(model: object): string | undefined {
  const o = model as AnyObj;
  const nested = (k: string): unknown => (typeof o[k] === 'object' && o[k] !== null ? (o[k] as AnyObj).baseURL : undefined);
  for (const v of [nested('clientConfig'), nested('configuration'), o.baseURL, o.baseUrl, o.apiUrl, o.endpoint]) {
    if (typeof v === 'string' && v.trim() !== '') return endpointIdentity(v.trim());
  }
  return undefined;
}

export function llmType(model: BaseChatModel): string {
  try {
    return model._llmType();
  } catch {
    return 'unknown';
  }
}

/** Stable id of a chat model instance: "<_llmType()>:<model name>", e.g. "openai:gpt-4o-mini". */
export function deriveChatModelId(model: BaseChatModel): string {
  return `${llmType(model)}:${modelName(model)}`;
}

/** Stable id of an embeddings instance: "<class name without 'Embeddings', lower case>:<model name>". */
export function deriveEmbeddingsId(model: Embeddings): string {
  const cls = (model.constructor?.name ?? '').replace(/Embeddings$/i, '').toLowerCase() || 'embeddings';
  return `${cls}:${modelName(model)}`;
}

/** Whether the model's class (or an ancestor other than BaseChatModel) implements bindTools. */
export function hasToolCalling(model: BaseChatModel): boolean {
  return typeof (model as unknown as AnyObj).bindTools === 'function';
}

export function isOpenAiLike(model: BaseChatModel): boolean {
  return llmType(model) === 'openai';
}

/** 'auto' -> jsonSchema for ChatOpenAI-like models, functionCalling when the model binds tools, else prompt. */
export function autoStructuredMethod(model: BaseChatModel): Exclude<StructuredMethod, 'auto'> {
  if (isOpenAiLike(model)) return 'jsonSchema';
  if (hasToolCalling(model)) return 'functionCalling';
  return 'prompt';
}

export function splitModelId(id: string): { providerId: string; modelName: string } {
  const i = id.indexOf(':');
  if (i <= 0 || i === id.length - 1) {
    throw new Error(`model id "${id}" must look like "provider:model" (e.g. "openai:gpt-4o-mini")`);
  }
  return { providerId: id.slice(0, i), modelName: id.slice(i + 1) };
}

export interface ResolverDeps {
  resolver?: ProviderResolver;
  providerSettings: Record<string, ProviderSettings>;
  onProvider?: (p: ProviderDefinition) => void;
}

/**
 * The settings a provider factory gets, after registering their secrets (settings.apiKey and whatever the provider
 * declares in `secrets`), so a key echoed back by a server is redacted from every output.
 */
function providerSettingsFor(provider: ProviderDefinition, deps: ResolverDeps): ProviderSettings {
  const settings: ProviderSettings = { ...(deps.providerSettings[provider.id] ?? {}) };
  registerSecret(settings.apiKey);
  for (const value of provider.secrets?.({ ...settings }) ?? []) registerSecret(value);
  return settings;
}

function knownProviders(resolver: ProviderResolver | undefined): string {
  const list = resolver?.providers?.() ?? [];
  const ids = list.map((p) => (typeof p === 'string' ? p : p.id));
  return ids.length ? ids.join(', ') : '(none registered)';
}

function lookupProvider(id: string, deps: ResolverDeps, what: string): ProviderDefinition {
  const { providerId } = splitModelId(id);
  const provider = deps.resolver?.getProvider(providerId);
  if (!provider) {
    throw new Error(
      `cannot resolve ${what} "${id}": no provider "${providerId}" is registered (known: ${knownProviders(deps.resolver)}); ` +
        `add its plugin or pass a LangChain model instance`,
    );
  }
  deps.onProvider?.(provider);
  return provider;
}

/** Resolves refs to models, creating each provider model once per id. */
export class ModelResolver {
  private readonly chatById = new Map<string, Promise<ResolvedChatModel>>();
  private readonly chatByInstance = new WeakMap<object, ResolvedChatModel>();
  private readonly embById = new Map<string, Promise<ResolvedEmbeddings>>();

  constructor(private readonly deps: ResolverDeps) {}

  resolveChat(ref: ChatModelRef): Promise<ResolvedChatModel> {
    if (typeof ref === 'string') {
      let p = this.chatById.get(ref);
      if (!p) {
        p = this.createChat(ref);
        this.chatById.set(ref, p);
        p.catch(() => this.chatById.delete(ref));
      }
      return p;
    }
    if (isChatModel(ref)) {
      let r = this.chatByInstance.get(ref);
      if (!r) {
        const method = autoStructuredMethod(ref);
        r = withEndpoint({ id: deriveChatModelId(ref), model: ref, structuredMethod: method, supportsLogprobs: isOpenAiLike(ref) });
        this.chatByInstance.set(ref, r);
      }
      return Promise.resolve(r);
    }
    if (ref && typeof ref === 'object' && typeof ref.id === 'string' && isChatModel(ref.model)) {
      const method = ref.structuredMethod && ref.structuredMethod !== 'auto' ? ref.structuredMethod : autoStructuredMethod(ref.model);
      return Promise.resolve(
        withEndpoint({
          id: ref.id,
          model: ref.model,
          structuredMethod: method,
          supportsLogprobs: ref.supportsLogprobs ?? isOpenAiLike(ref.model),
        }),
      );
    }
    return Promise.reject(new Error('model must be a "provider:model" id, a LangChain chat model, or { id, model }'));
  }

  private async createChat(id: string): Promise<ResolvedChatModel> {
    const provider = lookupProvider(id, this.deps, 'chat model');
    if (!provider.chatModel) throw new Error(`provider "${provider.id}" has no chat models (model "${id}")`);
    const { modelName: name } = splitModelId(id);
    const model = await provider.chatModel(name, providerSettingsFor(provider, this.deps));
    if (!isChatModel(model)) throw new Error(`provider "${provider.id}" returned something that is not a chat model for "${id}"`);
    const method =
      provider.structuredMethod && provider.structuredMethod !== 'auto' ? provider.structuredMethod : autoStructuredMethod(model);
    return withEndpoint({ id, model, structuredMethod: method, supportsLogprobs: provider.supportsLogprobs ?? isOpenAiLike(model) });
  }

  resolveEmbeddings(ref: EmbeddingsRef): Promise<ResolvedEmbeddings> {
    if (typeof ref === 'string') {
      let p = this.embById.get(ref);
      if (!p) {
        p = this.createEmbeddings(ref);
        this.embById.set(ref, p);
        p.catch(() => this.embById.delete(ref));
      }
      return p;
    }
    if (isEmbeddings(ref)) return Promise.resolve(withEndpoint({ id: deriveEmbeddingsId(ref), model: ref }));
    if (ref && typeof ref === 'object' && typeof ref.id === 'string' && isEmbeddings(ref.model)) {
      return Promise.resolve(withEndpoint({ id: ref.id, model: ref.model }));
    }
    return Promise.reject(new Error('embeddings must be a "provider:model" id, a LangChain Embeddings instance, or { id, model }'));
  }

  /** The batch client of a "provider:model" id (a new one per call: clients hold no state worth sharing). */
  async resolveBatch(id: string): Promise<BatchClient> {
    const provider = lookupProvider(id, this.deps, 'batch model');
    if (!provider.batch) {
      throw new Error(`provider "${provider.id}" has no batch API (model "${id}"); label without batch mode, or use a provider that has one (openai)`);
    }
    const { modelName: name } = splitModelId(id);
    return provider.batch(name, providerSettingsFor(provider, this.deps));
  }

  private async createEmbeddings(id: string): Promise<ResolvedEmbeddings> {
    const provider = lookupProvider(id, this.deps, 'embeddings model');
    if (!provider.embeddings) throw new Error(`provider "${provider.id}" has no embeddings models (model "${id}")`);
    const { modelName: name } = splitModelId(id);
    const model = await provider.embeddings(name, providerSettingsFor(provider, this.deps));
    if (!isEmbeddings(model)) throw new Error(`provider "${provider.id}" returned something that is not an Embeddings for "${id}"`);
    return withEndpoint({ id, model });
  }
}

/** Adds `endpoint` when the model names one (left out otherwise, so ids-only results stay as they were). */
function withEndpoint<T extends { model: object }>(r: T): T & { endpoint?: string } {
  const endpoint = modelEndpoint(r.model);
  return endpoint === undefined ? r : { ...r, endpoint };
}

/** A resolver over a plain list of providers (duplicate ids rejected). */
export function providerListResolver(providers: ProviderDefinition[]): ProviderResolver {
  const map = new Map<string, ProviderDefinition>();
  for (const p of providers) {
    if (map.has(p.id)) throw new Error(`duplicate provider id "${p.id}"`);
    map.set(p.id, p);
  }
  return { getProvider: (id) => map.get(id), providers: () => [...map.values()] };
}
