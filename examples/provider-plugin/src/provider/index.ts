/**
 * taxonomist-provider-echo: a third-party style provider package for Taxonomist. This directory is what you would
 * publish: it depends only on @taxonomist/core (for definePlugin and types) and @langchain/core (peer dependencies).
 */
export { echoPlugin, createEchoProvider, ECHO_PROVIDER_ID, ECHO_PRICES, type EchoSettings } from './plugin.js';
export { EchoChatModel, type EchoChatModelFields, type EchoChatCallOptions } from './chat-model.js';
export { EchoEmbeddings, type EchoEmbeddingsFields } from './embeddings.js';
export { EchoApiError, type EchoConnection } from './http.js';
