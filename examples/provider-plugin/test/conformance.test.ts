/**
 * The provider's conformance test: the suite from @taxonomist/testing drives EchoChatModel and EchoEmbeddings
 * through the Taxonomist gateway against a local OpenAI-compatible server (the Echo API's wire format) and checks
 * structured output for every method the provider claims, usage reporting, error mapping (429 honouring
 * Retry-After, 500 retried, 401 not retried), abort, and embeddings. A provider package ships this file.
 */
import { runProviderConformance } from '@taxonomist/testing';
import { EchoChatModel, EchoEmbeddings } from '../src/provider/index.js';

runProviderConformance({
  name: 'taxonomist-provider-echo',
  createChatModel: ({ baseURL, apiKey, modelName }) => new EchoChatModel({ model: modelName, baseURL, apiKey }),
  createEmbeddings: ({ baseURL, apiKey, modelName, dimensions }) => new EchoEmbeddings({ model: modelName, baseURL, apiKey, dimensions }),
  // What the Echo API supports: JSON mode, and the schema-in-the-prompt fallback every chat model can do.
  structuredMethods: ['jsonMode', 'prompt'],
  supportsLogprobs: false,
});
