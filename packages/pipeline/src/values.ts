import { isAbsolute, resolve } from 'node:path';

/** Option values by name (camelCase flag names: runPipeline's settings, or a CLI command's flags). */
export type StageValues = Readonly<Record<string, unknown>>;

/** Typed access to option values (already validated by the options schema, the CLI parser or the config loader). */
export const str = (v: StageValues, k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
export const num = (v: StageValues, k: string): number | undefined => (typeof v[k] === 'number' ? (v[k] as number) : undefined);
export const bool = (v: StageValues, k: string): boolean => v[k] === true;
export const list = (v: StageValues, k: string): string[] => (Array.isArray(v[k]) ? (v[k] as unknown[]).map(String) : []);

export const DEFAULT_SEED = 42;
export const seedOf = (v: StageValues): number => num(v, 'seed') ?? DEFAULT_SEED;

/** Drop undefined values so optional fields stay absent (exactOptionalPropertyTypes-friendly and hash-stable). */
export function defined<T extends Record<string, unknown>>(obj: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/**
 * An input path as the user typed it, made usable when the command runs in-process with another working directory
 * (tests, embedding): kept as typed when it already resolves from process.cwd(), so messages show what was typed.
 */
export function inputPath(cwd: string, path: string): string {
  return isAbsolute(path) || resolve(cwd) === process.cwd() ? path : resolve(cwd, path);
}
