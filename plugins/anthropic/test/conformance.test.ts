import { runProviderConformance, startAnthropicServer } from '@taxonomist/testing';
import { createAnthropicProvider } from '@taxonomist/anthropic';

// The plugin's own factory against a fake speaking Anthropic's Messages API: what users get from 'anthropic:<model>'.
runProviderConformance({
  name: '@taxonomist/anthropic',
  fakeServer: () => startAnthropicServer({ apiKey: 'sk-ant-conformance', seed: 1 }),
  chatModelName: 'claude-haiku-4-5',
  createChatModel: ({ baseURL, apiKey, modelName }) => createAnthropicProvider({ baseURL, apiKey, env: {} }).chatModel!(modelName, {}),
  // Not 'jsonSchema': @langchain/anthropic sends it through the SDK's schema transform, which moves enum and other
  // constraints into descriptions, so answers may break the schema (this suite caught it; see the README).
  structuredMethods: ['functionCalling', 'prompt'],
  supportsLogprobs: false,
});
