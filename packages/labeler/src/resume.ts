import { stat } from 'node:fs/promises';
import { IdHashSet, readJsonl } from '@taxonomist/core';
import { asAssignment } from './compact.js';

/** What an existing output file says about a previous (possibly killed) run. */
export interface ResumeState {
  /** Ids already labeled ok: skipped by this run (a compact hash set: flat memory on millions of lines). */
  okIds: { has(id: string): boolean; readonly size: number };
  /** Valid lines in the file. */
  lines: number;
  /** Ids whose only lines are failures: labeled again. */
  failedIds: number;
  /** Complete lines that are not valid assignments (dropped when the file is compacted). */
  badLines: number;
  /** Ids with more than one line (a resumed run interrupted before its compaction). */
  duplicateIds: number;
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Read the output file of an earlier run. Call it AFTER opening the writer in append mode: opening repairs a torn
 * final line (from a SIGKILL mid-write), so what is read here is exactly what the file will keep. An id counts as
 * done when ANY of its lines is ok (a killed resume may have left an old failed line next to a new ok one).
 */
export async function readResumeState(path: string): Promise<ResumeState> {
  // One compact table for every id of the file (bit 1: has an ok line, bit 2: has a failed line), not string sets.
  const status = new IdHashSet();
  let okCount = 0;
  let failedOnly = 0;
  let duplicateIds = 0;
  const okIds = { has: (id: string) => ((status.get(id) ?? 0) & OK) !== 0, get size() { return okCount; } };
  if (!(await fileExists(path))) return { okIds, lines: 0, failedIds: 0, badLines: 0, duplicateIds: 0 };
  const reader = readJsonl<unknown>(path, { maxIssues: 10 });
  let lines = 0;
  let badLines = 0;
  for await (const value of reader) {
    const a = asAssignment(value);
    if (a === undefined) {
      badLines++;
      continue;
    }
    lines++;
    const before = status.get(a.id);
    if (before !== undefined) duplicateIds++;
    const after = (before ?? 0) | (a.status === 'ok' ? OK : FAILED);
    if (after === before) continue;
    status.set(a.id, after);
    if ((after & OK) !== 0 && ((before ?? 0) & OK) === 0) okCount++;
    if (after === FAILED) failedOnly++;
    else if (before === FAILED) failedOnly--;
  }
  return { okIds, lines, failedIds: failedOnly, badLines: badLines + reader.stats.skipped, duplicateIds };
}

const OK = 1;
const FAILED = 2;
