import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLockedError, LockOwnerSchema, acquireFileLock, lockPathFor, pidAlive, withFileLock } from '../../src/io/file-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (so it is certainly not alive now). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => child.on('exit', r));
  expect(pidAlive(child.pid!)).toBe(false);
  return child.pid!;
}

function lockJson(owner: { pid: number; hostname: string }): string {
  return `${JSON.stringify({ ...owner, startedAt: '2026-01-01T00:00:00.000Z', token: 'feedfacefeedface', purpose: 'taxonomist label' })}\n`;
}

describe('acquireFileLock', () => {
  it('writes the owner beside the file and removes it on release', async () => {
    const target = join(dir, 'labels.jsonl');
    const lock = await acquireFileLock(target, { purpose: 'test' });
    expect(lock.lockPath).toBe(lockPathFor(target));
    const owner = LockOwnerSchema.parse(JSON.parse(await readFile(lock.lockPath, 'utf8')));
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname(), purpose: 'test' });
    expect(await lock.isHeld()).toBe(true);
    await lock.release();
    expect(existsSync(lock.lockPath)).toBe(false);
    await lock.release(); // idempotent
  });

  it('refuses a second writer in the same process, naming the file and the owner', async () => {
    const target = join(dir, 'labels.jsonl');
    const first = await acquireFileLock(target, { purpose: 'taxonomist label' });
    const err = await acquireFileLock(target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileLockedError);
    const e = err as FileLockedError;
    expect(e.message).toContain(target);
    expect(e.message).toContain(`pid ${process.pid}`);
    expect(e.owner?.pid).toBe(process.pid);
    await first.release();
    await withFileLock(target, {}, async (l) => expect(await l.isHeld()).toBe(true));
    expect(existsSync(lockPathFor(target))).toBe(false);
  });

  it('refuses a lock held by another live process on this host, and takes it with force', async () => {
    const target = join(dir, 'model.json');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(lockPathFor(target), lockJson({ pid: child.pid!, hostname: hostname() }));
      const err = (await acquireFileLock(target).catch((e: unknown) => e)) as FileLockedError;
      expect(err.name).toBe('FileLockedError');
      expect(err.message).toMatch(new RegExp(`locked by another writer: taxonomist label, pid ${child.pid} on host`));
      const warnings: string[] = [];
      const lock = await acquireFileLock(target, { force: true, onWarning: (m) => warnings.push(m) });
      expect(warnings.join('\n')).toMatch(/still running; forced/);
      await lock.release();
    } finally {
      child.kill();
    }
  });

  it('takes over a stale lock whose owner died on this host, with a warning', async () => {
    const target = join(dir, 'labels.jsonl');
    const pid = await deadPid();
    await writeFile(lockPathFor(target), lockJson({ pid, hostname: hostname() }));
    const warnings: string[] = [];
    const lock = await acquireFileLock(target, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`took over a stale lock: its owner (taxonomist label, pid ${pid}`);
    expect(LockOwnerSchema.parse(JSON.parse(await readFile(lock.lockPath, 'utf8'))).pid).toBe(process.pid);
    await lock.release();
  });

  it('refuses a lock from another host unless forced (its pid cannot be checked from here)', async () => {
    const target = join(dir, 'labels.jsonl');
    await writeFile(lockPathFor(target), lockJson({ pid: 4242, hostname: 'some-other-host' }));
    const err = (await acquireFileLock(target).catch((e: unknown) => e)) as FileLockedError;
    expect(err).toBeInstanceOf(FileLockedError);
    expect(err.message).toContain('another host');
    expect(err.message).toContain('some-other-host');
    const warnings: string[] = [];
    const lock = await acquireFileLock(target, { force: true, onWarning: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/another host; forced/);
    await lock.release();
  });

  it('refuses an unreadable lock file instead of guessing', async () => {
    const target = join(dir, 'labels.jsonl');
    await writeFile(lockPathFor(target), 'not json');
    const err = (await acquireFileLock(target).catch((e: unknown) => e)) as FileLockedError;
    expect(err).toBeInstanceOf(FileLockedError);
    expect(err.message).toContain('unreadable');
  });

  it('release does not remove a lock that is no longer ours; assertHeld says so', async () => {
    const target = join(dir, 'labels.jsonl');
    const lock = await acquireFileLock(target);
    await writeFile(lock.lockPath, lockJson({ pid: 4242, hostname: 'elsewhere' }));
    await expect(lock.assertHeld()).rejects.toThrow(/taken over by taxonomist label, pid 4242 on host elsewhere/);
    await lock.release();
    expect(existsSync(lock.lockPath)).toBe(true);
  });

  it('of many processes racing for one lock, exactly one wins', async () => {
    const target = join(dir, 'race.jsonl');
    const release = join(dir, 'release');
    const src = join(import.meta.dirname, '../../src/io/file-lock.ts');
    // The winner holds the lock until every child has reported (start-up times vary a lot on a busy machine).
    const code = `
      const { existsSync } = await import('node:fs');
      const { acquireFileLock } = await import(${JSON.stringify(src)});
      try {
        const l = await acquireFileLock(${JSON.stringify(target)});
        process.stdout.write('won');
        while (!existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 20));
        await l.release();
      } catch (e) { process.stdout.write(e.name); }`;
    const outputs: string[] = [];
    const children = Array.from({ length: 4 }, (_, i) => {
      outputs[i] = '';
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.on('data', (d: Buffer) => (outputs[i] += d.toString()));
      return new Promise<void>((resolve) => child.on('exit', () => resolve()));
    });
    while (outputs.filter((o) => o !== '').length < 4) await new Promise((r) => setTimeout(r, 20));
    await writeFile(release, '');
    await Promise.all(children);
    expect(outputs.filter((o) => o === 'won')).toHaveLength(1);
    expect(outputs.filter((o) => o === 'FileLockedError')).toHaveLength(3);
    expect(existsSync(lockPathFor(target))).toBe(false);
  }, 60_000);
});
