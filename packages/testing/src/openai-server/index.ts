export * from './types.js';
export { startOpenAIServer } from './server.js';
export { encodeBase64Float32 } from './embeddings.js';
export { BadRequest } from './chat-completions.js';
export type { RateLimitOptions, RateLimitStats } from './rate-limiter.js';
