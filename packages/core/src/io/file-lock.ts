import { randomBytes } from 'node:crypto';
import { unlinkSync, readFileSync } from 'node:fs';
import { link, open, stat, unlink, writeFile } from 'node:fs/promises';
import { ensureDir } from './ensure-dir.js';
import { readTextIfExists } from './json-file.js';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * One writer per output file, enforced across processes: a lock file beside the output (`<file>.lock`) created
 * atomically, holding who owns it. A second writer gets a FileLockedError naming the file and the owner instead of
 * interleaving lines with the first (two appenders duplicate records; one compacting while the other appends loses
 * every line written to the replaced inode).
 */

/** What a lock file holds (JSON). `token` tells this holder's lock from a later one on the same path. */
export const LockOwnerSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  startedAt: z.string(),
  token: z.string(),
  /** What holds it, e.g. "taxonomist label" (for the error message). */
  purpose: z.string().optional(),
});
export type LockOwner = z.infer<typeof LockOwnerSchema>;

/** Another live writer holds the lock (or its owner cannot be checked from here). */
export class FileLockedError extends Error {
  readonly code = 'ELOCKED';
  constructor(
    /** The output file (or directory) the lock protects. */
    readonly file: string,
    readonly lockPath: string,
    /** The owner as read from the lock file; undefined when the lock file is unreadable. */
    readonly owner: LockOwner | undefined,
    reason: string,
  ) {
    super(`${file} is locked by another writer: ${reason}`);
    this.name = 'FileLockedError';
  }
}

export interface FileLockOptions {
  /** Lock file path (default `<target>.lock`). */
  lockPath?: string;
  /** Shown to a second writer, e.g. "taxonomist label". */
  purpose?: string;
  /**
   * Take the lock even when its owner looks alive or runs on another host (default false). Only for an operator
   * who knows the other writer is gone (a lock on a shared file system left by a crashed machine).
   */
  force?: boolean;
  /** Told when a stale lock is taken over (default: process.emitWarning). */
  onWarning?: (message: string) => void;
  /** Create the parent directory if missing (default true). */
  mkdir?: boolean;
}

export interface FileLock {
  readonly target: string;
  readonly lockPath: string;
  readonly owner: LockOwner;
  /** Whether the lock file still names this holder (false after release, or if someone forced it away). */
  isHeld(): Promise<boolean>;
  /** Throw FileLockedError unless the lock file still names this holder (call before a destructive step). */
  assertHeld(): Promise<void>;
  /** Remove the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

/** Locks this process holds: refused to a second taker in the same process, removed on process exit. */
const held = new Map<string, LockOwner>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort for process.exit() paths that skip `finally` blocks: remove every lock still held (sync only here).
  process.on('exit', () => {
    for (const [lockPath, owner] of held) {
      try {
        const current = LockOwnerSchema.safeParse(JSON.parse(readFileSync(lockPath, 'utf8')));
        if (current.success && current.data.token === owner.token) unlinkSync(lockPath);
      } catch {
        /* already gone */
      }
    }
    held.clear();
  });
}

export function lockPathFor(target: string): string {
  return `${target}.lock`;
}

const defaultWarn = (message: string): void => {
  process.emitWarning(message, 'TaxonomistLockWarning');
};

function describeOwner(o: LockOwner): string {
  return `${o.purpose ? `${o.purpose}, ` : ''}pid ${o.pid} on host ${o.hostname}, since ${o.startedAt}`;
}

/** Whether a process with this pid exists on this host (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(lockPath: string): Promise<{ raw: string; owner: LockOwner | undefined } | undefined> {
  const raw = await readTextIfExists(lockPath);
  if (raw === undefined) return undefined;
  let owner: LockOwner | undefined;
  try {
    const parsed = LockOwnerSchema.safeParse(JSON.parse(raw));
    owner = parsed.success ? parsed.data : undefined;
  } catch {
    owner = undefined;
  }
  return { raw, owner };
}

/**
 * Create the lock file with its full content in one atomic step: write a private temp file, then hard-link it to
 * the lock path (link fails with EEXIST if the lock exists), so no reader ever sees an empty or half-written lock.
 * Falls back to O_EXCL creation where hard links are not supported.
 */
async function createExclusive(lockPath: string, content: string): Promise<boolean> {
  const tmp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content, { flag: 'wx' });
  try {
    await link(tmp, lockPath);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  try {
    const h = await open(lockPath, 'wx');
    try {
      await h.writeFile(content, 'utf8');
    } finally {
      await h.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

const TAKEOVER_GUARD_STALE_MS = 30_000;

/**
 * Remove a stale lock whose content is still exactly `seenRaw`. Two processes may find the same stale lock at
 * once: a guard file (created exclusively) lets only one of them remove it, and the content check under the guard
 * keeps it from removing a fresh lock the other one created meanwhile. Returns false when it should just retry.
 */
async function removeStale(lockPath: string, seenRaw: string): Promise<boolean> {
  const guard = `${lockPath}.takeover`;
  if (!(await createExclusive(guard, `${process.pid}\n`))) {
    // Someone else is taking over; a guard left by a crash mid-takeover is cleared after a while.
    try {
      const s = await stat(guard);
      if (Date.now() - s.mtimeMs > TAKEOVER_GUARD_STALE_MS) await unlink(guard).catch(() => undefined);
    } catch {
      /* gone already */
    }
    await new Promise((r) => setTimeout(r, 20));
    return false;
  }
  try {
    const now = await readOwner(lockPath);
    if (now !== undefined && now.raw === seenRaw) await unlink(lockPath);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/**
 * Take the exclusive lock of `target` (a file, or a directory with an explicit `lockPath`). A lock left by a crash
 * is detected and taken over with a warning when its owner ran on this host and its pid is gone; a lock from another
 * host cannot be checked and is refused unless `force`. A lock held by a live process (this one included) is refused
 * with a FileLockedError naming the file and the owner.
 */
export async function acquireFileLock(target: string, options: FileLockOptions = {}): Promise<FileLock> {
  const lockPath = options.lockPath ?? lockPathFor(target);
  const warn = options.onWarning ?? defaultWarn;
  // ensureDir, not mkdir -p: it names a file in the path (exit 3 in the CLI) and never hangs on /proc/x.
  if (options.mkdir !== false) await ensureDir(dirname(lockPath));
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
    ...(options.purpose !== undefined ? { purpose: options.purpose } : {}),
  };
  const content = `${JSON.stringify(owner)}\n`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await createExclusive(lockPath, content)) {
      held.set(lockPath, owner);
      installExitHook();
      return makeLock(target, lockPath, owner);
    }
    const seen = await readOwner(lockPath);
    if (seen === undefined) continue; // released between our try and the read
    const other = seen.owner;
    let staleReason: string | undefined;
    if (other === undefined) {
      if (!options.force) {
        throw new FileLockedError(target, lockPath, undefined, `the lock file ${lockPath} is unreadable; if no other taxonomist process writes ${target}, delete the lock file`);
      }
      staleReason = 'its lock file was unreadable (forced)';
    } else if (other.hostname !== owner.hostname) {
      if (!options.force) {
        throw new FileLockedError(
          target,
          lockPath,
          other,
          `${describeOwner(other)} (another host: cannot check whether it still runs; if it does not, delete ${lockPath})`,
        );
      }
      staleReason = `it belonged to ${describeOwner(other)} (another host; forced)`;
    } else if (held.get(lockPath)?.token === other.token || (other.pid === process.pid && held.has(lockPath))) {
      throw new FileLockedError(target, lockPath, other, `${describeOwner(other)} (this very process: one writer per file)`);
    } else if (other.pid !== process.pid && pidAlive(other.pid)) {
      if (!options.force) {
        throw new FileLockedError(target, lockPath, other, `${describeOwner(other)}; wait for it to finish or stop it`);
      }
      staleReason = `it belonged to ${describeOwner(other)} (still running; forced)`;
    } else {
      // Our own pid without a record of holding it means a pid reused after the owner died (containers).
      staleReason = `its owner (${describeOwner(other)}) is no longer running`;
    }
    if (await removeStale(lockPath, seen.raw)) warn(`${target}: took over a stale lock: ${staleReason}`);
  }
  throw new FileLockedError(target, lockPath, undefined, `could not take ${lockPath} (it kept changing hands)`);
}

function makeLock(target: string, lockPath: string, owner: LockOwner): FileLock {
  let released = false;
  const isHeld = async (): Promise<boolean> => {
    if (released) return false;
    const now = await readOwner(lockPath).catch(() => undefined);
    return now?.owner?.token === owner.token;
  };
  return {
    target,
    lockPath,
    owner,
    isHeld,
    async assertHeld() {
      if (await isHeld()) return;
      const now = await readOwner(lockPath).catch(() => undefined);
      throw new FileLockedError(target, lockPath, now?.owner, now?.owner ? `the lock was taken over by ${describeOwner(now.owner)}` : `the lock file ${lockPath} disappeared`);
    },
    async release() {
      if (released) return;
      released = true;
      if (held.get(lockPath)?.token === owner.token) held.delete(lockPath);
      const now = await readOwner(lockPath).catch(() => undefined);
      if (now?.owner?.token === owner.token) await unlink(lockPath).catch(() => undefined);
    },
  };
}

/** Run `fn` holding the lock of `target`; the lock is released however `fn` ends. */
export async function withFileLock<T>(target: string, options: FileLockOptions, fn: (lock: FileLock) => Promise<T>): Promise<T> {
  const lock = await acquireFileLock(target, options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
