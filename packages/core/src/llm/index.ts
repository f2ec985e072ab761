export * from './types.js';
export * from './errors.js';
export * from './clock.js';
export * from './retry.js';
export * from './limits.js';
export * from './cache.js';
export { GuardedCache } from './cache-guard.js';
export {
  CircuitBreaker,
  DEFAULT_MAX_CONSECUTIVE_FAILURES,
  DEFAULT_RATE_LIMIT_STALL_MS,
  STOP_AT_ONCE_KINDS,
  type CircuitBreakerOptions,
} from './circuit-breaker.js';
export { RateGovernor, type RateGovernorState } from './rate-governor.js';
export { parseProviderDuration } from './rate-limit-hints.js';
export * from './json-extract.js';
export * from './prices.js';
export * from './accounting.js';
export * from './budget.js';
export * from './prompt-data.js';
export {
  deriveChatModelId,
  deriveEmbeddingsId,
  autoStructuredMethod,
  endpointIdentity,
  modelEndpoint,
  providerListResolver,
  type ProviderResolver,
} from './resolve.js';
export { createGateway, jsonSchemaOf, type GatewayOptions, type GatewayHooks } from './gateway.js';
export { countPromptTokens, countPromptMessagesTokens } from './prompt-tokens.js';
export { isStrictCompatible as isStrictCompatibleSchema } from './model-call.js';
