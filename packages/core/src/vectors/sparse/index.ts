export * from './csr.js';
export * from './hash.js';
export * from './hash-table.js';
export * from './tokenize.js';
export * from './ngrams.js';
export * from './typed-base64.js';
export * from './config.js';
export * from './featurizer.js';
