/**
 * @taxonomist/core: schemas, corpus I/O, plugin host, LLM gateway, taxonomy induction and evaluation.
 */
export * from './schemas/index.js';
export * from './util/index.js';
export * from './io/index.js';
export * from './plugins/index.js';
export * from './llm/index.js';
export * from './tokens/index.js';
export * from './vectors/index.js';
export * from './evaluate/index.js';
export * from './induce/index.js';
export * from './cluster/index.js';
