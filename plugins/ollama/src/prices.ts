import type { PriceTable } from '@taxonomist/core';

/**
 * Local models cost nothing per token: every model of this provider is priced at 0 (the gateway would otherwise
 * warn about unknown prices). Hosted Ollama or a paid proxy: pass your prices in the gateway's `prices` option.
 */
export const OLLAMA_PRICES: PriceTable = {
  'llama3.1': { input: 0, output: 0 },
  'llama3.2': { input: 0, output: 0 },
  'qwen2.5': { input: 0, output: 0 },
  'mistral': { input: 0, output: 0 },
  'gemma3': { input: 0, output: 0 },
  'nomic-embed-text': { input: 0, output: 0 },
  'mxbai-embed-large': { input: 0, output: 0 },
};
