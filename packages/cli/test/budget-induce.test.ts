/**
 * One --budget caps every paid call: `induce --budget` stops induction before the call that would go over (exit 5,
 * resumable from the checkpoint), and `run --budget` covers induction and labeling together, with a stopped stage's
 * calls, tokens and spend in the summary and in manifest.json (through the local OpenAI-compatible server).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunManifestSchema } from '@taxonomist/core';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { scriptedLlm } from './scripted-llm.js';
import { memoryIO } from './helpers.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

describe('--budget caps induction too', () => {
  let server: OpenAIServer;
  let dir: string;
  beforeAll(async () => {
    server = await startOpenAIServer({ script: scriptedLlm });
    dir = mkdtempSync(join(tmpdir(), 'taxonomist-budget-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 120).join('\n') + '\n');
    // $1 per million tokens in and out.
    writeFileSync(join(dir, 'taxonomist.config.json'), JSON.stringify({ prices: { 'test-model': { input: 1, output: 1 } }, defaults: { model: 'openai:test-model' } }));
  });
  afterAll(() => server.close());

  const cli = async (args: string[]) => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'k' } });
    const code = await main([...args, '--base-url', server.url, '--json'], io);
    return { code, out: io.out(), err: io.err() };
  };
  const drafts = () => server.requests.filter((r) => JSON.stringify(r.body).includes('taxonomy_draft')).length;

  it('induce --budget: stops before going over (exit 5, says it can resume), then resumes from the checkpoint', async () => {
    const before = server.count('chat');
    const first = await cli(['induce', 'corpus.jsonl', '--use-case', 'intent', '--sample-size', '60', '--out', 'tax.json', '--batch-size', '10', '--max-labels', '8', '--budget', '0.005']);
    expect(first.code).toBe(5);
    expect(first.err).toMatch(/budget of \$0\.005 reached/);
    expect(first.err).toContain('checkpoint');
    expect(first.err).toMatch(/higher --budget/);
    const made = server.count('chat') - before;
    expect(made).toBeGreaterThan(0);
    const draftsBefore = drafts();
    expect(draftsBefore).toBeGreaterThan(0); // the first taxonomy was generated within the budget

    const second = await cli(['induce', 'corpus.jsonl', '--use-case', 'intent', '--sample-size', '60', '--out', 'tax.json', '--batch-size', '10', '--max-labels', '8', '--budget', '1']);
    expect(second.code).toBe(0);
    // The resumed run replayed the completed steps from the checkpoint instead of asking again.
    expect(drafts()).toBe(draftsBefore);
    expect(readFileSync(join(dir, 'tax.json'), 'utf8')).toContain('"labels"');
  }, 120_000);

  it('run --budget: a budget used up during induction stops it (exit 5) with its spend in the summary and the manifest', async () => {
    const res = await cli(['run', 'corpus.jsonl', '--use-case', 'intent', '--sample-size', '60', '--label-sample', '50', '--out-dir', 'out-run', '--no-cache', '--batch-size', '10', '--max-labels', '8', '--budget', '0.005']);
    expect(res.code).toBe(5);
    expect(res.err).toMatch(/budget of \$0\.005 reached/);
    const summary = JSON.parse(res.out) as { stages: { stage: string; status: string; usage?: { calls: number; inputTokens: number; costUsd: number } }[] };
    const induce = summary.stages.find((s) => s.stage === 'induce')!;
    expect(induce.status).toBe('stopped');
    expect(induce.usage!.calls).toBeGreaterThan(0);
    expect(induce.usage!.inputTokens).toBeGreaterThan(0);
    expect(induce.usage!.costUsd).toBeGreaterThan(0);
    expect(induce.usage!.costUsd).toBeLessThanOrEqual(0.005);
    const m = RunManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'out-run', 'manifest.json'), 'utf8')));
    expect(m.stages[0]).toMatchObject({ name: 'induce', status: 'stopped' });
    expect(m.stages[0]!.usage!.costUsd).toBeCloseTo(induce.usage!.costUsd, 9);
    expect(m.stages[0]!.usage!.calls).toBe(induce.usage!.calls);
  }, 120_000);
});
