import { describe, it, expect } from 'vitest';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createScriptedChatModel } from '@taxonomist/testing';
import { mergeShardOutputs, readJsonFile, shardManifestPath, shardOf, ShardManifestSchema } from '@taxonomist/core';
import { labelToFile } from '../src/index.js';
import { TAXONOMY, answerBy, corpus, gateway, keywordLabel, readLines, tempDir } from './helpers.js';

const keyword = () => createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t)!) });

describe('sharded labeling', () => {
  it('4 shards of a corpus file merge (in corpus order) to the bytes of the unsharded run', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const records = corpus(40);
      const lines = records.map((r, i) => JSON.stringify(i === 7 ? { id: r.id, text: '' } : r));
      lines.splice(12, 0, '{broken', JSON.stringify({ id: 'r3', text: 'a duplicate id' }));
      const file = `${dir}/corpus.jsonl`;
      await writeFile(file, lines.join('\n') + '\n');
      const whole = `${dir}/whole.jsonl`;
      await labelToFile(file, TAXONOMY, { gateway: gateway(), model: keyword(), out: whole, pack: 3, concurrency: 4 });
      const outs: string[] = [];
      let seen = 0;
      for (let index = 3; index >= 0; index--) {
        const out = `${dir}/labels.${index}.jsonl`;
        const summary = await labelToFile(file, TAXONOMY, { gateway: gateway(), model: keyword(), out, pack: 3, concurrency: 4, shard: { index, count: 4 } });
        seen += summary.input.records;
        expect(summary.input.records + summary.input.otherShards!).toBe(40);
        for (const a of await readLines(out)) expect(shardOf(a.id, 4)).toBe(index);
        const manifest = await readJsonFile(shardManifestPath(out), ShardManifestSchema);
        expect(manifest).toMatchObject({ kind: 'labels', shard: { index, count: 4 }, taxonomyId: summary.taxonomyId, records: summary.input.records });
        outs.push(out);
      }
      expect(seen).toBe(40);
      const merged = `${dir}/merged.jsonl`;
      const result = await mergeShardOutputs({ inputs: outs, out: merged, corpus: file });
      expect(result).toMatchObject({ lines: 40, failed: 1, shards: 4, corpusOrder: true });
      expect(await readFile(merged, 'utf8')).toBe(await readFile(whole, 'utf8'));
      // Without the corpus: the same lines, in shard order.
      await mergeShardOutputs({ inputs: outs, out: `${dir}/by-shard.jsonl` });
      expect((await readFile(`${dir}/by-shard.jsonl`, 'utf8')).split('\n').sort()).toEqual((await readFile(whole, 'utf8')).split('\n').sort());

      // A shard missing, given twice, cut short, from another model, or from an unfinished run: refused, naming the file.
      await expect(mergeShardOutputs({ inputs: outs.slice(1), out: merged })).rejects.toThrow(/missing shard 3\/4 \(got 3 of 4/);
      await expect(mergeShardOutputs({ inputs: [...outs, outs[0]!], out: merged })).rejects.toThrow(/labels\.3\.jsonl: shard 3\/4 is given twice/);
      const m = await readJsonFile(shardManifestPath(outs[1]!), ShardManifestSchema);
      await writeFile(shardManifestPath(outs[1]!), JSON.stringify({ ...m, model: 'other-model' }));
      await expect(mergeShardOutputs({ inputs: outs, out: merged })).rejects.toThrow(/labels\.2\.jsonl: used model other-model, but .*labels\.3\.jsonl used/);
      await writeFile(shardManifestPath(outs[1]!), JSON.stringify(m));
      const shard2 = await readFile(outs[1]!, 'utf8');
      const shard2Lines = shard2.split('\n').filter((l) => l !== '');
      await writeFile(outs[1]!, shard2Lines.slice(1).join('\n') + '\n');
      await expect(mergeShardOutputs({ inputs: outs, out: merged, corpus: file })).rejects.toThrow(/labels\.2\.jsonl:1: id ".*" where the next record of this shard in .* is/);
      await writeFile(outs[1]!, [...shard2Lines, shard2Lines[0]].join('\n') + '\n');
      await expect(mergeShardOutputs({ inputs: outs, out: merged })).rejects.toThrow(new RegExp(`labels\\.2\\.jsonl:${shard2Lines.length + 1}: id ".*" appears twice \\(first on line 1\\)`));
      await expect(mergeShardOutputs({ inputs: outs, out: merged, corpus: file })).rejects.toThrow(/labels\.2\.jsonl:\d+: id ".*" is not a record of/);
      await writeFile(outs[1]!, shard2);
      await rm(shardManifestPath(outs[0]!));
      await expect(mergeShardOutputs({ inputs: outs, out: merged })).rejects.toThrow(/labels\.3\.jsonl: no shard manifest/);
      // The merged file was left as it was by every refused merge.
      expect(await readFile(merged, 'utf8')).toBe(await readFile(whole, 'utf8'));
    } finally {
      await cleanup();
    }
  });

  it('shards an in-memory corpus the same way and rejects a bad shard', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const records = corpus(20);
      const summary = await labelToFile(records, TAXONOMY, { gateway: gateway(), model: keyword(), out: `${dir}/a.jsonl`, shard: { index: 1, count: 3 } });
      const ids = (await readLines(`${dir}/a.jsonl`)).map((a) => a.id);
      expect(ids).toEqual(records.map((r) => r.id).filter((id) => shardOf(id, 3) === 1));
      expect(summary.input.otherShards).toBe(20 - ids.length);
      await expect(labelToFile(records, TAXONOMY, { gateway: gateway(), model: keyword(), out: `${dir}/b.jsonl`, shard: { index: 3, count: 3 } })).rejects.toThrow(
        /shard must be .*0 <= index < count/,
      );
    } finally {
      await cleanup();
    }
  });
});
