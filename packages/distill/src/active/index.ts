export * from './options.js';
export * from './strategies.js';
export * from './strategy-registry.js';
export * from './strata.js';
export * from './quality.js';
export * from './round-log.js';
export * from './loop.js';
export * from './relabel.js';
