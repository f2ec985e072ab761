import { definePlugin, type ProviderDefinition, type ProviderSettings, type TaxonomistPlugin } from '@taxonomist/core';
import { createAnthropicChatModel } from './chat-model.js';
import { createAnthropicBatchClient } from './batch-client.js';
import { ANTHROPIC_PRICES } from './prices.js';
import { resolveAnthropicSettings, type AnthropicProviderSettings } from './settings.js';

export const ANTHROPIC_PROVIDER_ID = 'anthropic';
const VERSION = '0.1.0';

/**
 * The 'anthropic' provider: chat models via ChatAnthropic (Anthropic has no embeddings API: use another provider's
 * embeddings). Per-model settings given to the gateway override the ones given here. The key is resolved when a
 * model is created and handed only to the client; it is never stored on the provider or plugin object.
 */
export function createAnthropicProvider(settings: AnthropicProviderSettings = {}): ProviderDefinition {
  // A bad base URL fails at start-up; a missing key only once a model is requested (a CLI may load unused plugins).
  if (settings.baseURL !== undefined) resolveAnthropicSettings({ ...settings, apiKey: 'validation-only' });
  const merged = (overrides: ProviderSettings): AnthropicProviderSettings => {
    const out: AnthropicProviderSettings = { ...settings };
    for (const [k, v] of Object.entries(overrides)) if (v !== undefined) out[k] = v;
    return out;
  };
  return {
    id: ANTHROPIC_PROVIDER_ID,
    chatModel: (modelName, overrides) => createAnthropicChatModel(modelName, resolveAnthropicSettings(merged(overrides))),
    // Message Batches, billed at ANTHROPIC_BATCH_PRICE_FACTOR of the list price.
    batch: (modelName, overrides) => createAnthropicBatchClient(modelName, resolveAnthropicSettings(merged(overrides))),
    structuredMethod: settings.structuredMethod ?? 'functionCalling',
    supportsLogprobs: false,
    prices: { ...ANTHROPIC_PRICES },
  };
}

/** `createGateway({ plugins: [anthropicPlugin()] })`, then 'anthropic:claude-haiku-4-5'. */
export function anthropicPlugin(settings: AnthropicProviderSettings = {}): TaxonomistPlugin {
  return definePlugin({ name: '@taxonomist/anthropic', version: VERSION, providers: [createAnthropicProvider(settings)] });
}
