/**
 * runPipeline with an LLM: the testing kit's local OpenAI-compatible server answers through the real
 * @langchain/openai client (scripted, deterministic answers), so induction, active labeling, distillation,
 * prediction and the report run as they would against a provider, with usage per stage and a typed budget stop.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunManifestSchema } from '@taxonomist/core';
import { openaiPlugin } from '@taxonomist/openai';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { scriptedLlm } from '../../cli/test/scripted-llm.js';
import { ARTIFACTS, PipelineRunError, createModelSetup, runPipeline, type PipelineEvent } from '../src/index.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

describe('runPipeline with an LLM (local OpenAI-compatible server)', () => {
  let server: OpenAIServer;
  let dir: string;
  const models = (gateway: Parameters<typeof createModelSetup>[0]['gateway'] = {}) =>
    createModelSetup({ model: 'openai:test-model', plugins: [openaiPlugin({ baseURL: server.url, env: { OPENAI_API_KEY: 'test-key' } })], gateway });
  const settings = { useCase: 'the customer intent', labelSample: 60, induceSample: 40, batchSize: 20, seed: 3 };

  beforeAll(async () => {
    server = await startOpenAIServer({ script: scriptedLlm });
    dir = mkdtempSync(join(tmpdir(), 'pipeline-llm-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 120).join('\n') + '\n');
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('induces, labels by active learning, distills, predicts and reports; a second call skips and sends nothing', async () => {
    const events: PipelineEvent[] = [];
    const result = await runPipeline('corpus.jsonl', { ...settings, outDir: 'out', cwd: dir, models: await models(), onEvent: (e) => events.push(e) });
    expect(result.order.map((s) => `${s.stage}:${s.status}`)).toEqual(['induce:done', 'label:done', 'distill:done', 'predict:done', 'report:done']);
    expect(result.outcome).toBe('ok');
    expect(result.stages.induce!.usage!.calls).toBeGreaterThan(0);
    expect(result.stages.label!.usage!.calls).toBeGreaterThan(0);
    expect(result.stages.label!.note).toMatch(/labels bought by active learning \(diverse-balanced, /);
    expect(result.stages.label!.artifacts).toEqual([ARTIFACTS.labels, ARTIFACTS.activeRounds, ARTIFACTS.activeLearning]);
    const taxonomy = JSON.parse(readFileSync(join(dir, 'out', ARTIFACTS.taxonomy), 'utf8')) as { labels: { name: string }[] };
    expect(taxonomy.labels.map((l) => l.name)).toContain('Top-up problems'); // the scripted model's rename happened
    const manifest = RunManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'out', ARTIFACTS.manifest), 'utf8')));
    expect(manifest.models).toMatchObject({ induce: 'openai:test-model', label: 'openai:test-model' });
    expect(JSON.stringify(manifest)).not.toContain('test-key');
    expect(events.some((e) => e.type === 'info' && e.message.startsWith('active learning: round 1'))).toBe(true);

    const requests = server.count('chat');
    const again = await runPipeline('corpus.jsonl', { ...settings, outDir: 'out', cwd: dir, models: await models() });
    expect(again.order.map((s) => `${s.stage}:${s.status}`)).toEqual(['induce:skipped', 'label:skipped', 'distill:skipped', 'predict:skipped', 'report:done']);
    expect(server.count('chat')).toBe(requests);
  }, 180_000);

  it('a budget that runs out mid-labeling is a typed budget stop, resumable with a higher budget', async () => {
    const options = { ...settings, selection: 'random', outDir: 'out-budget', cwd: dir };
    const prices = { 'test-model': { input: 1, output: 1 } };
    // What induction and labeling cost (the scripted answers are deterministic), then a budget that ends mid-labeling.
    const full = await runPipeline('corpus.jsonl', { ...options, outDir: 'out-priced', models: await models({ prices }) });
    const budget = full.stages.induce!.usage!.costUsd + full.stages.label!.usage!.costUsd / 2;
    const err = await runPipeline('corpus.jsonl', { ...options, budget, models: await models({ budget, prices }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineRunError);
    const stop = err as PipelineRunError;
    expect(stop.kind).toBe('budget');
    expect(stop.result.order.map((s) => `${s.stage}:${s.status}`)).toEqual(['induce:done', 'label:stopped']);
    const labeled = readFileSync(join(dir, 'out-budget', ARTIFACTS.labels), 'utf8').trim().split('\n').length;
    expect(labeled).toBeLessThan(60);
    const calls = server.count('chat');
    const resumed = await runPipeline('corpus.jsonl', { ...options, budget: 5, models: await models({ budget: 5, prices }) });
    expect(resumed.order.map((s) => `${s.stage}:${s.status}`)).toEqual(['induce:skipped', 'label:done', 'distill:done', 'predict:done', 'report:done']);
    expect(server.count('chat') - calls).toBe(60 - labeled); // only the records left over were sent
  }, 180_000);
});
