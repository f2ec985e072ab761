export * from './types.js';
export { startFakeProviderServer } from './server.js';
export { asFakeProviderServer, startOpenAIFakeServer, neutralFromOpenAI } from './openai-adapter.js';
export { anthropicProtocol, startAnthropicServer } from './anthropic.js';
export { blocksText, chatInfo } from './chat-info.js';
export { ollamaProtocol, startOllamaServer } from './ollama.js';
export { googleProtocol, startGoogleServer } from './google.js';
