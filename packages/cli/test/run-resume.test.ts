/**
 * `taxonomist run` stops cleanly at the budget with a resumable state, and the re-run finishes the job without
 * repeating finished work (in-process from sources, through the local OpenAI-compatible server).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelAssignmentSchema, RunManifestSchema } from '@taxonomist/core';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { scriptedLlm } from './scripted-llm.js';
import { memoryIO } from './helpers.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

describe('run: budget stop and resume', () => {
  let server: OpenAIServer;
  let dir: string;
  beforeAll(async () => {
    server = await startOpenAIServer({ script: scriptedLlm });
    dir = mkdtempSync(join(tmpdir(), 'taxonomist-resume-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 300).join('\n') + '\n');
    // $1 per million tokens in and out: labeling one text costs about $0.0005.
    writeFileSync(join(dir, 'taxonomist.config.json'), JSON.stringify({ prices: { 'test-model': { input: 1, output: 1 } }, defaults: { model: 'openai:test-model' } }));
  });
  afterAll(() => server.close());

  const run = async (budget: string) => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'k' } });
    const code = await main(['run', 'corpus.jsonl', '--use-case', 'intent', '--base-url', server.url, '--label-sample', '200', '--budget', budget, '--json'], io);
    return { code, out: io.out(), err: io.err() };
  };
  const manifest = () => RunManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8')));
  const labelLines = () => readFileSync(join(dir, 'out', 'labels.jsonl'), 'utf8').trim().split('\n').map((l) => LabelAssignmentSchema.parse(JSON.parse(l)));

  it('stops at the budget (exit 5) keeping what was labeled, then resumes without redoing anything', async () => {
    const first = await run('0.05');
    expect(first.err).toContain('budget reached');
    expect(first.code).toBe(5);
    const m1 = manifest();
    expect(m1.stages.map((s) => s.status)).toEqual(['done', 'stopped', 'pending', 'pending', 'pending']);
    const partial = labelLines();
    expect(partial.length).toBeGreaterThan(10);
    expect(partial.length).toBeLessThan(200);
    expect(partial.every((a) => a.status === 'ok')).toBe(true); // records not attempted are not written as failed

    const generateCalls = () => server.requests.filter((r) => JSON.stringify(r.body).includes('taxonomy_draft')).length;
    const generatedBefore = generateCalls();
    const labelCallsBefore = server.count('chat');
    const second = await run('5');
    expect(second.code).toBe(0);
    const summary = JSON.parse(second.out) as { stages: { stage: string; status: string }[] };
    expect(summary.stages.map((s) => `${s.stage}:${s.status}`)).toEqual(['induce:skipped', 'label:done', 'distill:done', 'predict:done', 'report:done']);
    expect(generateCalls()).toBe(generatedBefore); // the taxonomy was not induced again
    const done = labelLines();
    expect(done).toHaveLength(200);
    expect(new Set(done.map((a) => a.id)).size).toBe(200);
    // only the records left over were sent
    expect(server.count('chat') - labelCallsBefore).toBe(200 - partial.length);
    expect(manifest().stages.every((s) => s.status === 'done')).toBe(true);
  }, 180_000);
});
