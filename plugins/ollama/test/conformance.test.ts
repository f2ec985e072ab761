import { runProviderConformance, startOllamaServer } from '@taxonomist/testing';
import { createOllamaProvider } from '@taxonomist/ollama';

// The plugin's own factories against a fake speaking Ollama's native API (/api/chat NDJSON, /api/embed).
runProviderConformance({
  name: '@taxonomist/ollama',
  fakeServer: () => startOllamaServer({ apiKey: 'ollama-proxy-token', seed: 1 }),
  chatModelName: 'llama3.1',
  embeddingModelName: 'nomic-embed-text',
  createChatModel: ({ baseURL, apiKey, modelName }) => createOllamaProvider({ baseURL, apiKey, env: {} }).chatModel!(modelName, {}),
  createEmbeddings: ({ baseURL, apiKey, modelName, dimensions }) => createOllamaProvider({ baseURL, apiKey, dimensions, env: {} }).embeddings!(modelName, {}),
  structuredMethods: ['jsonSchema', 'jsonMode', 'functionCalling', 'prompt'],
  supportsLogprobs: false,
});
