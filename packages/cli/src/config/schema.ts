import type { TaxonomistPlugin, PriceTable } from '@taxonomist/core';

/**
 * What a config file may hold. `defaults` are flag values (camelCase or kebab-case flag names, e.g.
 * { model: 'openai:gpt-4o-mini', concurrency: 4 }) used when the flag is not on the command line.
 */
export interface TaxonomistConfig {
  plugins?: TaxonomistPlugin[];
  defaults?: Record<string, unknown>;
  /** Extra or overriding prices, USD per million tokens, keyed by model id or name. */
  prices?: PriceTable;
}

/** Every top-level key a config may have; any other is an error (a typo would otherwise drop a setting silently). */
export const CONFIG_KEYS = ['plugins', 'defaults', 'prices'] as const satisfies readonly (keyof TaxonomistConfig)[];

export interface LoadedConfig {
  /** Absolute path of the file read, if any. */
  path?: string;
  plugins: TaxonomistPlugin[];
  defaults: Record<string, unknown>;
  prices?: PriceTable;
}

/** Identity helper giving types to `taxonomist.config.ts`: `export default defineConfig({ plugins: [...] })`. */
export function defineConfig(config: TaxonomistConfig): TaxonomistConfig {
  return config;
}
