import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LabelAssignmentSchema, acquireFileLock, openJsonlWriter, readJsonl } from '@taxonomist/core';
import type { FileLock, LabelAssignment } from '@taxonomist/core';

/** Input position of each id (a Map, or core's compact IdHashSet). */
export interface InputOrder {
  get(id: string): number | undefined;
}

export interface CompactResult {
  lines: number;
  ok: number;
  failed: number;
  badLines: number;
}

/**
 * Validate a parsed line but keep the ORIGINAL object (zod's output would reorder keys), so compaction rewrites
 * lines byte for byte.
 */
export function asAssignment(value: unknown): LabelAssignment | undefined {
  return LabelAssignmentSchema.safeParse(value).success ? (value as LabelAssignment) : undefined;
}

export function compactTempPath(path: string): string {
  return `${path}.compact.tmp`;
}

/**
 * Rewrite an output file to exactly one line per id: an ok line wins over failed ones, and among lines of the same
 * status the last one wins (the latest attempt). Written to a temporary file, fsynced, then renamed over the
 * original, so a crash at any moment leaves either the old file (still resumable) or the new one, never a mix.
 * With `inputOrder`, lines are sorted by input position (ids not in the input keep file order, at the end).
 *
 * Only under the file's writer lock: renaming a new file over one another process still appends to would lose its
 * lines. Pass the lock you hold (a labeling run does), or compactOutput takes it for the duration (and fails with
 * FileLockedError while another writer holds it).
 */
export async function compactOutput(path: string, inputOrder?: InputOrder, options: { lock?: FileLock } = {}): Promise<CompactResult> {
  if (options.lock !== undefined) {
    // Checked again right before the rename; here to fail before the work.
    await options.lock.assertHeld();
    return compactLocked(path, inputOrder, options.lock);
  }
  const lock = await acquireFileLock(path, { purpose: 'taxonomist compaction' });
  try {
    return await compactLocked(path, inputOrder, lock);
  } finally {
    await lock.release();
  }
}

async function compactLocked(path: string, inputOrder: InputOrder | undefined, lock: FileLock): Promise<CompactResult> {
  const chosen = new Map<string, { index: number; ok: boolean }>();
  let badLines = 0;
  const pass1 = readJsonl<unknown>(path, { maxIssues: 10 });
  let index = 0;
  for await (const value of pass1) {
    const a = asAssignment(value);
    if (a === undefined) {
      badLines++;
      continue;
    }
    const prev = chosen.get(a.id);
    const ok = a.status === 'ok';
    if (prev === undefined || ok || !prev.ok) chosen.set(a.id, { index, ok });
    index++;
  }
  const tmp = compactTempPath(path);
  await rm(tmp, { force: true });
  const writer = await openJsonlWriter(tmp, { append: false, fsync: 'batch' });
  let ok = 0;
  let failed = 0;
  try {
    const keep: { key: number; value: LabelAssignment }[] = [];
    let batch: LabelAssignment[] = [];
    index = 0;
    for await (const value of readJsonl<unknown>(path, { maxIssues: 10 })) {
      const a = asAssignment(value);
      if (a === undefined) continue;
      const i = index++;
      if (chosen.get(a.id)?.index !== i) continue;
      if (a.status === 'ok') ok++;
      else failed++;
      if (inputOrder) {
        keep.push({ key: inputOrder.get(a.id) ?? Number.MAX_SAFE_INTEGER, value: a });
        continue;
      }
      batch.push(a);
      if (batch.length >= 1000) {
        await writer.writeMany(batch);
        batch = [];
      }
    }
    if (inputOrder) {
      // Stable sort: ids outside the input share the max key and keep their file order.
      keep.sort((x, y) => x.key - y.key);
      for (let s = 0; s < keep.length; s += 1000) await writer.writeMany(keep.slice(s, s + 1000).map((k) => k.value));
    } else if (batch.length > 0) {
      await writer.writeMany(batch);
    }
    await writer.close();
    await lock.assertHeld();
  } catch (err) {
    await writer.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
  return { lines: ok + failed, ok, failed, badLines: badLines + pass1.stats.skipped };
}

/** Make the rename durable (best effort: some platforms cannot open a directory). */
async function fsyncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    /* not supported here; the rename itself is still atomic */
  }
}
