import { resolve } from 'node:path';
import { createGateway, createPluginHost, registerSecretsFromEnv, type Gateway, type PluginHost, type ProviderSettings, type TaxonomistPlugin } from '@taxonomist/core';
import { CliError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../commands/types.js';
import { FIRST_PARTY_PROVIDERS } from './first-party.js';
import { HOW_TO_CONFIGURE_LLM, type ModelSetup } from '@taxonomist/pipeline';

/** How a command talks to models (offline or through a gateway), and how to turn the LLM on: the pipeline's. */
export { HOW_TO_CONFIGURE_LLM, safeUrl, type ModelSetup } from '@taxonomist/pipeline';

const MODEL_ID = /^([A-Za-z0-9_.-]+):(.+)$/;

export function parseModelId(id: string, flag = '--model'): { provider: string; modelName: string } {
  const m = MODEL_ID.exec(id);
  if (!m) throw new UsageError(`${flag} must look like provider:model, got "${id}"`, { hint: 'e.g. --model openai:gpt-4o-mini' });
  return { provider: m[1]!, modelName: m[2]! };
}

/**
 * Build the plugin host and the LLM gateway from flags, config and environment. The built-in openai provider is
 * added unless a config plugin already provides 'openai'. Nothing here logs or stores the API key: it stays in
 * the environment (or the config's plugin settings) and is read by the provider when a model is created.
 */
export async function setupModels(
  ctx: CommandContext,
  /**
   * `summarize`: the command induces (it has --summarize-model); `estimateOnly`: nothing is sent, so neither the cache
   * nor --concurrency applies. A command reads only the flags it has (test/flags-used.test.ts checks the reverse).
   */
  options: { cacheDir?: string; estimateOnly?: boolean; summarize?: boolean } = {},
): Promise<ModelSetup> {
  const v = ctx.values;
  const model = typeof v.model === 'string' ? v.model : undefined;
  if (model === undefined) {
    if (typeof v.baseUrl === 'string') throw new UsageError('--base-url needs --model', { hint: 'e.g. --model openai:llama3.1 --base-url http://localhost:11434/v1' });
    if (options.summarize && typeof v.summarizeModel === 'string') throw new UsageError('--summarize-model needs --model', { hint: HOW_TO_CONFIGURE_LLM });
    return { online: false };
  }
  const main = parseModelId(model);
  // Every key-like environment variable (any provider's) is redacted from what this process writes.
  registerSecretsFromEnv(ctx.io.env);
  const summarizeModel = options.summarize && typeof v.summarizeModel === 'string' ? v.summarizeModel : model;
  const summarize = parseModelId(summarizeModel, '--summarize-model');

  const plugins: TaxonomistPlugin[] = [...ctx.config.plugins];
  const provides = (id: string): boolean => plugins.some((p) => p.providers?.some((d) => d.id === id));
  const needed = new Set([main.provider, summarize.provider]);
  // The built-in provider is always there (unless a config plugin replaces it), so errors can list it; the other
  // first-party providers (anthropic, ollama, google) are loaded when a model names them.
  for (const id of ['openai', ...needed]) {
    const firstParty = FIRST_PARTY_PROVIDERS[id];
    if (firstParty !== undefined && !provides(id)) plugins.push(await firstParty.load(ctx.io.env));
  }
  const host = createPluginHost(plugins);
  await host.ready();
  for (const p of needed) {
    if (!host.getProvider(p)) {
      const known = host.providers().map((d) => d.id);
      throw new UsageError(`unknown model provider "${p}"`, {
        hint: `known providers: ${known.join(', ') || 'none'}; other providers come from plugins in taxonomist.config.ts`,
      });
    }
  }
  const baseUrl = typeof v.baseUrl === 'string' ? v.baseUrl : undefined;
  const providerSettings: Record<string, ProviderSettings> = {};
  if (baseUrl !== undefined) providerSettings[main.provider] = { baseURL: baseUrl };
  // Estimates call no model, so they must not need a key: a placeholder lets the provider build its client.
  if (options.estimateOnly) {
    for (const p of needed) {
      const keyEnv = FIRST_PARTY_PROVIDERS[p]?.keyEnv ?? [];
      if (keyEnv.length > 0 && !keyEnv.some((k) => ctx.io.env[k])) providerSettings[p] = { ...providerSettings[p], apiKey: 'estimate-only-no-requests' };
    }
  }
  const cacheDir = options.estimateOnly || v.noCache === true ? undefined : resolve(ctx.io.cwd, typeof v.cache === 'string' ? v.cache : (options.cacheDir ?? '.taxonomist-cache'));
  const concurrency = !options.estimateOnly && typeof v.concurrency === 'number' ? v.concurrency : undefined;
  const budget = typeof v.budget === 'number' && !options.estimateOnly ? v.budget : undefined;
  const timeoutSeconds = typeof v.timeout === 'number' ? v.timeout : undefined;
  const maxConsecutiveFailures = typeof v.maxConsecutiveFailures === 'number' ? v.maxConsecutiveFailures : undefined;
  const rateLimit = { ...(typeof v.rpm === 'number' ? { rpm: v.rpm } : {}), ...(typeof v.tpm === 'number' ? { tpm: v.tpm } : {}) };
  const gateway = createGateway({
    resolver: host,
    providerSettings,
    cache: cacheDir === undefined ? false : { dir: cacheDir },
    // Cache faults (unwritable dir, --cache naming a file, corrupt entries) are one warning, never failed records.
    onWarning: (message) => ctx.ui.warn(message),
    ...(ctx.config.prices ? { prices: ctx.config.prices } : {}),
    ...(typeof v.seed === 'number' ? { seed: v.seed } : {}),
    ...(concurrency !== undefined ? { maxConcurrency: concurrency } : {}),
    // One budget for every paid call of the command (run: induction and labeling together), checked before each.
    ...(budget !== undefined ? { budget } : {}),
    ...(timeoutSeconds !== undefined ? { attemptTimeoutMs: Math.max(1, Math.round(timeoutSeconds * 1000)) } : {}),
    ...(maxConsecutiveFailures !== undefined ? { maxConsecutiveFailures } : {}),
    ...(Object.keys(rateLimit).length > 0 ? { rateLimit } : {}),
  });
  // Resolve now so a missing key or bad base URL fails before any work starts, with the provider's own message.
  try {
    await gateway.resolveChatModel(model);
    if (summarizeModel !== model) await gateway.resolveChatModel(summarizeModel);
    for (const m of new Set([model, summarizeModel])) {
      if (budget !== undefined && gateway.cost(m, { inputTokens: 1_000_000, outputTokens: 1_000_000 }) === 0) {
        throw new UsageError(`--budget needs prices, but no price is known for "${m}"`, { hint: 'add prices for the model in taxonomist.config.ts (prices: { "<model>": { input, output } }, USD per 1M tokens) or drop --budget' });
      }
    }
  } catch (err) {
    const e = err as Error;
    if (e.name === 'OpenAIConfigError' || e.name === 'ProviderConfigError') throw new CliError(e.message, { exitCode: EXIT.USAGE, hint: HOW_TO_CONFIGURE_LLM, cause: err });
    throw err;
  }
  return { online: true, model, summarizeModel, gateway, host, ...(cacheDir ? { cacheDir } : {}) };
}
