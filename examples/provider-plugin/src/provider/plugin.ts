import { definePlugin, type ProviderDefinition, type ProviderSettings, type TaxonomistPlugin } from '@taxonomist/core';
import { EchoChatModel } from './chat-model.js';
import { EchoEmbeddings } from './embeddings.js';

/** Model ids of this provider look like `echo:<model>`, e.g. `echo:rules-v1`. */
export const ECHO_PROVIDER_ID = 'echo';

/** USD per million tokens, keyed by model name; the gateway turns token counts into cost with it. */
export const ECHO_PRICES = {
  'rules-v1': { input: 0.1, output: 0.4 },
  'embed-v1': { input: 0.02, output: 0 },
};

export interface EchoSettings extends ProviderSettings {
  /** Default: the ECHO_BASE_URL environment variable. */
  baseURL?: string;
  /** Default: the ECHO_API_KEY environment variable. */
  apiKey?: string;
  /** Embedding size to ask for. */
  dimensions?: number;
  /** Where ECHO_* variables are read from (default process.env; tests pass their own). */
  env?: Record<string, string | undefined>;
}

/**
 * Settings are merged in this order: environment, plugin settings, then the per-provider settings the gateway hands
 * to the factory (`createGateway({ providerSettings: { echo: {...} } })`, e.g. from CLI flags). The key is only read
 * when a model is created and only given to the model, never stored on the provider or plugin object.
 */
function resolve(settings: EchoSettings, overrides: ProviderSettings): EchoSettings & { baseURL: string; apiKey: string } {
  const merged: EchoSettings = { ...settings };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;
  const env = merged.env ?? process.env;
  const baseURL = merged.baseURL ?? env.ECHO_BASE_URL;
  const apiKey = merged.apiKey ?? env.ECHO_API_KEY;
  if (!baseURL) throw new Error('echo provider: no base URL; set ECHO_BASE_URL or pass { baseURL } to echoPlugin()');
  if (!apiKey) throw new Error('echo provider: no API key; set ECHO_API_KEY or pass { apiKey } to echoPlugin()');
  return { ...merged, baseURL, apiKey };
}

export function createEchoProvider(settings: EchoSettings = {}): ProviderDefinition {
  return {
    id: ECHO_PROVIDER_ID,
    chatModel: (model, overrides) => {
      const s = resolve(settings, overrides);
      return new EchoChatModel({
        model,
        baseURL: s.baseURL,
        apiKey: s.apiKey,
        ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
        ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}),
      });
    },
    embeddings: (model, overrides) => {
      const s = resolve(settings, overrides);
      return new EchoEmbeddings({
        model,
        baseURL: s.baseURL,
        apiKey: s.apiKey,
        ...(s.dimensions !== undefined ? { dimensions: s.dimensions } : {}),
        ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}),
      });
    },
    // The Echo API has a JSON mode but no tool calling or JSON Schema mode.
    structuredMethod: 'jsonMode',
    supportsLogprobs: false,
    prices: ECHO_PRICES,
  };
}

/** The Echo provider as a Taxonomist plugin: register it in a plugin host, then use model ids like `echo:rules-v1`. */
export function echoPlugin(settings: EchoSettings = {}): TaxonomistPlugin {
  return definePlugin({
    name: 'taxonomist-provider-echo',
    version: '0.1.0',
    providers: [createEchoProvider(settings)],
  });
}
