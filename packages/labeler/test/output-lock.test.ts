import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { FileLockedError, acquireFileLock } from '@taxonomist/core';
import { createScriptedChatModel } from '@taxonomist/testing';
import { compactOutput, labelToFile } from '../src/index.js';
import { TAXONOMY, answerBy, corpus, gateway, keywordLabel, readLines, tempDir } from './helpers.js';

const keyword = () => createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t)!) });

/** A model that answers only after `gate` opens. */
function gated(gate: Promise<void>) {
  return createScriptedChatModel({
    responses: async (call) => {
      await gate;
      return answerBy((t) => keywordLabel(t)!)(call);
    },
  });
}

describe('one writer per labels file', () => {
  it('a second run on the same output fails with FileLockedError while the first runs; the first writes every record once', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/labels.jsonl`;
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const first = labelToFile(corpus(20), TAXONOMY, { gateway: gateway(), model: gated(gate), out, concurrency: 2 });
      while (!existsSync(`${out}.lock`)) await new Promise((r) => setTimeout(r, 5));
      const second = await labelToFile(corpus(20), TAXONOMY, { gateway: gateway(), model: keyword(), out }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(FileLockedError);
      expect((second as Error).message).toContain(`${out} is locked by another writer: taxonomist label, pid ${process.pid}`);
      open();
      const summary = await first;
      expect(summary.ok).toBe(20);
      const lines = await readLines(out);
      expect(lines).toHaveLength(20);
      expect(new Set(lines.map((l) => l.id)).size).toBe(20);
      expect(existsSync(`${out}.lock`)).toBe(false);
    } finally {
      await cleanup();
    }
  });

  it('compaction runs only under the lock: refused while another live process holds it, the file untouched', async () => {
    const { dir, cleanup } = await tempDir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const out = `${dir}/labels.jsonl`;
      await labelToFile(corpus(6), TAXONOMY, { gateway: gateway(), model: keyword(), out });
      // A duplicate line makes the file need compaction.
      const first = (await readFile(out, 'utf8')).split('\n')[0]!;
      await appendFile(out, `${first}\n`);
      const before = await readFile(out, 'utf8');
      await writeFile(`${out}.lock`, JSON.stringify({ pid: holder.pid, hostname: hostname(), startedAt: new Date().toISOString(), token: '00ff00ff00ff00ff' }));
      await expect(compactOutput(out)).rejects.toBeInstanceOf(FileLockedError);
      // A labeling run on it is refused the same way, before it writes or compacts anything.
      await expect(labelToFile(corpus(6), TAXONOMY, { gateway: gateway(), model: keyword(), out })).rejects.toBeInstanceOf(FileLockedError);
      expect(await readFile(out, 'utf8')).toBe(before);
      holder.kill();
      await new Promise((r) => holder.on('exit', r));
      // The holder is gone: the lock is stale, compaction takes it over and leaves one line per id.
      const warnings: string[] = [];
      const process_ = process as unknown as { emitWarning: (m: string) => void };
      const original = process_.emitWarning;
      process_.emitWarning = (m: string) => warnings.push(m);
      try {
        const r = await compactOutput(out);
        expect(r.lines).toBe(6);
      } finally {
        process_.emitWarning = original;
      }
      expect(warnings.join('\n')).toContain('took over a stale lock');
      expect(await readLines(out)).toHaveLength(6);
      expect(existsSync(`${out}.lock`)).toBe(false);
    } finally {
      holder.kill();
      await cleanup();
    }
  });

  it('a run holding the lock compacts its own file (a held lock is passed to compaction)', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const out = `${dir}/labels.jsonl`;
      // A failed line from an earlier run: the resume retries it, then compacts under its own lock.
      await writeFile(out, `${JSON.stringify({ id: 'r0', status: 'failed', model: 'x', error: { kind: 'server', message: 'boom' } })}\n`);
      const summary = await labelToFile(corpus(4), TAXONOMY, { gateway: gateway(), model: keyword(), out });
      expect(summary.out?.compacted).toBe(true);
      expect((await readLines(out)).map((l) => l.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
      // Compacting with a lock no longer held is refused.
      const lock = await acquireFileLock(out);
      await lock.release();
      await expect(compactOutput(out, undefined, { lock })).rejects.toBeInstanceOf(FileLockedError);
    } finally {
      await cleanup();
    }
  });
});
