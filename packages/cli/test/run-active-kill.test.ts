/**
 * `taxonomist run` with active labeling, SIGKILLed for real (a child process, the local OpenAI-compatible server in
 * this process) and resumed: in the middle of a round under `--label-budget`, after a `--budget` (USD) stop, and in
 * the middle of re-labeling (`--relabel-model`). Every label the LLM was asked for is logged by the server's script;
 * an answer already in the output file when the process died must never be asked for again, and the resumed run must
 * end with the files of an uninterrupted one.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIServer, type ChatRequestInfo, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { memoryIO } from './helpers.js';
import { noisyLlm } from './noisy-llm.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CHILD = join(ROOT, 'test/fixtures/cli-child.ts');
/** tsx by absolute URL: the child runs in the temporary directory, where a bare 'tsx' would not resolve. */
const TSX = import.meta.resolve('tsx');
const SAMPLE = join(ROOT, 'examples/data/banking-sample.jsonl');

/** One labeling request the server answered: which model, greedy or sampled, and the texts it carried. */
interface Ask {
  model: string;
  greedy: boolean;
  texts: string[];
}
const asks: Ask[] = [];

function recordingLlm(info: ChatRequestInfo) {
  if (info.schemaName === 'label_answer') {
    const text = (JSON.parse(info.lastUserMessage.slice(info.lastUserMessage.indexOf('{'))) as { text: string }).text;
    asks.push({ model: info.model, greedy: !(Number(info.body.temperature ?? 0) > 0), texts: [text] });
  } else if (info.schemaName === 'label_answers') {
    const texts = [...info.lastUserMessage.matchAll(/^\{"id".*\}$/gm)].map((m) => (JSON.parse(m[0]) as { text: string }).text);
    asks.push({ model: info.model, greedy: !(Number(info.body.temperature ?? 0) > 0), texts });
  }
  return noisyLlm(info);
}

let server: OpenAIServer;
let dir: string;
let textOf: Map<string, string>;

beforeAll(async () => {
  // Some latency, so that a round (and the re-labeling) lasts long enough for the poll to kill inside it.
  server = await startOpenAIServer({ script: recordingLlm, latencyMs: 10 });
  dir = mkdtempSync(join(tmpdir(), 'taxonomist-active-kill-'));
  const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 300);
  const recs = lines.map((l) => JSON.parse(l) as { id: string; text: string });
  textOf = new Map(recs.map((r) => [r.id, r.text]));
  // The checks map asked texts back to records: they need distinct texts.
  expect(new Set(recs.map((r) => r.text)).size).toBe(recs.length);
  writeFileSync(join(dir, 'corpus.jsonl'), lines.join('\n') + '\n');
  // $1 per million tokens in and out: labeling one text costs about $0.0005.
  writeFileSync(join(dir, 'taxonomist.config.json'), JSON.stringify({ prices: { 'noisy-model': { input: 1, output: 1 }, 'strong-model': { input: 1, output: 1 } } }));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const BASE = ['run', 'corpus.jsonl', '--use-case', 'intent', '--model', 'openai:noisy-model', '--concurrency', '1'];
const ENV = { OPENAI_API_KEY: 'sk-local' };

const lines = (path: string): Record<string, unknown>[] =>
  existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return {}; } }) : [];
/** Texts whose answer is in a labeler output file (ok lines: what a resume reuses). */
const answered = (path: string): Set<string> => new Set(lines(path).filter((l) => l.status === 'ok').map((l) => textOf.get(l.id as string)!));
const roundLines = (outDir: string) => lines(join(dir, outDir, 'active-rounds.jsonl')).filter((l) => l.type === 'round');

async function runIn(outDir: string, extra: string[]): Promise<{ code: number; err: string; out: string }> {
  const io = memoryIO({ cwd: dir, env: ENV });
  const code = await main([...BASE, '--base-url', server.url, '--out-dir', outDir, ...extra], io);
  return { code, err: io.err(), out: io.out() };
}

/** Runs the CLI in a child process and SIGKILLs it once `when()` holds (polled every 2 ms). */
async function runKilled(outDir: string, extra: string[], when: () => boolean): Promise<{ killed: boolean; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, CHILD, ...BASE, '--base-url', server.url, '--out-dir', outDir, ...extra], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_OPTIONS: '', ...ENV },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  void exit.then(() => (exited = true));
  while (!exited && !when()) await new Promise((r) => setTimeout(r, 2));
  if (!exited) child.kill('SIGKILL');
  const { code, signal } = await exit;
  return { killed: signal === 'SIGKILL', code, stderr };
}

/** Texts of the labeling asks since `mark` by `model` (greedy: the labels bought; sampled: self-consistency). */
const askedSince = (mark: number, model: string, greedy = true): string[] =>
  asks.slice(mark).filter((a) => a.model === model && a.greedy === greedy).flatMap((a) => a.texts);

describe('run: active labeling killed with SIGKILL and resumed', () => {
  it('mid-round under --label-budget: no label bought twice, same labels and model as an uninterrupted run', async () => {
    const args = ['--label-budget', '90'];
    expect((await runIn('whole', args)).code).toBe(0);

    const labels = join(dir, 'killed', 'labels.jsonl');
    // Kill inside the third round or later: two rounds logged and answers of the next one already written.
    const r = await runKilled('killed', args, () => roundLines('killed').length >= 2 && lines(labels).length >= 25);
    expect(r.killed, r.stderr).toBe(true);
    const before = answered(labels);
    const inLoggedRounds = roundLines('killed').flatMap((l) => [...(l.picked as string[]), ...(l.holdoutAdded as string[])]);
    expect(before.size).toBeGreaterThan(inLoggedRounds.length); // killed mid-round, not between rounds
    expect(before.size).toBeLessThan(90);

    const mark = asks.length;
    const resumed = await runIn('killed', args);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/90 labels bought by active learning/);
    const after = askedSince(mark, 'noisy-model');
    expect(after.filter((t) => before.has(t))).toEqual([]);
    expect(new Set(after).size).toBe(after.length);
    expect(before.size + after.length).toBe(90);
    for (const name of ['labels.jsonl', 'model.json', 'active-learning.json']) {
      expect(readFileSync(join(dir, 'killed', name), 'utf8'), name).toBe(readFileSync(join(dir, 'whole', name), 'utf8'));
    }
  }, 600_000);

  it('--budget (USD) stop, then killed while resuming with a higher budget: every label bought once', async () => {
    const args = ['--label-budget', '200'];
    const stopped = await runIn('usd', [...args, '--budget', '0.05']);
    expect(stopped.code, stopped.err).toBe(5);
    const labels = join(dir, 'usd', 'labels.jsonl');
    const atStop = answered(labels);
    expect(atStop.size).toBeGreaterThan(10);
    expect(atStop.size).toBeLessThan(200);

    let mark = asks.length;
    const r = await runKilled('usd', [...args, '--budget', '5'], () => lines(labels).length >= atStop.size + 15);
    expect(r.killed, r.stderr).toBe(true);
    const afterKill = askedSince(mark, 'noisy-model');
    expect(afterKill.filter((t) => atStop.has(t))).toEqual([]);
    const beforeResume = answered(labels);
    expect(beforeResume.size).toBeGreaterThanOrEqual(atStop.size + 15);

    mark = asks.length;
    const resumed = await runIn('usd', [...args, '--budget', '5']);
    expect(resumed.code, resumed.err).toBe(0);
    const afterResume = askedSince(mark, 'noisy-model');
    expect(afterResume.filter((t) => beforeResume.has(t))).toEqual([]);
    expect(new Set(afterResume).size).toBe(afterResume.length);
    expect(beforeResume.size + afterResume.length).toBe(200);
    const final = lines(labels);
    expect(final).toHaveLength(200);
    expect(new Set(final.map((l) => l.id)).size).toBe(200);
    expect(JSON.parse(readFileSync(join(dir, 'usd', 'active-learning.json'), 'utf8'))).toMatchObject({ bought: 200, stopReason: 'label-budget' });
  }, 600_000);

  it('mid re-labeling (--relabel-model): no record re-asked twice, same resolutions as an uninterrupted run', async () => {
    const args = ['--label-budget', '120', '--relabel-model', 'openai:strong-model'];
    const whole = await runIn('relabel-whole', args);
    expect(whole.code, whole.err).toBe(0);
    const reaskedWhole = lines(join(dir, 'relabel-whole', 'relabel.jsonl')).length;
    expect(reaskedWhole).toBeGreaterThan(3);

    const relabelFile = join(dir, 'relabel-killed', 'relabel.jsonl');
    const mark0 = asks.length;
    const r = await runKilled('relabel-killed', args, () => lines(relabelFile).length >= 2);
    expect(r.killed, r.stderr).toBe(true);
    expect(askedSince(mark0, 'noisy-model')).toHaveLength(120); // labeling was done before the kill
    const before = answered(relabelFile);
    expect(before.size).toBeLessThan(reaskedWhole);

    const mark = asks.length;
    const resumed = await runIn('relabel-killed', args);
    expect(resumed.code, resumed.err).toBe(0);
    expect(askedSince(mark, 'noisy-model')).toEqual([]); // no label bought again
    const after = askedSince(mark, 'strong-model');
    expect(after.filter((t) => before.has(t))).toEqual([]);
    expect(before.size + after.length).toBe(reaskedWhole);
    for (const name of ['labels.jsonl', 'model.json']) {
      expect(readFileSync(join(dir, 'relabel-killed', name), 'utf8'), name).toBe(readFileSync(join(dir, 'relabel-whole', name), 'utf8'));
    }
  }, 600_000);
});
