export * from './types.js';
export { startFakeProviderServer } from './server.js';
export { asFakeProviderServer, startOpenAIFakeServer, neutralFromOpenAI } from './openai-adapter.js';
