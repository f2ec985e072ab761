export * from './random.js';
export * from './hash.js';
