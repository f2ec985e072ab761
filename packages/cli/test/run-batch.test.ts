/**
 * `run --batch`: the label stage's seeded sample goes through the provider's batch API (the testing kit's files +
 * batches endpoints) instead of the chat endpoint, with the same prompts: labels.jsonl, the model and the predictions
 * are the bytes of the same run through the chat endpoint, and a re-run submits nothing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { scriptedLlm } from './scripted-llm.js';
import { memoryIO } from './helpers.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

describe('run --batch', () => {
  let server: OpenAIServer;
  let dir: string;
  beforeAll(async () => {
    server = await startOpenAIServer({ script: scriptedLlm, batchPollsPerStep: 0 });
    dir = mkdtempSync(join(tmpdir(), 'taxonomist-run-batch-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 300).join('\n') + '\n');
  });
  afterAll(() => server.close());

  const run = async (outDir: string, extra: string[]) => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'k' } });
    const code = await main(['run', 'corpus.jsonl', '--use-case', 'intent', '--model', 'openai:test-model', '--base-url', server.url, '--out-dir', outDir, '--label-sample', '80', '--json', ...extra], io);
    return { code, out: io.out(), err: io.err() };
  };
  const file = (outDir: string, name: string) => readFileSync(join(dir, outDir, name), 'utf8');

  it('labels the sample through batches: the same labels, model and predictions as the chat endpoint', async () => {
    const online = await run('out-online', ['--selection', 'random']);
    expect(online.code, online.err).toBe(0);
    const batchesBefore = server.batches.length;
    const batch = await run('out-batch', ['--batch', '--poll-interval', '0.01']);
    expect(batch.code, batch.err).toBe(0);
    expect(server.batches.length).toBeGreaterThan(batchesBefore);
    expect(batch.err).toMatch(/submitted batch \S+: 80 record\(s\) in 80 request\(s\)/);
    for (const name of ['taxonomy.json', 'labels.jsonl', 'model.json', 'predictions.jsonl']) expect(file('out-batch', name), name).toBe(file('out-online', name));
    expect(JSON.parse(file('out-batch', 'labels.jsonl.batch.json'))).toBeTruthy();

    // A re-run skips every stage and submits nothing.
    const batchesAfter = server.batches.length;
    const again = await run('out-batch', ['--batch', '--poll-interval', '0.01']);
    expect(again.code, again.err).toBe(0);
    expect(server.batches.length).toBe(batchesAfter);
  }, 120_000);

  it('refuses --batch with an active-learning selection (usage, exit 2) before any model call', async () => {
    const calls = server.count('chat');
    const r = await run('out-active', ['--batch', '--selection', 'margin']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--batch labels a seeded sample in batch jobs; --selection margin/);
    expect(server.count('chat')).toBe(calls);
  });
});
