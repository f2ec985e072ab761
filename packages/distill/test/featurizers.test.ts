import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Embeddings } from '@langchain/core/embeddings';
import { afterEach, describe, expect, it } from 'vitest';
import { csrRowSquaredNorms, csrToDense, hashString32 } from '@taxonomist/core';
import { CombinedFeaturizer, EmbeddingsFeaturizer, defaultRegistry, train } from '../src/index.js';
import { syntheticExamples } from './helpers.js';

/** Deterministic fake embeddings: a vector from the text's hash; counts calls and texts sent. */
class FakeEmbeddings extends Embeddings {
  calls = 0;
  texts: string[] = [];
  constructor(private readonly dim = 8) {
    super({});
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    this.calls++;
    this.texts.push(...texts);
    return texts.map((t) => {
      let h = hashString32(t);
      return Array.from({ length: this.dim }, () => {
        h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
        return (h / 2 ** 32) * 2 - 1;
      });
    });
  }
  async embedQuery(text: string): Promise<number[]> {
    return (await this.embedDocuments([text]))[0]!;
  }
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('embeddings featurizer', () => {
  it('embeds in batches, sends duplicates once, normalises rows and caches vectors on disk by text hash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-emb-'));
    dirs.push(dir);
    const fake = new FakeEmbeddings();
    const config = { type: 'embeddings' as const, model: 'fake-8', batchSize: 2, cacheDir: dir, normalize: true };
    const f = new EmbeddingsFeaturizer(config, fake);
    await f.fit(['a']);
    const X = await f.transform(['a', 'b', 'c', 'b', 'd']);
    expect(f.dimension).toBe(8);
    expect(X.rows).toBe(5);
    Array.from(csrRowSquaredNorms(X)).forEach((s) => expect(s).toBeCloseTo(1, 5));
    // 'a' was cached by fit; b, c, d are new -> 2 batches of at most 2
    expect(fake.texts.filter((t) => t === 'b')).toHaveLength(1);
    expect(fake.calls).toBe(1 + 2);
    const cacheText = await readFile(f['cache']!.file, 'utf8');
    expect(cacheText).not.toContain('"b"'); // texts are never stored, only their hashes
    const again = new EmbeddingsFeaturizer(config, fake, 8);
    const before = fake.calls;
    const X2 = await again.transform(['d', 'c', 'b', 'a']);
    expect(fake.calls).toBe(before);
    expect(Array.from(csrToDense(X2)).slice(0, 8)).toEqual(Array.from(csrToDense(X)).slice(32, 40));
  });

  it('explains which embedding model is missing', () => {
    expect(() => defaultRegistry.createFeaturizer({ type: 'embeddings', model: 'm1' } as { type: string })).toThrow(/embedding model "m1"/);
    expect(() => defaultRegistry.createFeaturizer({ type: 'embeddings', model: 'm1' } as { type: string }, { other: new FakeEmbeddings() })).toThrow(
      /not among the given embeddings \(other\)/,
    );
  });
});

describe('combined featurizer', () => {
  it('stacks sparse and dense blocks with weights and trains end to end', async () => {
    const fake = new FakeEmbeddings(4);
    const f = defaultRegistry.createFeaturizer(
      {
        type: 'combined',
        parts: [
          { featurizer: { type: 'sparse' }, weight: 1 },
          { featurizer: { type: 'embeddings', model: 'fake' }, weight: 0.5 },
        ],
      } as { type: string },
      fake,
    ) as CombinedFeaturizer;
    const texts = ['lost my card', 'top up money', 'refund please'];
    await f.fit(texts);
    const X = await f.transform(texts);
    expect(X.cols).toBe(f.dimension);
    expect(f.featurizeRow).toBeUndefined(); // embeddings have no synchronous path
    // sparse block has norm 2 (two blocks of 1), embeddings block 0.5^2
    Array.from(csrRowSquaredNorms(X)).forEach((s) => expect(s).toBeCloseTo(2 + 0.25, 5));
    const { model } = await train(syntheticExamples(60, 1), {
      featurizer: { type: 'combined', parts: [{ featurizer: { type: 'sparse' } }, { featurizer: { type: 'embeddings', model: 'fake' }, weight: 0.5 }] },
      embeddings: fake,
    });
    const [p] = await model.predict(['i lost my card wallet']);
    expect(p!.label).toBe('card_lost');
  });
});
