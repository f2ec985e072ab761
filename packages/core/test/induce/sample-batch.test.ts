import { describe, expect, it } from 'vitest';
import { allocate, countTokens, formatBatch, makeBatches, sampleCorpus, type CorpusRecord } from '../../src/index.js';
import { itemTokens } from '../../src/induce/batch.js';

const corpus = (n: number, meta?: (i: number) => Record<string, unknown>): CorpusRecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `r${i}`, text: `text number ${i}`, ...(meta ? { metadata: meta(i) } : {}) }));

async function* stream<T>(items: T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

describe('sampleCorpus', () => {
  it('draws the same sample for the same seed, from arrays and async streams alike', async () => {
    const a = await sampleCorpus(corpus(500), { sampleSize: 50, seed: 7, validationFraction: 0.2 });
    const b = await sampleCorpus(stream(corpus(500)), { sampleSize: 50, seed: 7, validationFraction: 0.2 });
    const c = await sampleCorpus(corpus(500), { sampleSize: 50, seed: 8, validationFraction: 0.2 });
    expect(a.records.map((r) => r.id)).toEqual(b.records.map((r) => r.id));
    expect(a.records.map((r) => r.id)).not.toEqual(c.records.map((r) => r.id));
    expect(a.records).toHaveLength(50);
    expect(new Set(a.records.map((r) => r.id)).size).toBe(50);
    expect(a.validation).toHaveLength(10);
    expect(a.training).toHaveLength(40);
    expect([...a.validation, ...a.training]).toEqual(a.records);
    expect(a.corpusRecords).toBe(500);
    expect(a.corpusHash).toBe(b.corpusHash);
  });

  it('samples roughly uniformly (every record about equally likely over seeds)', async () => {
    const hits = new Array(20).fill(0);
    for (let seed = 0; seed < 400; seed++) {
      const s = await sampleCorpus(corpus(20), { sampleSize: 5, seed, validationFraction: 0 });
      for (const r of s.records) hits[Number(r.id.slice(1))]++;
    }
    // Expected 100 each (400 x 5 / 20); a biased reservoir (e.g. always keeping the first items) fails this.
    for (const h of hits) expect(h).toBeGreaterThan(65), expect(h).toBeLessThan(135);
  });

  it('takes everything (shuffled) when the corpus is smaller than the sample, and skips empty texts with a count', async () => {
    const records = [...corpus(8), { id: 'blank', text: '  \n' }];
    const s = await sampleCorpus(records, { sampleSize: 100, seed: 1, validationFraction: 0.25 });
    expect(s.records.map((r) => r.id).sort()).toEqual(corpus(8).map((r) => r.id).sort());
    expect(s.emptyTexts).toBe(1);
    expect(s.corpusRecords).toBe(9);
    expect(s.validation).toHaveLength(2);
  });

  it('stratifies proportionally by a metadata field (missing values form their own stratum)', async () => {
    const records = corpus(1000, (i) => (i % 10 === 9 ? {} : { lang: i % 10 < 6 ? 'en' : 'de' }));
    const s = await sampleCorpus(records, { sampleSize: 100, seed: 3, validationFraction: 0, stratifyBy: 'lang' });
    expect(s.strata).toEqual({
      '(missing)': { corpus: 100, sampled: 10 },
      de: { corpus: 300, sampled: 30 },
      en: { corpus: 600, sampled: 60 },
    });
    const count = (lang: string | undefined) => s.records.filter((r) => r.metadata?.lang === lang).length;
    expect([count('en'), count('de'), count(undefined)]).toEqual([60, 30, 10]);
  });

  it('names the record and field of bad input, and refuses duplicate ids in the sample', async () => {
    await expect(sampleCorpus([{ id: 'a', text: 'x' }, { id: 'b', text: 3 } as never], { sampleSize: 5, seed: 0, validationFraction: 0 })).rejects.toThrow(
      'corpus record #2 (id "b"): field "text": expected a string, got number',
    );
    await expect(sampleCorpus([{ text: 'x' } as never], { sampleSize: 5, seed: 0, validationFraction: 0 })).rejects.toThrow(
      'corpus record #1: field "id": expected a non-empty string, got undefined',
    );
    await expect(
      sampleCorpus([{ id: 'a', text: 'x' }, { id: 'a', text: 'y' }], { sampleSize: 5, seed: 0, validationFraction: 0 }),
    ).rejects.toThrow('the corpus has the id "a" more than once');
  });

  it('allocates by largest remainders without exceeding group sizes', () => {
    expect(allocate([5, 3, 2], 5)).toEqual([3, 1, 1]);
    expect(allocate([1, 100], 10)).toEqual([0, 10]);
    expect(allocate([1, 1, 1], 2)).toEqual([1, 1, 0]);
    expect(allocate([2, 50], 40)).toEqual([2, 38]);
  });
});

describe('makeBatches', () => {
  const items = (n: number, text = 'short text') => Array.from({ length: n }, (_, i) => ({ id: `i${i}`, text: `${text} ${i}` }));

  it('cuts by count and leaves the last batch short (never padded)', () => {
    const batches = makeBatches(items(23), 10, 1_000_000);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flat().map((i) => i.id)).toEqual(items(23).map((i) => i.id));
  });

  it('cuts by token budget so every batch fits', () => {
    const list = items(30, 'a somewhat longer text about a card that did not arrive');
    const budget = 60;
    const batches = makeBatches(list, 100, budget);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(b.reduce((n, i) => n + itemTokens(i), 0)).toBeLessThanOrEqual(budget);
    // The budget counts what the prompt shows: the formatted lines stay within it.
    for (const b of batches) expect(countTokens(formatBatch(b))).toBeLessThanOrEqual(budget);
    expect(batches.flat()).toHaveLength(30);
  });

  it('numbers items from 1 on one line each', () => {
    expect(formatBatch([{ id: 'x', text: 'two\nlines' }, { id: 'y', text: 'b' }])).toBe('1. "two lines"\n2. "b"');
  });
});
