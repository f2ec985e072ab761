/**
 * @taxonomist/openai: OpenAI and OpenAI-compatible servers (Ollama, vLLM, llama.cpp, LM Studio) as a Taxonomist
 * provider plugin, via @langchain/openai.
 */
export { openaiPlugin, createOpenAIProvider, OPENAI_PROVIDER_ID } from './plugin.js';
export {
  resolveOpenAISettings,
  OpenAIConfigError,
  OPENAI_PUBLIC_BASE_URL,
  PLACEHOLDER_API_KEY,
  type OpenAIProviderSettings,
  type ResolvedOpenAISettings,
} from './settings.js';
export { createOpenAIChatModel, createOpenAIEmbeddingsModel, TaxonomistChatOpenAI, TaxonomistOpenAIEmbeddings } from './chat-model.js';
export { OPENAI_PRICES, OPENAI_BATCH_PRICE_FACTOR } from './prices.js';
export { createHttpFetch } from './http-fetch.js';
export { createOpenAIBatchClient, OPENAI_BATCH_LIMITS } from './batch-client.js';
