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

  it('--budget applies to the batch at the batch price; the summary and the manifest show what the batches cost, also when stopped', async () => {
    // $1 per million tokens, list price; batches bill half.
    writeFileSync(join(dir, 'prices.json'), JSON.stringify({ prices: { 'test-model': { input: 1, output: 1 } } }));
    const priced = ['--config', 'prices.json', '--batch', '--poll-interval', '0.01'];
    type Row = { stage: string; status: string; usage?: { calls: number; inputTokens: number; outputTokens: number; costUsd: number } };
    const manifestUsage = (outDir: string, stage: string) => (JSON.parse(file(outDir, 'manifest.json')) as { stages: { name: string; usage?: Row['usage'] }[] }).stages.find((s) => s.name === stage)!.usage!;
    const full = await run('out-batch-priced', [...priced, '--budget', '10']);
    expect(full.code, full.err).toBe(0);
    const rows = (JSON.parse(full.out) as { stages: Row[] }).stages;
    const label = rows.find((r) => r.stage === 'label')!.usage!;
    expect(label.calls).toBe(80);
    expect(label.costUsd).toBeCloseTo(((label.inputTokens + label.outputTokens) / 1e6) * 0.5, 12);
    expect(manifestUsage('out-batch-priced', 'label')).toMatchObject({ calls: 80, costUsd: label.costUsd });
    const induceCost = rows.find((r) => r.stage === 'induce')!.usage!.costUsd;

    // Induction's cost and about half of the batch: the batch is cut before it is submitted; the stopped stage shows
    // what the submitted part cost (read off the gateway, which now sees batch calls).
    const batchesBefore = server.batches.length;
    const stopped = await run('out-batch-stopped', [...priced, '--budget', String(induceCost + label.costUsd / 2)]);
    expect(stopped.code, stopped.err).toBe(5);
    const stoppedLabel = (JSON.parse(stopped.out) as { stages: Row[] }).stages.find((r) => r.stage === 'label')!;
    expect(stoppedLabel.status).toBe('stopped');
    expect(stoppedLabel.usage!.calls).toBeGreaterThan(20);
    expect(stoppedLabel.usage!.calls).toBeLessThan(60);
    expect(stoppedLabel.usage!.costUsd).toBeGreaterThan(0);
    expect(stoppedLabel.usage!.costUsd).toBeLessThanOrEqual(label.costUsd / 2 + 1e-12);
    expect(manifestUsage('out-batch-stopped', 'label').costUsd).toBe(stoppedLabel.usage!.costUsd);
    expect(server.batches.slice(batchesBefore).flatMap((b) => b.customIds).length).toBe(stoppedLabel.usage!.calls);
  }, 120_000);

  it('refuses --batch with an active-learning selection (usage, exit 2) before any model call', async () => {
    const calls = server.count('chat');
    const r = await run('out-active', ['--batch', '--selection', 'margin']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--batch labels a seeded sample in batch jobs; --selection margin/);
    expect(server.count('chat')).toBe(calls);
  });
});
