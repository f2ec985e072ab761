/**
 * Same inputs, seed and answers give byte-identical artifacts whatever the concurrency and latency: two `taxonomist
 * run`s against the local server with jittered latency (answers come back in a shuffled order) and different
 * --concurrency must write the same taxonomy.json, labels.jsonl, model.json and predictions.jsonl.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, shuffle } from '@taxonomist/core';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { memoryIO } from './helpers.js';
import { scriptedLlm } from './scripted-llm.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');
const ARTIFACTS = ['taxonomy.json', 'labels.jsonl', 'model.json', 'predictions.jsonl'];

describe('run: reproducible artifacts', () => {
  let server: OpenAIServer;
  let dir: string;
  beforeAll(async () => {
    server = await startOpenAIServer({ script: scriptedLlm, seed: 1, latencyJitterMs: 30 });
    dir = mkdtempSync(join(tmpdir(), 'taxonomist-repro-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 150).join('\n') + '\n');
    writeFileSync(join(dir, 'taxonomist.config.json'), JSON.stringify({ defaults: { model: 'openai:test-model' } }));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (outDir: string, concurrency: number) => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'k' } });
    const args = ['run', 'corpus.jsonl', '--use-case', 'intent', '--base-url', server.url, '--out-dir', outDir, '--label-sample', '100'];
    const code = await main([...args, '--sample-size', '40', '--batch-size', '20', '--concurrency', String(concurrency), '--json'], io);
    expect(io.err()).not.toMatch(/bug/);
    return code;
  };

  it('two runs with different concurrency and jittered latency write byte-identical artifacts', async () => {
    expect(await run('a', 1)).toBe(0);
    server.setLatency(0, 60);
    expect(await run('b', 8)).toBe(0);
    for (const name of ARTIFACTS) {
      const a = readFileSync(join(dir, 'a', name), 'utf8');
      expect(a.length).toBeGreaterThan(0);
      expect(readFileSync(join(dir, 'b', name), 'utf8'), name).toBe(a);
    }
    const labels = readFileSync(join(dir, 'a', 'labels.jsonl'), 'utf8').trim().split('\n');
    expect(labels).toHaveLength(100);
    expect(readFileSync(join(dir, 'a', 'predictions.jsonl'), 'utf8').trim().split('\n')).toHaveLength(150);
  }, 120_000);

  it('`distill` on a labels file and on a shuffled copy writes byte-identical models', async () => {
    const lines = readFileSync(join(dir, 'a', 'labels.jsonl'), 'utf8').trim().split('\n');
    const shuffled = shuffle(lines, createRng(3));
    expect(shuffled).not.toEqual(lines);
    writeFileSync(join(dir, 'shuffled.jsonl'), shuffled.join('\n') + '\n');
    for (const [labels, out] of [['a/labels.jsonl', 'm1.json'], ['shuffled.jsonl', 'm2.json']] as const) {
      const io = memoryIO({ cwd: dir });
      expect(await main(['distill', labels, '--corpus', 'corpus.jsonl', '--out', out], io), io.err()).toBe(0);
    }
    expect(readFileSync(join(dir, 'm2.json'), 'utf8')).toBe(readFileSync(join(dir, 'm1.json'), 'utf8'));
  }, 60_000);
});
