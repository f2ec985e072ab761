import { ProviderConfigError, checkProviderBaseURL, nonEmptySetting, type ProviderSettings, type StructuredMethod } from '@taxonomist/core';

/** Where a local Ollama listens by default. */
export const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434';

export interface OllamaProviderSettings extends ProviderSettings {
  /** Ollama's URL (no /api suffix); default OLLAMA_BASE_URL, OLLAMA_HOST, or http://127.0.0.1:11434. */
  baseURL?: string;
  /** Bearer token for hosted Ollama or an authenticating proxy; default OLLAMA_API_KEY. Local Ollama needs none. */
  apiKey?: string;
  temperature?: number;
  /** Per-request timeout, ms (local models can be slow to load: keep it generous). */
  timeoutMs?: number;
  /** Context window to ask for (num_ctx); Ollama's default is small (2048-4096) and silently truncates prompts. */
  numCtx?: number;
  /** How long Ollama keeps the model loaded after a call, e.g. '10m'. */
  keepAlive?: string;
  /** Embedding size for models that support shortening. */
  dimensions?: number;
  /** Structured-output method (default 'jsonSchema': the schema goes in /api/chat `format`). */
  structuredMethod?: Exclude<StructuredMethod, 'auto'>;
  /** Environment to read OLLAMA_* from (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface ResolvedOllamaSettings {
  baseURL: string;
  apiKey?: string;
  temperature?: number;
  timeoutMs?: number;
  numCtx?: number;
  keepAlive?: string;
  dimensions?: number;
}

/** OLLAMA_HOST may be a bare host:port (Ollama's own convention); give it a scheme. */
function withScheme(host: string): string {
  return /^[a-z]+:\/\//i.test(host) ? host : `http://${host}`;
}

/** Settings over the environment, checked; errors never contain the key. */
export function resolveOllamaSettings(settings: OllamaProviderSettings = {}): ResolvedOllamaSettings {
  const env = settings.env ?? process.env;
  const host = nonEmptySetting(env.OLLAMA_HOST);
  const raw = nonEmptySetting(settings.baseURL) ?? nonEmptySetting(env.OLLAMA_BASE_URL) ?? (host ? withScheme(host) : OLLAMA_DEFAULT_BASE_URL);
  const baseURL = checkProviderBaseURL(raw, 'Ollama', OLLAMA_DEFAULT_BASE_URL);
  if (/\/v1$/.test(baseURL)) {
    throw new ProviderConfigError(
      `Ollama provider: base URL ${JSON.stringify(baseURL)} ends in /v1, which is Ollama's OpenAI-compatible API; this provider uses the native API: give ${baseURL.replace(/\/v1$/, '')} (or use --model openai:<model> with the /v1 URL)`,
    );
  }
  if (settings.numCtx !== undefined && !(Number.isInteger(settings.numCtx) && settings.numCtx > 0)) {
    throw new ProviderConfigError(`Ollama provider: numCtx must be a positive integer, got ${String(settings.numCtx)}`);
  }
  const apiKey = nonEmptySetting(settings.apiKey) ?? nonEmptySetting(env.OLLAMA_API_KEY);
  return {
    baseURL,
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
    ...(settings.numCtx !== undefined ? { numCtx: settings.numCtx } : {}),
    ...(settings.keepAlive !== undefined ? { keepAlive: settings.keepAlive } : {}),
    ...(settings.dimensions !== undefined ? { dimensions: settings.dimensions } : {}),
  };
}
