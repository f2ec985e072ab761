export * from './classification.js';
export * from './clustering.js';
export * from './agreement.js';
export * from './judge.js';
export * from './judge-label.js';
export * from './judge-relevance.js';
