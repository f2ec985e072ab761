import type { PriceTable } from '@taxonomist/core';

/**
 * Gemini API list prices in USD per 1M tokens (paid tier, prompts up to 200k tokens, text), as published in late
 * 2025. Override with the gateway's price table option.
 */
export const GOOGLE_PRICES: PriceTable = {
  'gemini-2.5-pro': { input: 1.25, output: 10 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
  'gemini-embedding-001': { input: 0.15, output: 0 },
  'text-embedding-004': { input: 0, output: 0 },
};
