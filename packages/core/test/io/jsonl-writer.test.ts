import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { openJsonlWriter, readJsonl, readJsonlTolerant } from '../../src/io/index.js';
import { tempDir } from './tmp.js';

const t = tempDir();
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../../..');
const Row = z.object({ seq: z.number().int(), payload: z.string() });

async function readAllStrict(path: string) {
  const out: z.infer<typeof Row>[] = [];
  for await (const r of readJsonl(path, { schema: Row, strict: true })) out.push(r);
  return out;
}

describe('openJsonlWriter', () => {
  it('writes one JSON line per record, in call order, even when calls are concurrent', async () => {
    const path = join(t.dir, 'concurrent.jsonl');
    const w = await openJsonlWriter(path, { fsync: 'always' });
    const big = (i: number) => ({ seq: i, payload: String.fromCharCode(97 + (i % 26)).repeat(20_000 + i) });
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => w.write(big(i))),
      w.writeMany(Array.from({ length: 10 }, (_, i) => big(40 + i))),
      w.write(big(50)),
    ]);
    expect(w.written).toBe(51);
    await w.close();
    const rows = await readAllStrict(path);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    for (const r of rows) expect(r.payload).toBe(big(r.seq).payload);
  });

  it('escapes newlines inside values, appends by default, truncates with append: false', async () => {
    const path = join(t.dir, 'nested', 'dir', 'a.jsonl');
    const w1 = await openJsonlWriter(path);
    await w1.write({ text: 'line\nbreak\u2028' });
    await w1.close();
    const w2 = await openJsonlWriter(path);
    await w2.writeMany([{ n: 1 }, { n: 2 }]);
    await w2.flush();
    await w2.close();
    expect(readFileSync(path, 'utf8')).toBe('{"text":"line\\nbreak\u2028"}\n{"n":1}\n{"n":2}\n');
    const w3 = await openJsonlWriter(path, { append: false, fsync: 'never' });
    await w3.write({ n: 3 });
    await w3.close();
    expect(readFileSync(path, 'utf8')).toBe('{"n":3}\n');
  });

  it('rejects unserialisable records without breaking the writer, and writes after close', async () => {
    const path = join(t.dir, 'errors.jsonl');
    const w = await openJsonlWriter(path);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(w.write(circular)).rejects.toThrow(/circular/i);
    await expect(w.write(undefined)).rejects.toThrow(/cannot write undefined/);
    await expect(w.writeMany([{ ok: 1 }, 10n])).rejects.toThrow(/BigInt/);
    await w.write({ ok: true });
    await w.close();
    await w.close();
    await expect(w.write({ late: true })).rejects.toThrow(/writer is closed/);
    expect(readFileSync(path, 'utf8')).toBe('{"ok":true}\n');
  });

  it('removes a torn final line on open, so the file reads back whole and appending continues', async () => {
    const path = t.file('torn.jsonl', '{"seq":0,"payload":"a"}\n{"seq":1,"payload":"b"}\n{"seq":2,"pay');
    const before = await readJsonlTolerant(path, { schema: Row });
    expect(before.records.map((r) => r.seq)).toEqual([0, 1]);
    expect(before.partialLine).toEqual({ line: 3, bytes: 13 });
    expect(before.issues).toEqual([]);
    // A strict reader sees the torn line as malformed, which is why the writer repairs it.
    await expect(readAllStrict(path)).rejects.toThrow(/torn\.jsonl:3: invalid JSON/);

    const w = await openJsonlWriter(path);
    expect(w.repairedBytes).toBe(13);
    await w.write({ seq: 2, payload: 'c' });
    await w.close();
    expect((await readAllStrict(path)).map((r) => r.seq)).toEqual([0, 1, 2]);
  });

  it('keeps a complete last line that only lacks its newline (and a torn multi-byte character counts as torn)', async () => {
    const path = t.file('no-newline.jsonl', '{"seq":0,"payload":"a"}\n{"seq":1,"payload":"b"}');
    expect((await readJsonlTolerant(path)).partialLine).toBeNull();
    const w = await openJsonlWriter(path);
    expect(w.repairedBytes).toBe(0);
    await w.write({ seq: 2, payload: 'c' });
    await w.close();
    expect((await readAllStrict(path)).map((r) => r.seq)).toEqual([0, 1, 2]);

    const tornTail = Buffer.concat([Buffer.from('{"seq":1,"payload":"'), Buffer.from('é').subarray(0, 1)]);
    const torn = t.file('torn-utf8.jsonl', Buffer.concat([Buffer.from('{"seq":0,"payload":"a"}\n'), tornTail]));
    expect((await readJsonlTolerant(torn)).partialLine).toEqual({ line: 2, bytes: tornTail.length });
    const w2 = await openJsonlWriter(torn);
    expect(w2.repairedBytes).toBe(tornTail.length);
    await w2.close();
    expect(readFileSync(torn, 'utf8')).toBe('{"seq":0,"payload":"a"}\n');
  });

  it('survives SIGKILL of a process in the middle of writing: every line parses and appending continues', async () => {
    const path = join(t.dir, 'crash.jsonl');
    writeFileSync(path, '');
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'crash-writer.ts'), path, '0'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
    // Kill it once it has written plenty, while it keeps writing (no timer: driven by its progress reports).
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => {
        const counts = d.toString().trim().split('\n').map(Number);
        if (counts[counts.length - 1]! >= 3000) {
          child.kill('SIGKILL');
          res();
        }
      });
      child.on('exit', (code) => rej(new Error(`writer exited early (${code}): ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');

    const after = await readJsonlTolerant(path, { schema: Row });
    expect(after.issues).toEqual([]);
    const seqs = after.records.map((r) => r.seq);
    expect(seqs.length).toBeGreaterThanOrEqual(3000);
    // Serialised writes: the file holds exactly a prefix of the sequence, nothing interleaved or lost in between.
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));

    const w = await openJsonlWriter(path);
    expect(w.repairedBytes).toBe(after.partialLine?.bytes ?? 0);
    await w.writeMany([
      { seq: seqs.length, payload: 'resumed' },
      { seq: seqs.length + 1, payload: 'resumed' },
    ]);
    await w.close();
    const final = await readAllStrict(path);
    expect(final.map((r) => r.seq)).toEqual(Array.from({ length: seqs.length + 2 }, (_, i) => i));
  });

  it('torn writes of any length are repaired to the last newline', async () => {
    const path = t.file('many-torn.jsonl', '');
    const line = JSON.stringify({ seq: 0, payload: 'é'.repeat(50) }) + '\n';
    const bytes = Buffer.from(line);
    // Every cut short of the closing brace (bytes.length - 1 would be a whole record missing only its newline).
    for (const cut of [1, 5, 60, 61, bytes.length - 2]) {
      writeFileSync(path, line);
      appendFileSync(path, bytes.subarray(0, cut));
      const w = await openJsonlWriter(path, { fsync: 'never' });
      expect(w.repairedBytes).toBe(cut);
      await w.close();
      expect(readFileSync(path, 'utf8')).toBe(line);
    }
  });
});
