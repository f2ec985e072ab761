import { definePlugin, type ProviderDefinition, type ProviderSettings, type TaxonomistPlugin } from '@taxonomist/core';
import { createOpenAIChatModel, createOpenAIEmbeddingsModel } from './chat-model.js';
import { createOpenAIBatchClient } from './batch-client.js';
import { OPENAI_PRICES } from './prices.js';
import { resolveOpenAISettings, type OpenAIProviderSettings } from './settings.js';

export const OPENAI_PROVIDER_ID = 'openai';
const VERSION = '0.1.0';

/**
 * The 'openai' provider: chat models via ChatOpenAI, embeddings via OpenAIEmbeddings, for OpenAI itself or any
 * OpenAI-compatible server (baseURL). Settings given to the gateway per model (ProviderSettings) override the ones
 * given here. The key is resolved when a model is created and only handed to the LangChain client: it is never
 * stored on the provider or plugin object, so it cannot leak through JSON.stringify, logs or caches.
 */
export function createOpenAIProvider(settings: OpenAIProviderSettings = {}): ProviderDefinition {
  // Validate eagerly when something was configured explicitly, so a bad base URL fails at start-up; a missing key is
  // only an error once a model is actually requested (a CLI may load the plugin without using OpenAI).
  if (settings.baseURL !== undefined || settings.topLogprobs !== undefined) {
    resolveOpenAISettings({ ...settings, apiKey: settings.apiKey ?? 'validation-only' });
  }
  const merged = (overrides: ProviderSettings): OpenAIProviderSettings => {
    const out: OpenAIProviderSettings = { ...settings };
    for (const [k, v] of Object.entries(overrides)) if (v !== undefined) out[k] = v;
    return out;
  };
  const provider: ProviderDefinition = {
    id: OPENAI_PROVIDER_ID,
    chatModel: (modelName, overrides) => createOpenAIChatModel(modelName, resolveOpenAISettings(merged(overrides))),
    embeddings: (modelName, overrides) => createOpenAIEmbeddingsModel(modelName, resolveOpenAISettings(merged(overrides))),
    // Batch API (files + batches endpoints), billed at OPENAI_BATCH_PRICE_FACTOR of the list price.
    batch: (modelName, overrides) => createOpenAIBatchClient(modelName, resolveOpenAISettings(merged(overrides))),
    // The key this provider will send (from settings or OPENAI_API_KEY): registered for redaction, so a server that
    // echoes it ("Incorrect API key provided: ...") cannot put it into label lines, manifests or caches.
    secrets: (overrides) => {
      const s = merged(overrides);
      return [s.apiKey, (s.env ?? process.env).OPENAI_API_KEY];
    },
    structuredMethod: settings.structuredMethod ?? 'jsonSchema',
    supportsLogprobs: true,
    prices: { ...OPENAI_PRICES },
  };
  return provider;
}

/** The OpenAI provider as a Taxonomist plugin: `createGateway({ plugins: [openaiPlugin()] })`, then 'openai:gpt-4o-mini'. */
export function openaiPlugin(settings: OpenAIProviderSettings = {}): TaxonomistPlugin {
  return definePlugin({
    name: '@taxonomist/openai',
    version: VERSION,
    providers: [createOpenAIProvider(settings)],
  });
}
