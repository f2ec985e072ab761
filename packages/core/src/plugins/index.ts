export * from './types.js';
export * from './define.js';
export * from './hook-kinds.js';
export * from './host.js';
export * from './errors.js';
export * from './registry-kinds.js';
export * from './batch.js';
