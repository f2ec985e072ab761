/**
 * The order of a labels file must not change the model: labeler output comes in completion order until its run
 * compacts it, and training (validation split, calibration folds, SGD) is order-sensitive. Examples are put in
 * corpus order (or id order without a corpus) before anything order-sensitive.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, shuffle } from '@taxonomist/core';
import { canonicalExampleOrder, readLabelerOutput, serializeModel, train } from '../src/index.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

let dir: string;
let corpusPath: string;
let labelLines: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distill-order-'));
  // The records of 6 intents of the bundled sample; the labels file holds their gold intents as labeler lines.
  const keep = new Set(['card_arrival', 'exchange_rate', 'top_up_failed', 'lost_or_stolen_card', 'pending_transfer', 'activate_my_card']);
  const records = (await readFile(SAMPLE, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; text: string; label: string })
    .filter((r) => keep.has(r.label));
  corpusPath = join(dir, 'corpus.jsonl');
  await writeFile(corpusPath, records.map((r) => JSON.stringify({ id: r.id, text: r.text })).join('\n') + '\n');
  labelLines = records.map((r) => JSON.stringify({ id: r.id, status: 'ok', label: r.label, taxonomyId: 't1' }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('canonical example order', () => {
  it('a labels file and a shuffled copy give the same examples and a byte-identical model', async () => {
    const inOrder = join(dir, 'labels.jsonl');
    const shuffled = join(dir, 'labels-shuffled.jsonl');
    await writeFile(inOrder, labelLines.join('\n') + '\n');
    const mixed = shuffle(labelLines, createRng(7));
    expect(mixed).not.toEqual(labelLines);
    await writeFile(shuffled, mixed.join('\n') + '\n');

    const a = await readLabelerOutput(inOrder, corpusPath);
    const b = await readLabelerOutput(shuffled, corpusPath);
    expect(a.examples.length).toBeGreaterThan(50);
    expect(b.examples).toEqual(a.examples);
    const modelA = serializeModel((await train(a.examples, { seed: 1 })).model);
    const modelB = serializeModel((await train(b.examples, { seed: 1 })).model);
    expect(modelB).toBe(modelA);
    // Training itself is order-sensitive: the same examples in the shuffled order give another model (this is what
    // the canonical order protects against).
    const byShuffledOrder = new Map(mixed.map((l, i) => [(JSON.parse(l) as { id: string }).id, i]));
    const reordered = canonicalExampleOrder(a.examples, byShuffledOrder);
    expect(serializeModel((await train(reordered, { seed: 1 })).model)).not.toBe(modelA);
  }, 60_000);

  it('orders by corpus position, then by id, and keeps examples without an id last in their order', () => {
    const order = new Map([
      ['c', 0],
      ['a', 1],
    ]);
    const xs = [{ text: 'x1' }, { id: 'z' }, { id: 'a' }, { text: 'x2' }, { id: 'b' }, { id: 'c' }];
    expect(canonicalExampleOrder(xs, order)).toEqual([{ id: 'c' }, { id: 'a' }, { id: 'b' }, { id: 'z' }, { text: 'x1' }, { text: 'x2' }]);
    expect(canonicalExampleOrder(xs)).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'z' }, { text: 'x1' }, { text: 'x2' }]);
  });
});
