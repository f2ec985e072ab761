import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { definePlugin, type TaxonomistPlugin } from '@taxonomist/core';
import { naiveBayes, type ClassifierDefinition, type FeaturizerDefinition, type TextFeaturizer } from '@taxonomist/distill';
import { main } from '../src/main.js';
import { memoryIO } from './helpers.js';

// A plugin classifier (naive Bayes under another name and config) and a plugin featurizer (word counts over a
// sparse featurizer, saved under its own type so a model using it needs the plugin to load).
const myNb: ClassifierDefinition<{ type: 'my-nb'; alpha: number }> = {
  type: 'my-nb',
  schema: z.object({ type: z.literal('my-nb'), alpha: z.number().positive().default(2) }),
  supports: ['single'],
  train: (ctx, cfg) => naiveBayes.train(ctx, { type: 'naive-bayes', alpha: cfg.alpha, fitPrior: true, classWeight: 'none' }),
};
const wrap = (inner: TextFeaturizer): TextFeaturizer => ({
  type: 'my-words',
  get dimension() {
    return inner.dimension;
  },
  fit: (texts) => inner.fit(texts),
  transform: (texts) => inner.transform(texts),
  toJSON: () => ({ type: 'my-words', inner: inner.toJSON() }),
});
const myWords: FeaturizerDefinition = {
  type: 'my-words',
  create: (_config, ctx) => wrap(ctx.create({ type: 'sparse' })),
  load: (state, ctx) => wrap(ctx.load(state.inner as never)),
};
const plugin: TaxonomistPlugin = definePlugin({ name: 'registries-test', registries: { classifiers: { 'my-nb': myNb }, featurizers: { 'my-words': myWords } } });

/** A config file whose plugin is the one built above (a config in a temp dir cannot import workspace packages). */
function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'taxonomist-registries-'));
  (globalThis as Record<string, unknown>).__taxonomistRegistriesPlugin = plugin;
  writeFileSync(join(dir, 'taxonomist.config.mjs'), 'export default { plugins: [globalThis.__taxonomistRegistriesPlugin] };\n');
  const topics = [
    ['card', 'my card was lost'],
    ['refund', 'please refund the charge'],
    ['rate', 'what exchange rate do you use'],
  ];
  const lines = Array.from({ length: 60 }, (_, i) => {
    const [label, text] = topics[i % 3]!;
    return JSON.stringify({ id: `r${i}`, text: `${text} ${i}`, label });
  });
  writeFileSync(join(dir, 'train.jsonl'), `${lines.join('\n')}\n`);
  return dir;
}
afterEach(() => {
  delete (globalThis as Record<string, unknown>).__taxonomistRegistriesPlugin;
});

describe('the CLI honours plugin registries', () => {
  it('distill --classifier / --featurizer from a config plugin, and predict loads the model through it', async () => {
    const cwd = workDir();
    const io = memoryIO({ cwd });
    const code = await main(['distill', 'train.jsonl', '--classifier', 'my-nb', '--featurizer', 'my-words', '--out', 'model.json'], io);
    expect(io.err()).not.toMatch(/error/);
    expect(code).toBe(0);
    const saved = JSON.parse(readFileSync(join(cwd, 'model.json'), 'utf8')) as { classifier: { type: string }; featurizer: { type: string } };
    expect(JSON.stringify(saved)).toContain('"my-nb"');
    expect(JSON.stringify(saved)).toContain('"my-words"');

    const p = memoryIO({ cwd });
    expect(await main(['predict', 'model.json', 'train.jsonl', '--out', 'pred.jsonl'], p)).toBe(0);
    const preds = readFileSync(join(cwd, 'pred.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { label: string; id: string });
    expect(preds).toHaveLength(60);
    expect(preds.filter((x, i) => x.label === ['card', 'refund', 'rate'][i % 3]).length).toBeGreaterThan(50);
  });

  it('an unknown classifier is a usage error naming the known ones, plugin ones included', async () => {
    const cwd = workDir();
    const io = memoryIO({ cwd });
    const code = await main(['distill', 'train.jsonl', '--classifier', 'my-nbb', '--out', 'model.json'], io);
    expect(code).toBe(2);
    expect(io.err()).toContain('unknown classifier "my-nbb"');
    expect(io.err()).toContain('my-nb');
    expect(io.err()).not.toMatch(/looks like a bug/);
  });

  it('run --classifier / --featurizer (offline) distills with the plugin kinds and predicts through them', async () => {
    const cwd = workDir();
    const io = memoryIO({ cwd });
    const code = await main(['run', 'train.jsonl', '--use-case', 'bank support', '--out-dir', 'out', '--classifier', 'my-nb', '--featurizer', 'my-words', '--labels', '3'], io);
    expect(io.err()).not.toMatch(/error/);
    expect(code).toBe(0);
    const saved = readFileSync(join(cwd, 'out', 'model.json'), 'utf8');
    expect(saved).toContain('"my-nb"');
    expect(saved).toContain('"my-words"');
    expect(readFileSync(join(cwd, 'out', 'predictions.jsonl'), 'utf8').trim().split('\n')).toHaveLength(60);
  });
});
