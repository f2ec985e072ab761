import type { PriceTable } from '@taxonomist/core';

/**
 * Anthropic list prices in USD per 1M tokens (base input / output, no cache or batch discounts), as published in
 * late 2025. Cache reads cost 10% of base input and cache writes 125%: the gateway bills all input at the base price,
 * so with prompt caching on the estimate is an upper bound. Override with the gateway's price table option.
 */
export const ANTHROPIC_PRICES: PriceTable = {
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4-0': { input: 15, output: 75 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4-0': { input: 3, output: 15 },
  'claude-3-7-sonnet-latest': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-5-haiku-latest': { input: 0.8, output: 4 },
};

/** Message Batches price as a fraction of the list price (Anthropic bills batch requests at 50%). */
export const ANTHROPIC_BATCH_PRICE_FACTOR = 0.5;
