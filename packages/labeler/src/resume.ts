import { stat } from 'node:fs/promises';
import { readJsonl } from '@taxonomist/core';
import { asAssignment } from './compact.js';

/** What an existing output file says about a previous (possibly killed) run. */
export interface ResumeState {
  /** Ids already labeled ok: skipped by this run. */
  okIds: Set<string>;
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
  const okIds = new Set<string>();
  const failed = new Set<string>();
  const seen = new Set<string>();
  let duplicateIds = 0;
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
    if (seen.has(a.id)) duplicateIds++;
    seen.add(a.id);
    if (a.status === 'ok') okIds.add(a.id);
    else failed.add(a.id);
  }
  let failedIds = 0;
  for (const id of failed) if (!okIds.has(id)) failedIds++;
  return { okIds, lines, failedIds, badLines: badLines + reader.stats.skipped, duplicateIds };
}
