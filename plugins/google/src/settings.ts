import { ProviderConfigError, checkProviderBaseURL, nonEmptySetting, type ProviderSettings, type StructuredMethod } from '@taxonomist/core';

/** The Gemini API (the SDK appends /v1beta/models/...). */
export const GOOGLE_PUBLIC_BASE_URL = 'https://generativelanguage.googleapis.com';

export interface GoogleProviderSettings extends ProviderSettings {
  /** API key; default GOOGLE_API_KEY, then GEMINI_API_KEY. Never logged, cached or serialised by this plugin. */
  apiKey?: string;
  /** Base URL (a proxy or a local fake server); default GOOGLE_GENAI_BASE_URL or the public API. */
  baseURL?: string;
  temperature?: number;
  maxOutputTokens?: number;
  /** Embedding size (outputDimensionality) for models that support it. */
  dimensions?: number;
  /** Structured-output method (default 'jsonSchema': generationConfig.responseSchema). */
  structuredMethod?: Exclude<StructuredMethod, 'auto'>;
  env?: Record<string, string | undefined>;
}

export interface ResolvedGoogleSettings {
  apiKey: string;
  baseURL: string;
  temperature?: number;
  maxOutputTokens?: number;
  dimensions?: number;
}

export function resolveGoogleSettings(settings: GoogleProviderSettings = {}): ResolvedGoogleSettings {
  const env = settings.env ?? process.env;
  const baseURL = checkProviderBaseURL(
    nonEmptySetting(settings.baseURL) ?? nonEmptySetting(env.GOOGLE_GENAI_BASE_URL) ?? GOOGLE_PUBLIC_BASE_URL,
    'Google',
    'http://127.0.0.1:8080',
  );
  const apiKey = nonEmptySetting(settings.apiKey) ?? nonEmptySetting(env.GOOGLE_API_KEY) ?? nonEmptySetting(env.GEMINI_API_KEY);
  if (apiKey === undefined) {
    throw new ProviderConfigError(
      'Google provider: no API key. Set the GOOGLE_API_KEY (or GEMINI_API_KEY) environment variable, or pass { apiKey } to googlePlugin().',
    );
  }
  if (settings.dimensions !== undefined && !(Number.isInteger(settings.dimensions) && settings.dimensions > 0)) {
    throw new ProviderConfigError(`Google provider: dimensions must be a positive integer, got ${String(settings.dimensions)}`);
  }
  return {
    apiKey,
    baseURL,
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings.maxOutputTokens !== undefined ? { maxOutputTokens: settings.maxOutputTokens } : {}),
    ...(settings.dimensions !== undefined ? { dimensions: settings.dimensions } : {}),
  };
}
