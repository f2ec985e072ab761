import type { CacheStore } from './cache.js';

/**
 * The cache is an optimisation: a cache that cannot be read or written (read-only or missing directory, a path that
 * is a file, a full disk, a store that throws) must never fail a call whose answer was already paid for. This
 * wrapper turns every cache error into one warning and a cache-less run from then on; an entry that cannot be used
 * (corrupt file, wrong shape) is a miss, warned about once, and overwritten by the fresh answer.
 */
export class GuardedCache {
  private disabled = false;
  private warnedCorrupt = false;
  /** Entries found unusable (counted even after the first warning). */
  corruptEntries = 0;

  constructor(
    private readonly store: CacheStore,
    private readonly warn: (message: string) => void,
    /** Where the cache is, for the warning (a directory, or a description of the store). */
    private readonly where: string,
  ) {}

  get enabled(): boolean {
    return !this.disabled;
  }

  async get(key: string): Promise<unknown | undefined> {
    if (this.disabled) return undefined;
    // A store that counts unparseable entries (FileCacheStore) returns them as misses: notice them here.
    const counted = (this.store as { corruptEntries?: unknown }).corruptEntries;
    try {
      const value = await this.store.get(key);
      const now = (this.store as { corruptEntries?: unknown }).corruptEntries;
      if (typeof counted === 'number' && typeof now === 'number' && now > counted) this.corrupt(key);
      return value;
    } catch (err) {
      this.disable('read', err);
      return undefined;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    if (this.disabled) return;
    try {
      await this.store.set(key, value);
    } catch (err) {
      this.disable('write', err);
    }
  }

  /** An entry was read but is not usable: a miss (the fresh answer overwrites it). */
  corrupt(key: string): void {
    this.corruptEntries++;
    if (this.warnedCorrupt) return;
    this.warnedCorrupt = true;
    this.warn(`cache ${this.where}: ignored a corrupt entry (${key.slice(0, 12)}...); it will be replaced by a fresh answer`);
  }

  private disable(op: 'read' | 'write', err: unknown): void {
    if (this.disabled) return;
    this.disabled = true;
    const e = err as NodeJS.ErrnoException;
    const reason = e && typeof e === 'object' ? `${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}` : String(err);
    this.warn(`cache ${this.where}: ${op} failed (${reason}); continuing without the cache (answers are still used, just not cached)`);
  }
}
