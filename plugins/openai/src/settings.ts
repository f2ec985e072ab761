import { ProviderConfigError, type ProviderSettings, type StructuredMethod } from '@taxonomist/core';

/** The public OpenAI endpoint, used when no base URL is configured. */
export const OPENAI_PUBLIC_BASE_URL = 'https://api.openai.com/v1';

/** Key sent to OpenAI-compatible servers that need none (Ollama, vLLM, llama.cpp, LM Studio ignore it). */
export const PLACEHOLDER_API_KEY = 'not-needed';

export interface OpenAIProviderSettings extends ProviderSettings {
  /** API key; default OPENAI_API_KEY. Never logged, cached or serialised by this plugin. */
  apiKey?: string;
  /** Base URL of any OpenAI-compatible server, e.g. http://localhost:11434/v1 (Ollama); default OPENAI_BASE_URL or the public API. */
  baseURL?: string;
  organization?: string;
  temperature?: number;
  /** Per-request timeout of the openai client, ms (the gateway also enforces its own per-attempt timeout). */
  timeoutMs?: number;
  /** Ask for token log-probabilities on every chat call (needed by confidence-from-logprobs features). */
  logprobs?: boolean;
  /** Alternatives per token when logprobs is on (0-20). */
  topLogprobs?: number;
  /** Embedding size for text-embedding-3 models (they support shortening). */
  dimensions?: number;
  /** Texts per embeddings request (default 512, the client's default). */
  batchSize?: number;
  /** Structured-output method for this provider's chat models (default 'jsonSchema'). */
  structuredMethod?: Exclude<StructuredMethod, 'auto'>;
  /**
   * HTTP client of the openai client: 'http' (default) a keep-alive node:http transport that costs less than half the
   * CPU per call of Node's fetch (see http-fetch.ts); 'fetch' Node's built-in fetch (undici), as before.
   */
  transport?: 'http' | 'fetch';
  /** Environment to read OPENAI_API_KEY / OPENAI_BASE_URL from (default process.env; tests pass their own). */
  env?: Record<string, string | undefined>;
}

export interface ResolvedOpenAISettings {
  apiKey: string;
  baseURL: string;
  /** True when the base URL is OpenAI's public API. */
  isPublic: boolean;
  organization?: string;
  temperature?: number;
  timeoutMs?: number;
  logprobs: boolean;
  topLogprobs?: number;
  dimensions?: number;
  batchSize?: number;
  transport: 'http' | 'fetch';
}

/** The openai provider's ProviderConfigError (kept under its own name for code that checks it). */
export class OpenAIConfigError extends ProviderConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'OpenAIConfigError';
  }
}

function isPublicEndpoint(baseURL: string): boolean {
  try {
    return new URL(baseURL).hostname.toLowerCase() === 'api.openai.com';
  } catch {
    return false;
  }
}

/**
 * Merge explicit settings over the environment and check them. Fails fast, before any request, when the public API
 * would be called without a key. Error messages never contain the key.
 */
export function resolveOpenAISettings(settings: OpenAIProviderSettings = {}): ResolvedOpenAISettings {
  const env = settings.env ?? process.env;
  const rawBase = settings.baseURL ?? nonEmpty(env.OPENAI_BASE_URL) ?? OPENAI_PUBLIC_BASE_URL;
  let baseURL: string;
  try {
    const url = new URL(rawBase);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    baseURL = rawBase.replace(/\/+$/, '');
  } catch {
    throw new OpenAIConfigError(
      `OpenAI provider: baseURL ${JSON.stringify(rawBase)} is not an http(s) URL (expected e.g. http://localhost:11434/v1)`,
    );
  }
  const isPublic = isPublicEndpoint(baseURL);
  const key = nonEmpty(settings.apiKey) ?? nonEmpty(env.OPENAI_API_KEY);
  if (key === undefined && isPublic) {
    throw new OpenAIConfigError(
      'OpenAI provider: no API key. Set the OPENAI_API_KEY environment variable or pass { apiKey } to openaiPlugin(). ' +
        'For a local OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio) set baseURL / OPENAI_BASE_URL instead; no key is needed then.',
    );
  }
  if (settings.topLogprobs !== undefined && !(Number.isInteger(settings.topLogprobs) && settings.topLogprobs >= 0 && settings.topLogprobs <= 20)) {
    throw new OpenAIConfigError(`OpenAI provider: topLogprobs must be an integer in 0..20, got ${settings.topLogprobs}`);
  }
  const transport = settings.transport ?? 'http';
  if (transport !== 'http' && transport !== 'fetch') {
    throw new OpenAIConfigError(`OpenAI provider: transport must be 'http' or 'fetch', got ${JSON.stringify(transport)}`);
  }
  return {
    apiKey: key ?? PLACEHOLDER_API_KEY,
    baseURL,
    isPublic,
    organization: settings.organization,
    temperature: settings.temperature,
    timeoutMs: settings.timeoutMs,
    logprobs: settings.logprobs === true,
    topLogprobs: settings.topLogprobs,
    dimensions: settings.dimensions,
    batchSize: settings.batchSize,
    transport,
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
