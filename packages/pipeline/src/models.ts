import type { Gateway, PluginHost } from '@taxonomist/core';

/** How the stages talk to models: offline (no model configured) or through a gateway. */
export type ModelSetup =
  | { online: false }
  | {
      online: true;
      /** 'provider:model' ids as given (never holding secrets). */
      model: string;
      summarizeModel: string;
      gateway: Gateway;
      host: PluginHost;
      /** Where the response cache lives, or undefined when disabled. */
      cacheDir?: string;
    };

/** How to turn the LLM on: shown once by offline runs and in errors. */
export const HOW_TO_CONFIGURE_LLM =
  'use --model openai:gpt-4o-mini with OPENAI_API_KEY set, or a local OpenAI-compatible server (Ollama, vLLM, llama.cpp) ' +
  'with --model openai:<model> --base-url http://localhost:11434/v1';

/** A URL safe to record: no user:password, no query string (tokens sometimes ride there). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid url)';
  }
}
