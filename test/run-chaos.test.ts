/**
 * Chaos: `taxonomist run` in child processes against the local server (in this process) with jittered latency and
 * 20% injected retryable faults, SIGKILLed 20 times at seeded random points (after a few answers, or once a given
 * stage is running), then resumed to the end. Its taxonomy, labels, model and predictions must be byte-identical to
 * those of an uninterrupted run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunManifestSchema, createRng, sha256, type Rng } from '@taxonomist/core';
import { startOpenAIServer, type Fault, type FaultRule, type OpenAIServer, type RecordedRequest } from '@taxonomist/testing';
import { main } from '../packages/cli/src/main.js';
import { scriptedLlm } from '../packages/cli/test/scripted-llm.js';

const ROOT = resolve(import.meta.dirname, '..');
const CHILD = join(ROOT, 'test/fixtures/cli-child.ts');
/** tsx by absolute URL: the child runs in the temporary directory, where a bare 'tsx' would not resolve. */
const TSX = import.meta.resolve('tsx');
const SAMPLE = join(ROOT, 'examples/data/banking-sample.jsonl');
const SEED = 20261203;
const KILLS = 20;
/** Kills triggered by answers (induction and labeling); the rest once a later stage is running. */
const ANSWER_KILLS = 14;
const ARTIFACTS = ['taxonomy.json', 'labels.jsonl', 'model.json', 'predictions.jsonl'];
const ARGS = ['run', 'corpus.jsonl', '--use-case', 'intent', '--label-sample', '80', '--sample-size', '40', '--batch-size', '20'];

/**
 * 20% of requests get a retryable fault, decided per request by a seeded hash of its body and how many times that body
 * was seen; one body gets at most 2 faults, so the gateway's retries always get through and no record ends up failed
 * (a failed record would be retried by a resume but not by an uninterrupted run).
 */
class Faults {
  private static readonly KINDS: Fault[] = [
    { kind: 'rate_limit', retryAfterMs: 5 },
    { kind: 'http_error', status: 503, headers: { 'retry-after-ms': '5' } },
    { kind: 'http_error', status: 500, headers: { 'retry-after-ms': '5' } },
  ];
  private readonly seen = new Map<string, number>();
  /** Request index -> index of its fault in KINDS (-1: none). */
  private readonly decided = new Map<number, number>();
  constructor(private readonly seed: number) {}

  reset(): void {
    this.seen.clear();
    this.decided.clear();
  }

  rules(): FaultRule[] {
    return Faults.KINDS.map((fault, i) => ({ fault, when: (r: RecordedRequest) => this.pick(r) === i }));
  }

  private pick(r: RecordedRequest): number {
    let f = this.decided.get(r.index);
    if (f === undefined) {
      const body = sha256(JSON.stringify(r.body));
      const n = this.seen.get(body) ?? 0;
      this.seen.set(body, n + 1);
      const u = parseInt(sha256(`${this.seed}:${body}:${n}`).slice(0, 8), 16) / 2 ** 32;
      f = n < 2 && u < 0.2 ? Math.floor((u / 0.2) * Faults.KINDS.length) : -1;
      this.decided.set(r.index, f);
    }
    return f;
  }
}

let server: OpenAIServer;
let dir: string;
const faults = new Faults(SEED);

beforeAll(async () => {
  server = await startOpenAIServer({ script: scriptedLlm, seed: SEED, latencyMs: 1, latencyJitterMs: 20, faults: faults.rules() });
  dir = mkdtempSync(join(tmpdir(), 'taxonomist-chaos-'));
  writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 120).join('\n') + '\n');
  writeFileSync(join(dir, 'taxonomist.config.json'), JSON.stringify({ defaults: { model: 'openai:test-model' } }));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

type Trigger = { kind: 'answers'; n: number } | { kind: 'stage'; stage: string; delayMs: number };

const answered = () => server.requests.filter((r) => r.endpoint === 'chat' && r.status !== undefined).length;

function stageStatus(outDir: string): Record<string, string> {
  const path = join(outDir, 'manifest.json');
  if (!existsSync(path)) return {};
  try {
    return Object.fromEntries(RunManifestSchema.parse(JSON.parse(readFileSync(path, 'utf8'))).stages.map((s) => [s.name, s.status]));
  } catch {
    return {}; // between the write and the rename of an atomic write there is nothing to read; poll again
  }
}

function manifestInode(outDir: string): number {
  try {
    return statSync(join(outDir, 'manifest.json')).ino;
  } catch {
    return 0;
  }
}

/** Run the CLI in a child process; SIGKILL it when the trigger fires. */
async function runChild(outDir: string, trigger: Trigger | undefined): Promise<{ killed: boolean; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, CHILD, ...ARGS, '--base-url', server.url, '--out-dir', outDir, '--concurrency', '4'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', OPENAI_API_KEY: 'sk-local', NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  void exit.then(() => (exited = true));
  if (trigger !== undefined) {
    const start = answered();
    // A stage may still say "running" from the process killed before: wait until this one has rewritten the manifest
    // (atomic writes: a new inode each time) twice, when it opens it and when it starts a stage.
    const inodes = new Set([manifestInode(outDir)]);
    const leftRunning = stageStatus(outDir)[trigger.kind === 'stage' ? trigger.stage : ''] === 'running';
    for (;;) {
      if (exited) break;
      if (trigger.kind === 'answers' && answered() - start >= trigger.n) break;
      inodes.add(manifestInode(outDir));
      if (trigger.kind === 'stage' && (!leftRunning || inodes.size >= 3) && stageStatus(outDir)[trigger.stage] === 'running') {
        await new Promise((r) => setTimeout(r, trigger.delayMs));
        break;
      }
      await new Promise((r) => setTimeout(r, 3));
    }
    if (!exited) child.kill('SIGKILL');
  }
  const { code, signal } = await exit;
  return { killed: signal === 'SIGKILL', code, stderr };
}

function nextTrigger(rng: Rng, kill: number, outDir: string): Trigger {
  if (kill < ANSWER_KILLS) return { kind: 'answers', n: 1 + rng.int(10) };
  // The report runs on every run, so a trigger on it always fires even when everything else is done.
  const status = stageStatus(outDir);
  const open = ['distill', 'predict', 'report'].filter((s) => s === 'report' || status[s] !== 'done');
  // Round-robin over the stages still open (not a random pick), so that a short stage such as predict on a small
  // corpus is aimed at until it is hit or done; the delay inside the stage is the random part.
  return { kind: 'stage', stage: open[(kill - ANSWER_KILLS) % open.length]!, delayMs: rng.int(15) };
}

describe('chaos: SIGKILLs, faults and jitter', () => {
  it('20 seeded SIGKILLs across `run`, then a resume: artifacts byte-identical to an uninterrupted run', async () => {
    // The uninterrupted reference, in this process (another concurrency: it must not matter either).
    faults.reset();
    const io = { stdout: { write: () => true, isTTY: false }, stderr: { write: () => true, isTTY: false, columns: 120 }, env: { OPENAI_API_KEY: 'sk-local' }, cwd: dir, now: () => 0 };
    expect(await main([...ARGS, '--base-url', server.url, '--out-dir', 'reference'], io)).toBe(0);
    const faultsInReference = Object.values(server.stats().faults).reduce((a, n) => a + (n ?? 0), 0);
    expect(faultsInReference).toBeGreaterThan(10);

    faults.reset();
    const rng = createRng(SEED);
    const outDir = join(dir, 'chaos');
    const killedIn: string[] = [];
    let kills = 0;
    while (kills < KILLS) {
      const trigger = nextTrigger(rng, kills, outDir);
      const r = await runChild(outDir, trigger);
      expect(r.stderr).not.toMatch(/looks like a bug/);
      if (!r.killed) {
        expect(r.code, r.stderr).toBe(0); // finished before the trigger fired: the next trigger hits the report
        continue;
      }
      kills++;
      const status = stageStatus(outDir);
      killedIn.push(`${JSON.stringify(trigger)} -> ${Object.keys(status).find((s) => status[s] === 'running') ?? 'startup'}`);
    }
    const last = await runChild(outDir, undefined);
    expect(last.code, last.stderr).toBe(0);
    // The kills hit every stage but induction's first moments (the log says where, for a failure report).
    for (const name of ARTIFACTS) {
      expect(readFileSync(join(outDir, name), 'utf8'), name).toBe(readFileSync(join(dir, 'reference', name), 'utf8'));
    }
    const stagesHit = new Set(killedIn.map((k) => k.split(' -> ')[1]));
    expect([...stagesHit].sort(), killedIn.join('\n')).toEqual(expect.arrayContaining(['distill', 'label', 'predict', 'report']));
  }, 600_000);
});
