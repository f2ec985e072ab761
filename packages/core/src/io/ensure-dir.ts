import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DataFileError } from './types.js';

/**
 * `mkdir -p` that always ends. Node's `mkdir(path, { recursive: true })` loops forever where the kernel refuses a
 * directory with ENOENT although the parent exists (`/proc/x`), and says only ENOTDIR when a parent is a regular
 * file. This walks up to the nearest existing ancestor, checks it is a directory, then creates the missing levels
 * one by one. Failures are DataFileErrors naming the path (the CLI exits 3 with it).
 */
export async function ensureDir(path: string): Promise<void> {
  const target = resolve(path);
  const missing: string[] = [];
  for (let cur = target; ; ) {
    let isDir: boolean;
    try {
      isDir = (await stat(cur)).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = dirname(cur);
      // ENOTDIR: some ancestor is a file; keep walking up to find and name it.
      if ((code === 'ENOENT' || code === 'ENOTDIR') && parent !== cur) {
        missing.push(cur);
        cur = parent;
        continue;
      }
      throw new DataFileError(`cannot create directory ${target}: ${(err as Error).message}`, { file: target, cause: err });
    }
    if (!isDir) {
      throw new DataFileError(`cannot create directory ${target}: ${cur} is a file, not a directory`, { file: cur });
    }
    break;
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (err) {
      // Created meanwhile by another writer: fine if it is a directory.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(dir).catch(() => undefined))?.isDirectory()) continue;
      throw new DataFileError(`cannot create directory ${dir}: ${(err as Error).message}`, { file: dir, cause: err });
    }
  }
}
