import { ProviderConfigError, checkProviderBaseURL, nonEmptySetting, type ProviderSettings, type StructuredMethod } from '@taxonomist/core';

/** Anthropic's public API (the client appends /v1/messages). */
export const ANTHROPIC_PUBLIC_BASE_URL = 'https://api.anthropic.com';

export interface AnthropicProviderSettings extends ProviderSettings {
  /** API key; default ANTHROPIC_API_KEY. Never logged, cached or serialised by this plugin. */
  apiKey?: string;
  /** Base URL (a proxy or a local fake server); default ANTHROPIC_BASE_URL or the public API. */
  baseURL?: string;
  temperature?: number;
  /** Answer token limit; Anthropic requires one (default 4096). */
  maxTokens?: number;
  /** Per-request timeout of the client, ms. */
  timeoutMs?: number;
  /**
   * Mark the system prompt (the static prefix of every Taxonomist prompt) with cache_control so Anthropic caches it
   * (default true). Prefixes shorter than the model's minimum are simply not cached.
   */
  promptCaching?: boolean;
  /** Structured-output method (default 'functionCalling': a forced tool call). */
  structuredMethod?: Exclude<StructuredMethod, 'auto'>;
  /** Environment to read ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL from (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface ResolvedAnthropicSettings {
  apiKey: string;
  baseURL: string;
  temperature?: number;
  maxTokens: number;
  timeoutMs?: number;
  promptCaching: boolean;
}

/** Settings over the environment, checked; errors name the fix and never contain the key. */
export function resolveAnthropicSettings(settings: AnthropicProviderSettings = {}): ResolvedAnthropicSettings {
  const env = settings.env ?? process.env;
  const baseURL = checkProviderBaseURL(
    nonEmptySetting(settings.baseURL) ?? nonEmptySetting(env.ANTHROPIC_BASE_URL) ?? ANTHROPIC_PUBLIC_BASE_URL,
    'Anthropic',
    'http://127.0.0.1:8080',
  );
  const apiKey = nonEmptySetting(settings.apiKey) ?? nonEmptySetting(env.ANTHROPIC_API_KEY);
  if (apiKey === undefined) {
    throw new ProviderConfigError(
      'Anthropic provider: no API key. Set the ANTHROPIC_API_KEY environment variable, or pass { apiKey } to anthropicPlugin() ' +
        '(in a config file: providers.anthropic.apiKey; prefer the environment variable so the key stays out of files).',
    );
  }
  const maxTokens = settings.maxTokens ?? 4096;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new ProviderConfigError(`Anthropic provider: maxTokens must be a positive integer, got ${String(settings.maxTokens)}`);
  return {
    apiKey,
    baseURL,
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    maxTokens,
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
    promptCaching: settings.promptCaching !== false,
  };
}
