/**
 * Where benchmarks find their data sets. The full data sets (banking77's 13k records...) are not in the repository:
 * they live in `<repo root>/../shared/data/<data set>/`, or under the directory named by TAXONOMIST_DATA. Tests never
 * read them (they use examples/data or fixtures they write); only benchmarks do, and a benchmark whose data is absent
 * must say what is missing and where it looked, and exit non-zero, instead of failing deep inside with ENOENT.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The environment variable naming the directory that holds the data set folders (e.g. `$TAXONOMIST_DATA/banking77`). */
export const DATA_ENV = 'TAXONOMIST_DATA';

/** Exit code of a benchmark whose data is missing. */
export const MISSING_DATA_EXIT = 2;

const REPO_ROOT = resolve(import.meta.dirname, '..');

/** The directory holding the data set folders: $TAXONOMIST_DATA, else <repo root>/../shared/data. */
export function benchDataRoot(env: Record<string, string | undefined> = process.env): string {
  const given = env[DATA_ENV];
  return given !== undefined && given !== '' ? resolve(given) : resolve(REPO_ROOT, '..', 'shared', 'data');
}

/** The folder of `dataset` and which of `files` it lacks (absolute paths). */
export function findBenchData(
  dataset: string,
  files: readonly string[],
  env: Record<string, string | undefined> = process.env,
): { dir: string; missing: string[] } {
  const dir = join(benchDataRoot(env), dataset);
  return { dir, missing: files.map((f) => join(dir, f)).filter((p) => !existsSync(p)) };
}

/** The message a benchmark prints when files are missing. */
export function missingDataMessage(dataset: string, files: readonly string[], missing: readonly string[], env: Record<string, string | undefined> = process.env): string {
  const where = env[DATA_ENV] ? `${DATA_ENV}=${env[DATA_ENV]}` : `${DATA_ENV} is not set, so the default <repo root>/../shared/data`;
  return [
    `benchmark data missing: data set "${dataset}" needs ${files.join(', ')}; not found:`,
    ...missing.map((p) => `  ${p}`),
    `(looked in ${benchDataRoot(env)}: ${where}).`,
    `Put the data set folder "${dataset}" there, or set ${DATA_ENV} to the directory holding it. Tests do not need it.`,
  ].join('\n');
}

/**
 * The folder of `dataset`, once every one of `files` is there; otherwise prints what is missing and where it looked,
 * and exits with MISSING_DATA_EXIT. Call it at the top of a benchmark, before any work.
 */
export function requireBenchData(dataset: string, files: readonly string[]): string {
  const { dir, missing } = findBenchData(dataset, files);
  if (missing.length > 0) {
    process.stderr.write(`${missingDataMessage(dataset, files, missing)}\n`);
    process.exit(MISSING_DATA_EXIT);
  }
  return dir;
}
