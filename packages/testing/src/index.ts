/**
 * @taxonomist/testing: test LLM behaviour offline. Scripted LangChain chat and embeddings models, a real local
 * OpenAI-compatible HTTP server with fault injection, and a provider conformance suite for plugin authors.
 */
export * from './reply.js';
export * from './http-error.js';
export * from './json-schema-sample.js';
export * from './extract-schema.js';
export * from './hashed-embedding.js';
export * from './scripted-chat-model.js';
export * from './scripted-embeddings.js';
export { countTextTokens, countChatPromptTokens, splitIntoTokens } from './tokens.js';
export * from './openai-server/index.js';
export * from './fake-server/index.js';
export * from './conformance.js';
export * from './batch-conformance.js';
