export * from './random.js';
export * from './hash.js';
export * from './redact.js';
export * from './suggest.js';
export * from './id-hash-set.js';
export * from './shard.js';
export * from './spill-id-set.js';
