import { runBatchConformance, runProviderConformance } from '@taxonomist/testing';
import { createOpenAIProvider } from '@taxonomist/openai';

// The plugin's own factories, pointed at the local OpenAI-compatible server: what users get from 'openai:<model>'.
runProviderConformance({
  name: '@taxonomist/openai',
  createChatModel: ({ baseURL, apiKey, modelName }) =>
    createOpenAIProvider({ baseURL, apiKey }).chatModel!(modelName, {}),
  createEmbeddings: ({ baseURL, apiKey, modelName, dimensions }) =>
    createOpenAIProvider({ baseURL, apiKey, dimensions }).embeddings!(modelName, {}),
  structuredMethods: ['jsonSchema', 'functionCalling', 'jsonMode', 'prompt'],
  supportsLogprobs: true,
});

// The plugin's batch capability against the kit's emulated files + batches endpoints.
runBatchConformance({
  name: '@taxonomist/openai',
  createBatchClient: ({ baseURL, apiKey, modelName }) => createOpenAIProvider({ baseURL, apiKey }).batch!(modelName, {}),
});
