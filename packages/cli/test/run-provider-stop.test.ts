/**
 * `taxonomist run` when the provider dies during labeling (the key is revoked after induction): the run stops with
 * exit 4 instead of distilling a partial sample, writes no failed line per record, and a re-run with a working
 * provider resumes the labeling and finishes (in-process from sources, through the local OpenAI-compatible server).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelAssignmentSchema } from '@taxonomist/core';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { EXIT } from '../src/exit-codes.js';
import { scriptedLlm } from './scripted-llm.js';
import { memoryIO } from './helpers.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

describe('run: the provider stops during labeling', () => {
  let server: OpenAIServer;
  let dir: string;
  beforeAll(async () => {
    server = await startOpenAIServer({ script: scriptedLlm });
    dir = mkdtempSync(join(tmpdir(), 'taxonomist-provider-stop-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 300).join('\n') + '\n');
  });
  afterAll(() => server.close());

  const run = async () => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'sk-local-test-key' } });
    const code = await main(['run', 'corpus.jsonl', '--use-case', 'intent', '--model', 'openai:test-model', '--base-url', server.url, '--label-sample', '60', '--no-cache'], io);
    return { code, err: io.err() };
  };

  it('a 401 while labeling: exit 4, no distill, nothing written per record; a re-run resumes and finishes', async () => {
    // Labeling calls (and only those) are refused as if the key had been revoked.
    server.setFaults([{ fault: { kind: 'auth' }, when: (r) => JSON.stringify(r.body).includes('"label_answer') }]);
    const first = await run();
    expect(first.code, first.err).toBe(EXIT.PROVIDER);
    expect(first.err).toMatch(/stopped at the first auth error/);
    const labeling = server.requests.filter((r) => JSON.stringify(r.body).includes('"label_answer'));
    expect(labeling.length).toBeLessThanOrEqual(8); // the calls in flight (concurrency 8), not one per record
    let lines: string[] = [];
    try {
      lines = readFileSync(join(dir, 'out', 'labels.jsonl'), 'utf8').split('\n').filter(Boolean);
    } catch {
      /* not even created: fine */
    }
    expect(lines).toHaveLength(0);
    expect(() => readFileSync(join(dir, 'out', 'model.json'))).toThrow();

    server.setFaults([]);
    const second = await run();
    expect(second.code, second.err).toBe(EXIT.OK);
    const labels = readFileSync(join(dir, 'out', 'labels.jsonl'), 'utf8').trim().split('\n').map((l) => LabelAssignmentSchema.parse(JSON.parse(l)));
    expect(labels).toHaveLength(60);
    expect(labels.every((a) => a.status === 'ok')).toBe(true);
  }, 120_000);
});
