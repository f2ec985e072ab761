export * from './encoders.js';
export * from './count.js';
export * from './truncate.js';
