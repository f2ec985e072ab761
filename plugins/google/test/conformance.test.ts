import { runProviderConformance, startGoogleServer } from '@taxonomist/testing';
import { createGoogleProvider } from '@taxonomist/google';

// The plugin's own factories against a fake speaking the Gemini API (generateContent, batchEmbedContents).
runProviderConformance({
  name: '@taxonomist/google',
  fakeServer: () => startGoogleServer({ apiKey: 'AIza-conformance-key', seed: 1 }),
  chatModelName: 'gemini-2.5-flash',
  embeddingModelName: 'gemini-embedding-001',
  createChatModel: ({ baseURL, apiKey, modelName }) => createGoogleProvider({ baseURL, apiKey, env: {} }).chatModel!(modelName, {}),
  createEmbeddings: ({ baseURL, apiKey, modelName, dimensions }) => createGoogleProvider({ baseURL, apiKey, dimensions, env: {} }).embeddings!(modelName, {}),
  structuredMethods: ['jsonSchema', 'functionCalling', 'prompt'],
  supportsLogprobs: false,
});
