import type { TaxonomistPlugin } from '@taxonomist/core';

/**
 * First-party provider plugins the CLI loads by itself when `--model <provider>:...` names one and no config plugin
 * provides it, so `--model anthropic:claude-haiku-4-5` works without a config file. Each reads its key from the
 * environment (never from flags: flags end up in shell history and process lists).
 */
export const FIRST_PARTY_PROVIDERS: Record<string, { pkg: string; keyEnv: string[]; load(env: Record<string, string | undefined>): Promise<TaxonomistPlugin> }> = {
  openai: { pkg: '@taxonomist/openai', keyEnv: ['OPENAI_API_KEY'], load: async (env) => (await import('@taxonomist/openai')).openaiPlugin({ env }) },
  anthropic: { pkg: '@taxonomist/anthropic', keyEnv: ['ANTHROPIC_API_KEY'], load: async (env) => (await import('@taxonomist/anthropic')).anthropicPlugin({ env }) },
  ollama: { pkg: '@taxonomist/ollama', keyEnv: [], load: async (env) => (await import('@taxonomist/ollama')).ollamaPlugin({ env }) },
  google: { pkg: '@taxonomist/google', keyEnv: ['GOOGLE_API_KEY', 'GEMINI_API_KEY'], load: async (env) => (await import('@taxonomist/google')).googlePlugin({ env }) },
};
