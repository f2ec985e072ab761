import { stat } from 'node:fs/promises';
import { SpillIdSet, readJsonl, type SpillIdSetOptions } from '@taxonomist/core';
import { asAssignment } from './compact.js';

/** What an existing output file says about a previous (possibly killed) run. */
export interface ResumeState {
  /** Ids already labeled ok: skipped by this run (a set that spills to disk: flat memory on millions of lines). */
  okIds: { has(id: string): boolean; readonly size: number };
  /**
   * What the file holds for `id`: undefined when it has no line; else `ok` (any of its lines is ok) and, when the
   * file has one line per id (duplicateIds 0), `line`: the 0-based index of that line among the valid lines (lets a
   * run check that the file is in input order while it reads the corpus, without a second pass).
   */
  lookup(id: string): { ok: boolean; line: number } | undefined;
  /** Valid lines in the file. */
  lines: number;
  /** Ids whose only lines are failures: labeled again. */
  failedIds: number;
  /** Complete lines that are not valid assignments (dropped when the file is compacted). */
  badLines: number;
  /** Ids with more than one line (a resumed run interrupted before its compaction). */
  duplicateIds: number;
  /** Release the id set's temporary file. */
  close(): void;
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
export async function readResumeState(path: string, options: { idSet?: SpillIdSetOptions } = {}): Promise<ResumeState> {
  // One table for every id of the file: value = (line index << 2) | status bits (1: an ok line, 2: a failed line).
  // Repeated ids OR their values: the status bits stay exact, the line index is only meaningful without repeats.
  const status = new SpillIdSet(options.idSet);
  let okCount = 0;
  let failedOnly = 0;
  let duplicateIds = 0;
  const okIds = { has: (id: string) => ((status.get(id) ?? 0) & OK) !== 0, get size() { return okCount; } };
  const lookup = (id: string): { ok: boolean; line: number } | undefined => {
    const v = status.get(id);
    return v === undefined ? undefined : { ok: (v & OK) !== 0, line: v >>> 2 };
  };
  const close = (): void => status.close();
  if (!(await fileExists(path))) return { okIds, lookup, lines: 0, failedIds: 0, badLines: 0, duplicateIds: 0, close };
  const reader = readJsonl<unknown>(path, { maxIssues: 10 });
  let lines = 0;
  let badLines = 0;
  try {
    for await (const value of reader) {
      const a = asAssignment(value);
      if (a === undefined) {
        badLines++;
        continue;
      }
      // Past 2^30 lines the index no longer fits: MAX_LINE tells the order check "unknown" (a sort then decides).
      const bits = a.status === 'ok' ? OK : FAILED;
      const before = status.merge(a.id, ((Math.min(lines, MAX_LINE) << 2) | bits) >>> 0);
      lines++;
      if (before === undefined) {
        if (bits === OK) okCount++;
        else failedOnly++;
        continue;
      }
      duplicateIds++;
      if ((before & OK) === 0 && bits === OK) {
        okCount++;
        if ((before & FAILED) !== 0) failedOnly--;
      }
    }
  } catch (err) {
    status.close();
    throw err;
  }
  return { okIds, lookup, lines, failedIds: failedOnly, badLines: badLines + reader.stats.skipped, duplicateIds, close };
}

const OK = 1;
const FAILED = 2;
/** Largest line index stored (2^30 - 1): (index << 2) must fit 32 bits. */
export const MAX_LINE = 2 ** 30 - 1;
