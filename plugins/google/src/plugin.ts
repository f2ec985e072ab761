import { definePlugin, type ProviderDefinition, type ProviderSettings, type TaxonomistPlugin } from '@taxonomist/core';
import { createGoogleChatModel, createGoogleEmbeddingsModel } from './models.js';
import { GOOGLE_PRICES } from './prices.js';
import { resolveGoogleSettings, type GoogleProviderSettings } from './settings.js';

export const GOOGLE_PROVIDER_ID = 'google';
const VERSION = '0.1.0';

/** The 'google' provider: Gemini chat (responseSchema structured output) and embeddings, via @langchain/google-genai. */
export function createGoogleProvider(settings: GoogleProviderSettings = {}): ProviderDefinition {
  if (settings.baseURL !== undefined) resolveGoogleSettings({ ...settings, apiKey: 'validation-only' });
  const merged = (overrides: ProviderSettings): GoogleProviderSettings => {
    const out: GoogleProviderSettings = { ...settings };
    for (const [k, v] of Object.entries(overrides)) if (v !== undefined) out[k] = v;
    return out;
  };
  return {
    id: GOOGLE_PROVIDER_ID,
    chatModel: (modelName, overrides) => createGoogleChatModel(modelName, resolveGoogleSettings(merged(overrides))),
    embeddings: (modelName, overrides) => createGoogleEmbeddingsModel(modelName, resolveGoogleSettings(merged(overrides))),
    structuredMethod: settings.structuredMethod ?? 'jsonSchema',
    supportsLogprobs: false,
    prices: { ...GOOGLE_PRICES },
  };
}

/** `createGateway({ providers: googlePlugin().providers })`, then 'google:gemini-2.5-flash'. */
export function googlePlugin(settings: GoogleProviderSettings = {}): TaxonomistPlugin {
  return definePlugin({ name: '@taxonomist/google', version: VERSION, providers: [createGoogleProvider(settings)] });
}
