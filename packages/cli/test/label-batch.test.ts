/**
 * `taxonomist label --batch`: labels through the OpenAI plugin's batch client against the local server's files and
 * batches endpoints; one line per record in corpus order, the batch ids in <out>.batch.json, a re-run submits nothing.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelAssignmentSchema, taxonomyToJson } from '@taxonomist/core';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { memoryIO, bankingTaxonomy } from './helpers.js';
import { scriptedLlm, topicOf } from './scripted-llm.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');
const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 10);
const records = lines.map((l) => JSON.parse(l) as { id: string; text: string });

describe('taxonomist label --batch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taxonomist-batch-'));
  let server: OpenAIServer;
  const run = async (args: string[]) => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'sk-cli-batch-key-123456' } });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };

  beforeAll(async () => {
    writeFileSync(join(dir, 'corpus.jsonl'), lines.join('\n') + '\n');
    const taxonomy = bankingTaxonomy();
    writeFileSync(join(dir, 'taxonomy.json'), taxonomyToJson(taxonomy));
    server = await startOpenAIServer({ script: scriptedLlm, batchPollsPerStep: 0 });
  });
  afterAll(() => server.close());

  const args = () => ['label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--model', 'openai:test-model', '--base-url', server.url, '--batch', '--poll-interval', '0.01', '--pack', '4', '--json'];

  it('labels every record through one batch; a re-run submits nothing', async () => {
    const r = await run(args());
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ records: 10, ok: 10, failed: 0, notAttempted: 0 });
    expect(r.err).toMatch(/submitted batch batch_1: 10 record\(s\) in 3 request\(s\)/);
    const out = readFileSync(join(dir, 'labels.jsonl'), 'utf8').trim().split('\n').map((l) => LabelAssignmentSchema.parse(JSON.parse(l)));
    expect(out.map((a) => a.id)).toEqual(records.map((x) => x.id));
    for (const a of out) expect(a.label).toBe(topicOf(records.find((x) => x.id === a.id)!.text));
    expect(existsSync(join(dir, 'labels.jsonl.batch.json'))).toBe(true);
    expect(server.count('chat')).toBe(0);
    expect(server.batches).toHaveLength(1);

    const again = await run(args());
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ records: 10, ok: 10, alreadyOk: 10 });
    expect(server.batches).toHaveLength(1);
  });

  it('--batch without a model is a usage error', async () => {
    const r = await run(['label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--batch']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--batch .* needs a model/);
    const p = await run(['label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--poll-interval', '5']);
    expect(p.code).toBe(2);
    expect(p.err).toMatch(/--poll-interval only applies with --batch/);
  });
});
