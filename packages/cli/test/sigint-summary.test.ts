/**
 * Ctrl-C for real: `taxonomist label` runs as a child process against the local OpenAI-compatible server (with
 * latency, so the run takes a while) and gets a SIGINT once some lines are written. It must exit with the interrupted
 * code, say how to resume, and print a summary whose ok + failed + not attempted add up to the corpus (issue 9: it
 * said "ok 6, not attempted 6" for 847 records). The same command then finishes the job: every record once.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Taxonomy } from '@taxonomist/core';
import { startOpenAIServer, type ChatRequestInfo, type OpenAIServer } from '@taxonomist/testing';
import { INTERRUPTED_MESSAGE, interruptedReason, toCliError } from '../src/errors.js';
import { EXIT } from '../src/exit-codes.js';
import { main } from '../src/main.js';
import { memoryIO } from './helpers.js';
import { scriptedLlm } from './scripted-llm.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'packages/cli/test/fixtures/cli-from-source.ts');
const SAMPLE = join(ROOT, 'examples/data/banking-sample.jsonl');
const RECORDS = 847;
const TOPICS = ['Top-up problems', 'Transfers', 'Currency exchange', 'Charges and refunds', 'Cards and PINs', 'Account and identity'];

let server: OpenAIServer;
let dir: string;

beforeAll(async () => {
  server = await startOpenAIServer({ script: scriptedLlm, apiKey: 'test-key', latencyMs: 40 });
  dir = await mkdtemp(join(tmpdir(), 'taxonomist-sigint-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function lineCount(path: string): Promise<number> {
  try {
    return (await readFile(path, 'utf8')).split('\n').length - 1;
  } catch {
    return 0;
  }
}

/** Run the CLI from source; with `interruptAfter`, send SIGINT once the output file has that many lines. */
async function cli(args: string[], out: string, interruptAfter?: number): Promise<{ code: number | null; stdout: string; stderr: string; interrupted: boolean }> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', OPENAI_API_KEY: 'test-key' };
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  let finished = false;
  void closed.then(() => (finished = true));
  let interrupted = false;
  if (interruptAfter !== undefined) {
    // Progress, not timing, decides when to interrupt.
    while (!finished && (await lineCount(out)) < interruptAfter) await new Promise((r) => setTimeout(r, 10));
    if (!finished) interrupted = child.kill('SIGINT');
  }
  return { code: await closed, stdout, stderr, interrupted };
}

/** The numbers of the label summary table (header row, then one row of values). */
function summaryOf(stdout: string): Record<string, number> {
  const lines = stdout.split('\n');
  const h = lines.findIndex((l) => /^\s*records\s+ok\s+failed/.test(l));
  expect(h, stdout).toBeGreaterThanOrEqual(0);
  const headers = lines[h]!.trim().split(/\s{2,}/);
  // The table may have a rule line under the header.
  const row = lines.slice(h + 1).find((l) => /\d/.test(l))!.trim().split(/\s{2,}/);
  return Object.fromEntries(headers.map((name, i) => [name, Number(row[i]!.replace(/[,$]/g, ''))]));
}

describe('taxonomist label interrupted by Ctrl-C', () => {
  it('exits 130 with a summary that adds up to the corpus, and the same command resumes without duplicates', async () => {
    const taxonomy: Taxonomy = {
      schemaVersion: 1,
      useCase: "the customer's intent in online-banking support queries",
      labels: TOPICS.map((name, i) => ({ id: `L${i + 1}`, name, description: `Queries about ${name.toLowerCase()}.` })),
    };
    await writeFile(join(dir, 'taxonomy.json'), JSON.stringify(taxonomy));
    const out = join(dir, 'labels.jsonl');
    const args = ['label', SAMPLE, '--taxonomy', join(dir, 'taxonomy.json'), '--out', out, '--model', 'openai:test-model', '--base-url', server.url, '--concurrency', '4', '--pack', '4'];

    const first = await cli(args, out, 20);
    expect(first.interrupted, first.stderr).toBe(true);
    expect(first.code, first.stderr).toBe(EXIT.INTERRUPTED);
    expect(first.stderr).toContain('interrupted; run the same command to resume');
    const s1 = summaryOf(first.stdout);
    expect(s1.records).toBe(RECORDS);
    expect(s1.ok).toBeGreaterThanOrEqual(20);
    expect(s1['not attempted']).toBeGreaterThan(0);
    expect(s1.ok + s1.failed + s1['not attempted']).toBe(RECORDS);
    const written = await lineCount(out);
    expect(written).toBe(s1.ok + s1.failed);

    const second = await cli(args, out);
    expect(second.code, second.stderr).toBe(EXIT.OK);
    expect(second.stderr).not.toContain('interrupted');
    const s2 = summaryOf(second.stdout);
    expect(s2).toMatchObject({ records: RECORDS, ok: RECORDS, failed: 0, resumed: s1.ok, 'not attempted': 0 });

    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; status: string });
    expect(lines).toHaveLength(RECORDS);
    expect(new Set(lines.map((l) => l.id)).size).toBe(RECORDS);
    expect(lines.every((l) => l.status === 'ok')).toBe(true);
  }, 180_000);
});

describe('Ctrl-C outside labeling', () => {
  it('the abort reason rethrown as is (signal.throwIfAborted) still reads as an interruption', () => {
    const signal = AbortSignal.abort(interruptedReason());
    let thrown: unknown;
    try {
      signal.throwIfAborted();
    } catch (err) {
      thrown = err;
    }
    expect(toCliError(thrown)).toMatchObject({ exitCode: EXIT.INTERRUPTED, message: INTERRUPTED_MESSAGE });
  });

  it('during induction: exit 130 with the resume message, not an internal error', async () => {
    // main() links its `signal` argument to the same abort as a SIGINT; the server "presses Ctrl-C" on the first call.
    const controller = new AbortController();
    const local = await startOpenAIServer({
      script: (info: ChatRequestInfo) => {
        controller.abort();
        return scriptedLlm(info);
      },
      apiKey: 'test-key',
      latencyMs: 20,
    });
    try {
      const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'test-key' } });
      const args = ['induce', SAMPLE, '--use-case', 'intents', '--model', 'openai:test-model', '--base-url', local.url, '--out', join(dir, 'induced.json')];
      const code = await main(args, io, controller.signal);
      expect(io.err()).toContain('interrupted; run the same command to resume');
      expect(io.err()).not.toMatch(/bug/);
      expect(code).toBe(EXIT.INTERRUPTED);
    } finally {
      await local.close();
    }
  }, 60_000);
});
