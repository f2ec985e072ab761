import { createGateway, createPluginHost, type Gateway, type GatewayOptions, type PluginHost, type TaxonomistPlugin } from '@taxonomist/core';

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

/**
 * A ModelSetup from plugins and a model id, for runPipeline's `models`: the plugin host, a gateway over it (with the
 * given gateway options: cache, budget, concurrency, prices...) and the chat model resolved once, so a missing key
 * or a bad base URL fails before any work starts. The CLI builds its own from flags, config and environment.
 */
export async function createModelSetup(options: {
  /** 'provider:model', e.g. 'openai:gpt-4o-mini'. */
  model: string;
  /** A cheaper model for induction's summaries (default: model). */
  summarizeModel?: string;
  /** Provider plugins (e.g. openaiPlugin() from @taxonomist/openai). */
  plugins: readonly TaxonomistPlugin[];
  gateway?: Omit<GatewayOptions, 'resolver' | 'providers'>;
}): Promise<Extract<ModelSetup, { online: true }>> {
  const host = createPluginHost(options.plugins);
  await host.ready();
  const gateway = createGateway({ ...options.gateway, resolver: host });
  const summarizeModel = options.summarizeModel ?? options.model;
  await gateway.resolveChatModel(options.model);
  if (summarizeModel !== options.model) await gateway.resolveChatModel(summarizeModel);
  const cache = options.gateway?.cache;
  const cacheDir = cache !== undefined && cache !== false && 'dir' in cache ? cache.dir : undefined;
  return { online: true, model: options.model, summarizeModel, gateway, host, ...(cacheDir !== undefined ? { cacheDir } : {}) };
}
