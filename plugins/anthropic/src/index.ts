/** @taxonomist/anthropic: Anthropic's Claude models as a Taxonomist provider plugin, via @langchain/anthropic. */
export { anthropicPlugin, createAnthropicProvider, ANTHROPIC_PROVIDER_ID } from './plugin.js';
export { resolveAnthropicSettings, ANTHROPIC_PUBLIC_BASE_URL, type AnthropicProviderSettings, type ResolvedAnthropicSettings } from './settings.js';
export { createAnthropicChatModel, TaxonomistChatAnthropic, toAnthropicToolChoice, withCachedSystemPrefix } from './chat-model.js';
export { ANTHROPIC_PRICES, ANTHROPIC_BATCH_PRICE_FACTOR } from './prices.js';
export { createAnthropicBatchClient, ANTHROPIC_BATCH_LIMITS, messageParams as anthropicBatchParams } from './batch-client.js';
