/** Package name and version written into model files (kept in step with package.json). */
export const DISTILL_PACKAGE = { name: '@taxonomist/distill', version: '0.1.0' } as const;
