import { definePlugin, type ProviderDefinition, type ProviderSettings, type TaxonomistPlugin } from '@taxonomist/core';
import { createOllamaChatModel, createOllamaEmbeddingsModel } from './models.js';
import { OLLAMA_PRICES } from './prices.js';
import { resolveOllamaSettings, type OllamaProviderSettings } from './settings.js';

export const OLLAMA_PROVIDER_ID = 'ollama';
const VERSION = '0.1.0';

/**
 * The 'ollama' provider: chat via ChatOllama on the native /api/chat (structured output with `format` = the JSON
 * Schema), embeddings via /api/embed. Nothing leaves the machine unless the base URL points elsewhere.
 */
export function createOllamaProvider(settings: OllamaProviderSettings = {}): ProviderDefinition {
  if (settings.baseURL !== undefined) resolveOllamaSettings(settings);
  const merged = (overrides: ProviderSettings): OllamaProviderSettings => {
    const out: OllamaProviderSettings = { ...settings };
    for (const [k, v] of Object.entries(overrides)) if (v !== undefined) out[k] = v;
    return out;
  };
  return {
    id: OLLAMA_PROVIDER_ID,
    chatModel: (modelName, overrides) => createOllamaChatModel(modelName, resolveOllamaSettings(merged(overrides))),
    embeddings: (modelName, overrides) => createOllamaEmbeddingsModel(modelName, resolveOllamaSettings(merged(overrides))),
    structuredMethod: settings.structuredMethod ?? 'jsonSchema',
    supportsLogprobs: false,
    prices: { ...OLLAMA_PRICES },
  };
}

/** `createGateway({ providers: ollamaPlugin().providers })`, then 'ollama:llama3.1'. */
export function ollamaPlugin(settings: OllamaProviderSettings = {}): TaxonomistPlugin {
  return definePlugin({ name: '@taxonomist/ollama', version: VERSION, providers: [createOllamaProvider(settings)] });
}
