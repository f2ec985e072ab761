import { ProviderConfigError, checkProviderBaseURL, definePlugin, nonEmptySetting, type ProviderDefinition, type ProviderSettings, type TaxonomistPlugin } from '@taxonomist/core';
import { QuillChatModel } from './chat-model.js';
import { QuillEmbeddings } from './embeddings.js';

export const QUILL_PROVIDER_ID = 'quill';
export const QUILL_PRICES = { 'scribe-2': { input: 0.2, output: 0.6 }, 'vec-1': { input: 0.01, output: 0 } };

export interface QuillSettings extends ProviderSettings {
  /** Default QUILL_BASE_URL. */
  baseURL?: string;
  /** Default QUILL_API_KEY. */
  apiKey?: string;
  dimensions?: number;
  env?: Record<string, string | undefined>;
}

/** Environment, then plugin settings, then the gateway's per-provider settings; errors name the fix, never the key. */
function resolve(settings: QuillSettings, overrides: ProviderSettings) {
  const merged: QuillSettings = { ...settings };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;
  const env = merged.env ?? process.env;
  const rawBase = nonEmptySetting(merged.baseURL) ?? nonEmptySetting(env.QUILL_BASE_URL);
  if (rawBase === undefined) throw new ProviderConfigError('quill provider: no base URL; set QUILL_BASE_URL or pass { baseURL } to quillPlugin()');
  const apiKey = nonEmptySetting(merged.apiKey) ?? nonEmptySetting(env.QUILL_API_KEY);
  if (apiKey === undefined) throw new ProviderConfigError('quill provider: no API key; set QUILL_API_KEY or pass { apiKey } to quillPlugin()');
  return { ...merged, baseURL: checkProviderBaseURL(rawBase, 'quill', 'http://127.0.0.1:8080'), apiKey };
}

export function createQuillProvider(settings: QuillSettings = {}): ProviderDefinition {
  return {
    id: QUILL_PROVIDER_ID,
    chatModel: (model, overrides) => {
      const s = resolve(settings, overrides);
      return new QuillChatModel({ model, baseURL: s.baseURL, apiKey: s.apiKey, ...(s.temperature !== undefined ? { temperature: s.temperature } : {}), ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}) });
    },
    embeddings: (model, overrides) => {
      const s = resolve(settings, overrides);
      return new QuillEmbeddings({ model, baseURL: s.baseURL, apiKey: s.apiKey, ...(s.dimensions !== undefined ? { dimensions: s.dimensions } : {}) });
    },
    // Quill's native `shape` field.
    structuredMethod: 'jsonSchema',
    supportsLogprobs: false,
    prices: QUILL_PRICES,
  };
}

/** `createGateway({ providers: quillPlugin().providers })`, then 'quill:scribe-2' and 'quill:vec-1'. */
export function quillPlugin(settings: QuillSettings = {}): TaxonomistPlugin {
  return definePlugin({ name: 'taxonomist-provider-quill', version: '0.1.0', providers: [createQuillProvider(settings)] });
}
