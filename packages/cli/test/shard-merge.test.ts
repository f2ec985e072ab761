/**
 * `--shard i/n` on label and predict, and `taxonomist merge`: 4 shard runs merged with --corpus give the bytes of the
 * unsharded run; bad shard values and bad merges are refused with the CLI's exit codes. In-process from sources,
 * labeling against the testing kit's local OpenAI-compatible server.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf, taxonomyToJson } from '@taxonomist/core';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { memoryIO, bankingTaxonomy } from './helpers.js';
import { scriptedLlm } from './scripted-llm.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');
const good = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 100);
// Records with an empty text, a bad JSON line and a repeated id in between: the shards must account for them as one run.
const CORPUS = [...good.slice(0, 30), '{"id":"empty-1","text":""}', 'not json', ...good.slice(30, 60), good[5]!, ...good.slice(60)];

describe('sharded label and predict, merged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taxonomist-shard-'));
  let server: OpenAIServer;
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const io = memoryIO({ cwd: dir, env });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };
  const file = (name: string) => readFileSync(join(dir, name), 'utf8');

  beforeAll(async () => {
    writeFileSync(join(dir, 'corpus.jsonl'), CORPUS.join('\n') + '\n');
    writeFileSync(join(dir, 'train.jsonl'), good.join('\n') + '\n');
    server = await startOpenAIServer({ script: scriptedLlm });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('predict on 4 shards merges to the bytes of the unsharded predict', async () => {
    expect((await run(['distill', 'train.jsonl', '--out', 'model.json', '-q'])).code).toBe(0);
    expect((await run(['predict', 'model.json', 'corpus.jsonl', '--out', 'pred.jsonl', '-q'])).code).toBe(6);
    let records = 0;
    for (let i = 0; i < 4; i++) {
      const r = await run(['predict', 'model.json', 'corpus.jsonl', '--out', `pred.${i}.jsonl`, '--shard', `${i}/4`, '--json']);
      expect([0, 6]).toContain(r.code);
      records += (JSON.parse(r.out) as { records: number }).records;
      for (const l of file(`pred.${i}.jsonl`).trim().split('\n')) expect(shardOf((JSON.parse(l) as { id: string }).id, 4)).toBe(i);
      expect(JSON.parse(file(`pred.${i}.jsonl.shard.json`))).toMatchObject({ kind: 'predictions', shard: { index: i, count: 4 }, model: expect.stringMatching(/^distill:/) });
    }
    expect(records).toBe(101); // 100 records + 1 empty text; the bad line and the repeated id are no record
    const shards = [3, 1, 0, 2].map((i) => `pred.${i}.jsonl`);
    const m = await run(['merge', ...shards, '--corpus', 'corpus.jsonl', '--out', 'pred.merged.jsonl', '--json']);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.out)).toMatchObject({ kind: 'predictions', shards: 4, lines: 101, failed: 1, corpusOrder: true });
    expect(file('pred.merged.jsonl')).toBe(file('pred.jsonl'));

    // A missing shard, a shard of another count, a line of another shard: bad input (3), naming the file.
    const missing = await run(['merge', ...shards.slice(1), '--out', 'x.jsonl']);
    expect(missing.code).toBe(3);
    expect(missing.err).toMatch(/missing shard 3\/4/);
    expect((await run(['predict', 'model.json', 'corpus.jsonl', '--out', 'pred.other.jsonl', '--shard', '1/3', '-q'])).code).not.toBe(2);
    const mixed = await run(['merge', 'pred.0.jsonl', 'pred.other.jsonl', '--out', 'x.jsonl']);
    expect(mixed.code).toBe(3);
    expect(mixed.err).toMatch(/pred\.other\.jsonl: is shard 1\/3, but .*pred\.0\.jsonl is shard 0\/4: different shard counts/);
  }, 120_000);

  it('label through an LLM on 4 shards merges to the bytes of the unsharded label', async () => {
    const taxonomy = bankingTaxonomy();
    writeFileSync(join(dir, 'taxonomy.json'), taxonomyToJson(taxonomy));
    const env = { OPENAI_API_KEY: 'k' };
    const llm = ['--taxonomy', 'taxonomy.json', '--model', 'openai:test-model', '--base-url', server.url, '--pack', '3'];
    expect((await run(['label', 'corpus.jsonl', ...llm, '--out', 'labels.jsonl', '-q'], env)).code).toBe(6);
    let warnedBadLine = 0;
    for (let i = 0; i < 4; i++) {
      const r = await run(['label', 'corpus.jsonl', ...llm, '--out', `labels.${i}.jsonl`, '--shard', `${i}/4`, '--concurrency', String(i + 1)], env);
      expect([0, 6]).toContain(r.code);
      if (/corpus\.jsonl:32: invalid JSON/.test(r.err)) warnedBadLine++;
    }
    expect(warnedBadLine).toBe(1); // a line without a record is reported by one shard only (shard 0)
    const m = await run(['merge', 'labels.2.jsonl', 'labels.0.jsonl', 'labels.3.jsonl', 'labels.1.jsonl', '--corpus', 'corpus.jsonl', '--out', 'labels.merged.jsonl', '--json']);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.out)).toMatchObject({ kind: 'labels', lines: 101, failed: 1, model: 'openai:test-model' });
    expect(file('labels.merged.jsonl')).toBe(file('labels.jsonl'));
    // Labels and predictions do not mix.
    const mixed = await run(['merge', 'labels.0.jsonl', 'pred.1.jsonl', 'labels.2.jsonl', 'labels.3.jsonl', '--out', 'x.jsonl']);
    expect(mixed.code).toBe(3);
    expect(mixed.err).toMatch(/pred\.1\.jsonl: holds predictions, but .*labels\.0\.jsonl holds labels/);
  }, 120_000);

  it('refuses a bad --shard value and --shard with --label-sample (usage, exit 2)', async () => {
    for (const value of ['4/4', '1', 'a/b', '0/0']) {
      const r = await run(['predict', 'model.json', 'corpus.jsonl', '--out', 'p.jsonl', '--shard', value]);
      expect([value, r.code]).toEqual([value, 2]);
      expect(r.err).toMatch(/--shard: /);
    }
    const r = await run(['label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--model', 'openai:test-model', '--base-url', server.url, '--shard', '0/2', '--label-sample', '10'], { OPENAI_API_KEY: 'k' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--shard and --label-sample/);
  });
});
