/**
 * Kill and resume for real: a child node process labels a corpus file through the real ChatOpenAI against the local
 * server (with latency, so the run takes a while), is SIGKILLed once some lines are written, and a resume on the
 * same output file must give exactly the result of an uninterrupted run: every id once, same labels, no loss, no
 * duplicates.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatOpenAI } from '@langchain/openai';
import { createGateway } from '@taxonomist/core';
import type { LabelAssignment } from '@taxonomist/core';
import { startOpenAIServer } from '@taxonomist/testing';
import type { ChatRequestInfo, OpenAIServer } from '@taxonomist/testing';
import { labelToFile } from '@taxonomist/labeler';
import { TAXONOMY, corpus, keywordLabel, readLines, textsOf } from '../packages/labeler/test/helpers.js';

const ROOT = join(import.meta.dirname, '..');
const CHILD = join(ROOT, 'packages/labeler/test/fixtures/label-child.ts');
const N = 240;

let server: OpenAIServer;
let dir: string;

function script(request: ChatRequestInfo): object {
  const texts = textsOf(request.messages.find((m) => m.role === 'user' && /Texts? to label/.test(m.content))!.content);
  if (texts.length === 1 && texts[0]!.key === undefined) return { label: keywordLabel(texts[0]!.text)! };
  return { answers: texts.map((t) => ({ id: t.key!, label: keywordLabel(t.text)! })) };
}

beforeAll(async () => {
  server = await startOpenAIServer({ script, latencyMs: 40 });
  dir = await mkdtemp(join(tmpdir(), 'labeler-kill-'));
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

/** Run the child until at least `minLines` lines are in `out`, then SIGKILL it. */
async function runAndKill(corpusPath: string, out: string, minLines: number): Promise<{ killed: boolean; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, server.url, corpusPath, out], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  // Poll the file (progress, not timing, decides when to kill).
  while (!done && (await lineCount(out)) < minLines) await new Promise((r) => setTimeout(r, 10));
  if (!done) child.kill('SIGKILL');
  const { signal } = await exited;
  return { killed: signal === 'SIGKILL', stderr };
}

const sortById = (xs: LabelAssignment[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('kill and resume', () => {
  it('a SIGKILLed run resumes to the same complete result as an uninterrupted run', async () => {
    const records = corpus(N, 'k');
    const corpusPath = join(dir, 'corpus.jsonl');
    await writeFile(corpusPath, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const options = {
      model: new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-local', configuration: { baseURL: server.url }, maxRetries: 0 }),
      pack: 3,
      concurrency: 4,
    };

    const reference = join(dir, 'reference.jsonl');
    await labelToFile(corpusPath, TAXONOMY, { ...options, gateway: createGateway(), out: reference });

    const out = join(dir, 'killed.jsonl');
    const { killed, stderr } = await runAndKill(corpusPath, out, 30);
    expect(stderr).toBe('');
    expect(killed).toBe(true);
    const partial = await lineCount(out);
    expect(partial).toBeGreaterThanOrEqual(30);
    expect(partial).toBeLessThan(N);

    const resumed = await labelToFile(corpusPath, TAXONOMY, { ...options, gateway: createGateway(), out });
    expect(resumed.status).toBe('done');
    expect(resumed.input.alreadyOk + resumed.ok).toBe(N);
    expect(resumed.ok).toBeLessThanOrEqual(N - 30);

    const got = await readLines(out);
    expect(got).toHaveLength(N);
    expect(new Set(got.map((l) => l.id)).size).toBe(N);
    expect(sortById(got)).toEqual(sortById(await readLines(reference)));
  }, 90_000);
});
