import { DEFAULT_PRICES, type PriceTable } from '@taxonomist/core';

/**
 * OpenAI list prices in USD per 1M tokens (standard tier, no cached-input discount), as published in 2025.
 * Prices change: override them with the gateway's price table option rather than editing this file.
 * Embedding models have no output tokens.
 */
export const OPENAI_PRICES: PriceTable = {
  // The common models' prices live in core (its fallback for LangChain instances passed without this plugin).
  ...DEFAULT_PRICES,
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
};

/** Batch API price as a fraction of the list price (OpenAI bills Batch API calls at 50%). */
export const OPENAI_BATCH_PRICE_FACTOR = 0.5;
