/** @taxonomist/ollama: local models through Ollama's native API, as a Taxonomist provider plugin (@langchain/ollama). */
export { ollamaPlugin, createOllamaProvider, OLLAMA_PROVIDER_ID } from './plugin.js';
export { resolveOllamaSettings, OLLAMA_DEFAULT_BASE_URL, type OllamaProviderSettings, type ResolvedOllamaSettings } from './settings.js';
export { createOllamaChatModel, createOllamaEmbeddingsModel, TaxonomistChatOllama, TaxonomistOllamaEmbeddings } from './models.js';
export { OLLAMA_PRICES } from './prices.js';
