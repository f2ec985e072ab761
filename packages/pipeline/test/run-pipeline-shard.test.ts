/**
 * runPipeline with `shard: 'i/n'` on 4 shards, offline: each shard induces the same taxonomy and labels its share of
 * the seeded sample, then stops; the 4 shares merged (core's mergeShardOutputs, as `taxonomist merge --corpus`) are
 * the unsharded labels.jsonl byte for byte; with the merged labels in place the same call distills the unsharded
 * model.json and predicts the shard's share, and the 4 prediction shares merge to the unsharded predictions.jsonl.
 */
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeShardOutputs, shardOf } from '@taxonomist/core';
import { ARTIFACTS, PipelineError, runPipeline, type PipelineEvent, type PipelineResult } from '../src/index.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');
const SHARDS = 4;

describe('runPipeline on 4 shards', () => {
  let dir: string;
  const at = (...parts: string[]): string => join(dir, ...parts);
  const read = (...parts: string[]): string => readFileSync(at(...parts), 'utf8');
  const statuses = (r: PipelineResult): string[] => r.order.map((s) => `${s.stage}:${s.status}`);
  const options = { cwd: '', useCase: 'intent', labelSample: 120, seed: 3 };
  const runShard = async (i: number): Promise<{ result: PipelineResult; events: PipelineEvent[] }> => {
    const events: PipelineEvent[] = [];
    const result = await runPipeline('corpus.jsonl', { ...options, cwd: dir, outDir: `shard-${i}`, shard: `${i}/${SHARDS}`, onEvent: (e) => events.push(e) });
    return { result, events };
  };
  const shardFiles = (name: string): string[] => [2, 0, 3, 1].map((i) => at(`shard-${i}`, name));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipeline-shard-'));
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 240);
    // An empty text and a line without a record: every shard must account for them as the unsharded run does.
    writeFileSync(at('corpus.jsonl'), [...lines.slice(0, 40), '{"id":"empty-1","text":""}', 'not json', ...lines.slice(40)].join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('labels merge to the unsharded labels, then distill and predict shares merge to the unsharded model and predictions', async () => {
    const whole = await runPipeline('corpus.jsonl', { ...options, cwd: dir, outDir: 'whole' });
    expect(statuses(whole)).toEqual(['induce:done', 'label:done', 'distill:done', 'predict:done', 'report:done']);

    // 1. Every shard: the same taxonomy, its share of the sample, then a stop saying what to do next. Shards 0 and 1
    // induce on their own (the same taxonomy under the seed); 2 and 3 start from a copy of shard 0's out-dir, as with
    // an LLM (induce once): they skip induce and label their own share.
    let labeled = 0;
    for (let i = 0; i < SHARDS; i++) {
      if (i >= 2) cpSync(at('shard-0'), at(`shard-${i}`), { recursive: true });
      const { result, events } = await runShard(i);
      expect(statuses(result)).toEqual([i >= 2 ? 'induce:skipped' : 'induce:done', 'label:done']);
      expect(read(`shard-${i}`, ARTIFACTS.taxonomy)).toBe(read('whole', ARTIFACTS.taxonomy));
      const ids = read(`shard-${i}`, ARTIFACTS.labels).trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
      for (const id of ids) expect(shardOf(id, SHARDS)).toBe(i);
      labeled += ids.length;
      expect(JSON.parse(read(`shard-${i}`, `${ARTIFACTS.labels}.shard.json`))).toMatchObject({ kind: 'labels', shard: { index: i, count: SHARDS }, sampleSize: 120, records: ids.length });
      expect(events.some((e) => e.type === 'info' && /taxonomist merge/.test(e.message))).toBe(true);
      // A second call with only the share: nothing to do, the same stop.
      expect(statuses((await runShard(i)).result)).toEqual(['induce:skipped', 'label:skipped']);
    }
    expect(labeled).toBe(120);

    // 2. Merge the shares (any order) against the corpus: the unsharded labels byte for byte.
    const merged = await mergeShardOutputs({ inputs: shardFiles(ARTIFACTS.labels), corpus: at('corpus.jsonl'), out: at('labels.merged.jsonl') });
    expect(merged).toMatchObject({ kind: 'labels', shards: SHARDS, lines: 120, corpusOrder: true });
    expect(read('labels.merged.jsonl')).toBe(read('whole', ARTIFACTS.labels));
    // Three shards of four are refused; so is a merge whose shards cover fewer sample records than the sample holds.
    await expect(mergeShardOutputs({ inputs: shardFiles(ARTIFACTS.labels).slice(1), corpus: at('corpus.jsonl'), out: at('x.jsonl') })).rejects.toThrow(/missing shard/);
    const cut = read('shard-0', ARTIFACTS.labels).trim().split('\n');
    writeFileSync(at('cut.jsonl'), cut.slice(1).join('\n') + '\n');
    copyFileSync(at('shard-0', `${ARTIFACTS.labels}.shard.json`), at('cut.jsonl.shard.json'));
    await expect(mergeShardOutputs({ inputs: [at('cut.jsonl'), ...shardFiles(ARTIFACTS.labels).filter((f) => !f.includes('shard-0'))], corpus: at('corpus.jsonl'), out: at('x.jsonl') })).rejects.toThrow(
      /hold 119 lines but their sample has 120 records/,
    );

    // 3. The merged labels into every shard; the same call distills (the unsharded model) and predicts the share.
    let predicted = 0;
    for (let i = 0; i < SHARDS; i++) {
      copyFileSync(at('labels.merged.jsonl'), at(`shard-${i}`, ARTIFACTS.labels));
      const { result, events } = await runShard(i);
      expect(statuses(result)).toEqual(['induce:skipped', 'label:skipped', 'distill:done', 'predict:done']);
      // The merge is the expected change of labels.jsonl: said as information, not warned about as a hand edit.
      expect(events.some((e) => e.type === 'info' && /holds the merged labels of all 4 shards/.test(e.message))).toBe(true);
      expect(events.filter((e) => e.type === 'warning' && /changed since the run wrote/.test(e.message))).toEqual([]);
      expect(read(`shard-${i}`, ARTIFACTS.model)).toBe(read('whole', ARTIFACTS.model));
      expect(existsSync(at(`shard-${i}`, `${ARTIFACTS.labels}.shard.json`))).toBe(false); // it described the share
      expect(JSON.parse(read(`shard-${i}`, `${ARTIFACTS.predictions}.shard.json`))).toMatchObject({ kind: 'predictions', shard: { index: i, count: SHARDS } });
      predicted += result.stages.predict!.records!;
    }
    expect(predicted).toBe(241); // 240 records and the empty text; the bad line is no record
    const preds = await mergeShardOutputs({ inputs: shardFiles(ARTIFACTS.predictions), corpus: at('corpus.jsonl'), out: at('predictions.merged.jsonl') });
    expect(preds).toMatchObject({ kind: 'predictions', lines: 241, failed: 1 });
    expect(read('predictions.merged.jsonl')).toBe(read('whole', ARTIFACTS.predictions));
    // A re-run of a finished shard does nothing.
    expect(statuses((await runShard(1)).result)).toEqual(['induce:skipped', 'label:skipped', 'distill:skipped', 'predict:skipped']);
  }, 300_000);

  it('refuses labels.jsonl that is neither the share nor the whole sample, a bad shard and settings that need every record', async () => {
    writeFileSync(at('shard-2', ARTIFACTS.labels), read('shard-2', ARTIFACTS.labels).trim().split('\n').slice(1).join('\n') + '\n');
    await expect(runShard(2)).rejects.toMatchObject({ kind: 'input', message: expect.stringMatching(/labels\.jsonl holds 119 label lines: neither shard 2\/4's share/) });
    for (const [extra, message] of [
      [{ shard: '4/4' }, /--shard: the shard index is 0-based/],
      [{ shard: 'x' }, /--shard: expected i\/n/],
      [{ shard: '0/2', goldField: 'label' }, /--shard and --gold-field do not go together/],
    ] as const) {
      const err = await runPipeline('corpus.jsonl', { ...options, cwd: dir, outDir: 'bad', ...extra }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PipelineError);
      expect(err).toMatchObject({ kind: 'usage', message: expect.stringMatching(message) });
    }
  }, 120_000);
});
