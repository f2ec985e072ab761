export * from './types.js';
export * from './corpus-reader.js';
export * from './csv.js';
export * from './jsonl-reader.js';
export * from './jsonl-writer.js';
export * from './file-lock.js';
export * from './json-file.js';
export { generatedIdFor } from './record-builder.js';
