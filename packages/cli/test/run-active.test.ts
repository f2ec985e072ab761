/**
 * `taxonomist run --model` labels by active learning by default: the summary says how many labels were bought and
 * why labeling stopped; `--selection random` keeps the seeded sample; an unknown strategy is a usage error.
 * In-process from sources, through the local OpenAI-compatible server.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { scriptedLlm } from './scripted-llm.js';
import { memoryIO } from './helpers.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

describe('run: active labeling', () => {
  let server: OpenAIServer;
  let dir: string;
  beforeAll(async () => {
    server = await startOpenAIServer({ script: scriptedLlm });
    dir = mkdtempSync(join(tmpdir(), 'taxonomist-active-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 300).join('\n') + '\n');
    writeFileSync(join(dir, 'taxonomist.config.json'), JSON.stringify({ defaults: { model: 'openai:test-model' } }));
  });
  afterAll(() => server.close());

  const run = async (outDir: string, extra: string[]) => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'k' } });
    const code = await main(['run', 'corpus.jsonl', '--use-case', 'intent', '--base-url', server.url, '--out-dir', outDir, ...extra], io);
    return { code, out: io.out(), err: io.err() };
  };
  const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  it('buys up to --label-budget and says so; --selection random labels the seeded sample', async () => {
    const active = await run('out-active', ['--label-budget', '60']);
    expect(active.code, active.err).toBe(0);
    expect(active.out).toMatch(/labels: 60 labels bought by active learning \(diverse-balanced, \d+ rounds\), stopped: label budget reached/);
    expect(lines(join(dir, 'out-active', 'labels.jsonl'))).toHaveLength(60);
    const curve = JSON.parse(readFileSync(join(dir, 'out-active', 'active-learning.json'), 'utf8')) as { bought: number; stopReason: string; rounds: unknown[] };
    expect(curve).toMatchObject({ bought: 60, stopReason: 'label-budget' });
    expect(lines(join(dir, 'out-active', 'active-rounds.jsonl')).map((l) => l.type)).toEqual(['start', ...curve.rounds.map(() => 'round'), 'stop']);

    const sampled = await run('out-random', ['--selection', 'random', '--label-sample', '40']);
    expect(sampled.code, sampled.err).toBe(0);
    expect(lines(join(dir, 'out-random', 'labels.jsonl'))).toHaveLength(40);
    expect(existsSync(join(dir, 'out-random', 'active-rounds.jsonl'))).toBe(false);
    expect(sampled.out).not.toContain('bought by active learning');
  }, 240_000);

  it('an unknown --selection is a usage error naming the known strategies', async () => {
    const r = await run('out-bad', ['--selection', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--selection nope: unknown selection strategy \(known: random, margin, entropy, diverse, balanced, diverse-balanced\)/);
  }, 60_000);
});
