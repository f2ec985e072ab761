export * from './sparse/index.js';
export * from './dense.js';
export * from './linalg.js';
export * from './svd.js';
export * from './kmeans.js';
export * from './silhouette.js';
export * from './lsa.js';
export * from './minibatch-kmeans.js';
