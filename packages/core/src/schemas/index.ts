export * from './corpus.js';
export * from './taxonomy.js';
export * from './assignment.js';
export * from './manifest.js';
