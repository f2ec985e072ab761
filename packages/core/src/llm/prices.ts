import type { PriceTable, TokenUsage } from './types.js';

/**
 * Default prices, USD per 1M tokens (OpenAI list prices, standard tier). Override or extend with the gateway's
 * `prices` option or a provider's `prices`; unknown models cost 0.
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
};

export type Price = { input: number; output: number };

function lookupIn(table: PriceTable, modelId: string): Price | undefined {
  if (table[modelId]) return table[modelId];
  const colon = modelId.indexOf(':');
  const bare = colon >= 0 ? modelId.slice(colon + 1) : modelId;
  if (table[bare]) return table[bare];
  // Dated snapshots ("gpt-4o-mini-2024-07-18") take the price of the longest known name they extend.
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    for (const candidate of [modelId, bare]) {
      if (candidate.startsWith(key + '-') && (!best || key.length > best.length)) best = key;
    }
  }
  return best ? table[best] : undefined;
}

/**
 * Prices looked up in layers, first match wins: user overrides, then provider tables, then the defaults. Within a
 * layer: exact id ("openai:gpt-4o"), bare model name ("gpt-4o"), then the longest snapshot prefix.
 */
export class PriceBook {
  private readonly layers: PriceTable[];

  constructor(user: PriceTable = {}, provider: PriceTable = {}, defaults: PriceTable = DEFAULT_PRICES) {
    this.layers = [{ ...user }, { ...provider }, { ...defaults }];
  }

  /** Add a provider's prices (keyed by model name) under `${providerId}:${name}`. */
  addProviderPrices(providerId: string, prices: PriceTable): void {
    for (const [name, price] of Object.entries(prices)) {
      const key = name.startsWith(`${providerId}:`) ? name : `${providerId}:${name}`;
      this.layers[1]![key] = price;
    }
  }

  /** Add already-keyed prices ("provider:model" or bare model names) to the provider layer. */
  addPrices(prices: PriceTable): void {
    Object.assign(this.layers[1]!, prices);
  }

  price(modelId: string): Price | undefined {
    for (const layer of this.layers) {
      const p = lookupIn(layer, modelId);
      if (p) return p;
    }
    return undefined;
  }

  cost(modelId: string, usage: TokenUsage): number {
    const p = this.price(modelId);
    if (!p) return 0;
    return (usage.inputTokens * p.input + usage.outputTokens * p.output) / 1_000_000;
  }
}
