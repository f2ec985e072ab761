/**
 * The Quill provider against the conformance kit, through a fake server that speaks Quill's own protocol
 * (./quill-protocol.ts): structured output by Quill's native `shape` field, JSON mode by `strict_json`, and the
 * prompt method; errors, transport faults, abort closing the request, embeddings.
 */
import { runProviderConformance, startFakeProviderServer } from '@taxonomist/testing';
import { createQuillProvider } from '../src/index.js';
import { quillProtocol } from './quill-protocol.js';

runProviderConformance({
  name: 'taxonomist-provider-quill',
  fakeServer: () => startFakeProviderServer(quillProtocol(), { apiKey: 'quill-conformance-key', seed: 1 }),
  chatModelName: 'scribe-2',
  embeddingModelName: 'vec-1',
  createChatModel: ({ baseURL, apiKey, modelName }) => createQuillProvider({ baseURL, apiKey, env: {} }).chatModel!(modelName, {}),
  createEmbeddings: ({ baseURL, apiKey, modelName, dimensions }) => createQuillProvider({ baseURL, apiKey, dimensions, env: {} }).embeddings!(modelName, {}),
  structuredMethods: ['jsonSchema', 'jsonMode', 'prompt'],
});
