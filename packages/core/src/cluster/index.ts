export * from './engine.js';
export * from './model.js';
export * from './ctfidf.js';
export * from './naming.js';
export * from './phrases.js';
export * from './prompts.js';
export * from './stopwords.js';
