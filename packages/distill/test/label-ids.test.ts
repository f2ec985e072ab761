/**
 * A model knows the taxonomy ids of its labels: recorded at training, kept by the model file, and written as `labelId`
 * on every prediction line by the one shared line writer (predictStream, `taxonomist predict`, `taxonomist run`).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabelAssignmentSchema } from '@taxonomist/core';
import { loadClassifier, predictionLine, predictStream, saveClassifier, train } from '../src/index.js';
import { syntheticExamples } from './helpers.js';

describe('label ids', async () => {
  const examples = syntheticExamples(120, 3);
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  // Ids for all labels but the last (a label without an id gets no labelId), plus one for a label the data lacks.
  const labelIds = Object.fromEntries([...labels.slice(0, -1).map((l, i) => [l, `L${i + 1}`]), ['not a label of the data', 'L99']]);
  const { model } = await train(examples, { seed: 1, taxonomyId: 'tax-1', labelIds });

  it('the model keeps the ids of its own labels, in label order, through save and load', async () => {
    expect(model.meta.labelIds).toEqual(Object.fromEntries(labels.slice(0, -1).map((l, i) => [l, `L${i + 1}`])));
    const path = join(mkdtempSync(join(tmpdir(), 'distill-label-ids-')), 'model.json');
    await saveClassifier(model, path);
    const file = JSON.parse(readFileSync(path, 'utf8')) as { labelIds: Record<string, string> };
    expect(Object.keys(file.labelIds)).toEqual(labels.slice(0, -1));
    expect((await loadClassifier(path)).meta.labelIds).toEqual(model.meta.labelIds);
  });

  it('prediction lines carry the labelId of their label', async () => {
    const texts = examples.slice(0, 40).map((e, i) => ({ id: e.id ?? `r${i}`, text: e.text }));
    let withId = 0;
    for await (const line of predictStream(model, texts)) {
      LabelAssignmentSchema.parse(line);
      expect(line.labelId).toBe(model.meta.labelIds![line.label!]);
      if (line.labelId !== undefined) withId++;
    }
    expect(withId).toBeGreaterThan(0);
  });

  it('an explicit map wins over the model\'s ids; a model trained without ids writes none', async () => {
    const p = { label: labels[0]!, probability: 0.9 };
    expect(predictionLine('x', p, model).labelId).toBe('L1');
    expect(predictionLine('x', p, model, { labelIds: new Map([[labels[0]!, 'T7']]) }).labelId).toBe('T7');
    const { model: plain } = await train(examples, { seed: 1 });
    expect(plain.meta.labelIds).toBeUndefined();
    expect(predictionLine('x', p, plain)).not.toHaveProperty('labelId');
  });
});
