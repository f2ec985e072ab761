/**
 * One writer per output file, across real processes: two `taxonomist label --out same.jsonl` at once must not
 * interleave (the second fails with exit 8 naming the file and the first process), a stale lock left by a dead
 * process is taken over, and SIGTERM releases the lock with the completed work saved.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIServer, type ChatRequestInfo, type OpenAIServer } from '@taxonomist/testing';
import { TAXONOMY, corpus, keywordLabel, textsOf } from '../../labeler/test/helpers.js';
import { EXIT } from '../src/exit-codes.js';
import { RUN_LOCK_FILE } from '../src/commands/run.js';

const ROOT = join(import.meta.dirname, '../../..');
const CHILD = join(import.meta.dirname, 'fixtures/cli-child.ts');
// The children run in a temporary cwd: load tsx by path.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const N = 40;

let server: OpenAIServer;
let dir: string;
let corpusPath: string;
let taxonomyPath: string;

function script(request: ChatRequestInfo): object {
  const texts = textsOf(request.messages.find((m) => m.role === 'user' && /Texts? to label/.test(m.content))!.content);
  return { label: keywordLabel(texts[0]!.text)! };
}

beforeAll(async () => {
  server = await startOpenAIServer({ script, latencyMs: 25 });
  dir = await mkdtemp(join(tmpdir(), 'cli-lock-'));
  corpusPath = join(dir, 'corpus.jsonl');
  taxonomyPath = join(dir, 'taxonomy.json');
  await writeFile(corpusPath, corpus(N, 'c').map((r) => `${JSON.stringify(r)}\n`).join(''));
  await writeFile(taxonomyPath, JSON.stringify(TAXONOMY));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcess;
  done: Promise<{ code: number | null; stderr: string }>;
}

function cli(args: string[]): Child {
  const proc = spawn(process.execPath, ['--conditions=source', '--import', TSX, CHILD, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', OPENAI_API_KEY: 'sk-local-test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout!.resume();
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => proc.on('close', (code) => resolve({ code, stderr })));
  return { proc, done };
}

function labelArgs(out: string): string[] {
  return ['label', corpusPath, '--taxonomy', taxonomyPath, '--model', 'openai:gpt-4o-mini', '--base-url', server.url, '--no-cache', '--concurrency', '1', '--out', out, '--quiet'];
}

async function lines(path: string): Promise<{ id: string; status: string }[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; status: string });
  } catch {
    return [];
  }
}

async function waitFor(cond: () => Promise<boolean> | boolean, what: string, child: Child): Promise<void> {
  let exited = false;
  void child.done.then(() => (exited = true));
  while (!(await cond())) {
    if (exited) throw new Error(`the child exited before ${what}: ${(await child.done).stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('one writer per output file', () => {
  it('a second `label` on the same --out fails with exit 8 naming the file and the owner; the first writes every record exactly once', async () => {
    const out = join(dir, 'same.jsonl');
    const first = cli(labelArgs(out));
    await waitFor(async () => existsSync(`${out}.lock`) && (await lines(out)).length >= 3, 'writing lines', first);
    // Hold the first back while the second starts (process start-up is slow on a busy machine): the second must
    // meet the first mid-run, whatever the timing.
    server.setLatency(1000);
    const second = cli(labelArgs(out));
    const r2 = await second.done;
    server.setLatency(25);
    expect(r2.code).toBe(EXIT.LOCKED);
    expect(r2.stderr).toContain(`${out} is locked by another writer`);
    expect(r2.stderr).toContain(`pid ${first.proc.pid} on host ${hostname()}`);
    expect(r2.stderr).toContain('taxonomist label');
    const r1 = await first.done;
    expect(r1.code, r1.stderr).toBe(EXIT.OK);
    const written = await lines(out);
    expect(written).toHaveLength(N);
    expect(new Set(written.map((l) => l.id)).size).toBe(N);
    expect(written.every((l) => l.status === 'ok')).toBe(true);
    expect(existsSync(`${out}.lock`)).toBe(false);
  }, 60_000);

  it('a stale lock left by a dead process is taken over with a warning', async () => {
    const out = join(dir, 'stale.jsonl');
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => dead.on('exit', r));
    await writeFile(`${out}.lock`, JSON.stringify({ pid: dead.pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'abcdef0123456789', purpose: 'taxonomist label' }));
    const r = await cli(labelArgs(out)).done;
    expect(r.code, r.stderr).toBe(EXIT.OK);
    expect(r.stderr).toContain(`took over a stale lock: its owner (taxonomist label, pid ${dead.pid}`);
    expect(new Set((await lines(out)).map((l) => l.id)).size).toBe(N);
    expect(existsSync(`${out}.lock`)).toBe(false);
  }, 60_000);

  it('SIGTERM stops a run cleanly: exit 130, the lock released, the work resumable', async () => {
    const out = join(dir, 'term.jsonl');
    const child = cli(labelArgs(out));
    await waitFor(async () => (await lines(out)).length >= 3, 'writing lines', child);
    child.proc.kill('SIGTERM');
    const r = await child.done;
    expect(r.code).toBe(EXIT.INTERRUPTED);
    expect(existsSync(`${out}.lock`)).toBe(false);
    const partial = await lines(out);
    expect(partial.length).toBeLessThan(N);
    const again = await cli(labelArgs(out)).done;
    expect(again.code, again.stderr).toBe(EXIT.OK);
    const all = await lines(out);
    expect(all).toHaveLength(N);
    expect(new Set(all.map((l) => l.id)).size).toBe(N);
  }, 60_000);

  it('`run` refuses an out-dir another run holds', async () => {
    const outDir = join(dir, 'busy');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await rm(outDir, { recursive: true, force: true });
      await import('node:fs/promises').then((fs) => fs.mkdir(outDir, { recursive: true }));
      await writeFile(join(outDir, RUN_LOCK_FILE), JSON.stringify({ pid: holder.pid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: '0123456789abcdef', purpose: 'taxonomist run' }));
      const r = await cli(['run', corpusPath, '--use-case', 'intents', '--out-dir', outDir, '--quiet']).done;
      expect(r.code).toBe(EXIT.LOCKED);
      expect(r.stderr).toContain(`${outDir} is locked by another writer: taxonomist run, pid ${holder.pid}`);
      expect(existsSync(join(outDir, 'taxonomy.json'))).toBe(false);
    } finally {
      holder.kill();
    }
  }, 60_000);
});
