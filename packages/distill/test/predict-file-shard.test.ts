/** predictFile({ shard }): only the shard's records, a shard manifest at the end, and shards that merge to the whole. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShardManifestSchema, mergeShardOutputs, shardManifestPath, shardOf } from '@taxonomist/core';
import { predictFile, train } from '../src/index.js';
import { syntheticExamples } from './helpers.js';

describe('predictFile with a shard', async () => {
  const { model } = await train(syntheticExamples(120, 3), { seed: 1, taxonomyId: 'tax-1' });

  it('writes only its shard and a manifest; 3 shards merge to the bytes of the unsharded file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distill-shard-'));
    const corpus = join(dir, 'corpus.jsonl');
    writeFileSync(corpus, syntheticExamples(60, 3).map((e, i) => JSON.stringify({ id: `d${i}`, text: i === 9 ? '' : e.text })).join('\n') + '\n');
    await predictFile(model, corpus, join(dir, 'whole.jsonl'));
    expect(existsSync(shardManifestPath(join(dir, 'whole.jsonl')))).toBe(false);
    const outs: string[] = [];
    for (let index = 0; index < 3; index++) {
      const out = join(dir, `part.${index}.jsonl`);
      const r = await predictFile(model, corpus, out, { shard: { index, count: 3 } });
      const ids = readFileSync(out, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
      expect(ids.every((id) => shardOf(id, 3) === index)).toBe(true);
      const manifest = ShardManifestSchema.parse(JSON.parse(readFileSync(shardManifestPath(out), 'utf8')));
      expect(manifest).toEqual({ schemaVersion: 1, kind: 'predictions', shard: { index, count: 3 }, taxonomyId: 'tax-1', model: expect.stringMatching(/^distill:/), records: r.written });
      outs.push(out);
    }
    await mergeShardOutputs({ inputs: outs, out: join(dir, 'merged.jsonl'), corpus });
    expect(readFileSync(join(dir, 'merged.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'whole.jsonl'), 'utf8'));
  });
});
