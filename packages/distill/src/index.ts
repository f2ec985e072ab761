/**
 * @taxonomist/distill: train, evaluate, audit, save and serve lightweight text classifiers on LLM labels,
 * in pure TypeScript on typed arrays.
 */
export * from './data/examples.js';
export * from './data/splits.js';
export * from './classifiers/linear-model.js';
export * from './classifiers/class-weights.js';
export * from './classifiers/linear-svm.js';
export * from './classifiers/logistic.js';
export * from './classifiers/naive-bayes.js';
export * from './classifiers/calibration.js';
export * from './classifiers/early-stopping.js';
export * from './classifiers/builtin.js';
export type * from './classifiers/types.js';
export * from './optim/lbfgs.js';
export type * from './featurizers/types.js';
export * from './featurizers/sparse.js';
export * from './featurizers/embeddings.js';
export * from './featurizers/embedding-cache.js';
export * from './featurizers/combined.js';
export * from './registry.js';
export * from './model.js';
export * from './model-file.js';
export * from './train-options.js';
export * from './train.js';
export * from './grid-search.js';
export * from './cross-validate.js';
export * from './audit.js';
export * from './evaluate.js';
export * from './serve.js';
export * from './prediction-line.js';
export * from './version.js';
export * from './active/index.js';
