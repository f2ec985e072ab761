import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { buildCatalog, singleAnswerSchema, packedAnswerSchema, packKeys } from '../src/index.js';
import { interpretAnswer } from '../src/interpret.js';
import { TAXONOMY } from './helpers.js';

const catalog = buildCatalog(TAXONOMY);

describe('answer schemas', () => {
  it('send the label ids as an enum but accept near misses for mapping', () => {
    const shape = { mode: 'both' as const, rationale: true, allowNone: true };
    const schema = singleAnswerSchema(catalog, shape);
    const json = z.toJSONSchema(schema) as { properties: Record<string, { enum?: string[]; items?: { enum?: string[] } }>; required: string[] };
    expect(json.properties.label!.enum).toEqual(['L1', 'L2', 'L3', 'L4', 'none']);
    expect(json.properties.labels!.items!.enum).toEqual(['L1', 'L2', 'L3', 'L4', 'none']);
    // Rationale first (generated before the label), every field required (OpenAI strict mode).
    expect(Object.keys(json.properties)).toEqual(['rationale', 'label', 'labels']);
    expect(json.required).toEqual(['rationale', 'label', 'labels']);
    expect(schema.safeParse({ rationale: 'r', label: 'Card Arrival', labels: [] }).success).toBe(true);
  });
  it('key packed answers by the short ids', () => {
    const schema = packedAnswerSchema(catalog, { mode: 'primary', rationale: false, allowNone: false }, packKeys(3));
    const json = JSON.stringify(z.toJSONSchema(schema));
    expect(json).toContain('"enum":["t1","t2","t3"]');
    expect(json).not.toContain('"none"');
  });
});

describe('interpretAnswer', () => {
  it('primary mode: resolves the label, flags mapping, refuses unknown labels', () => {
    const shape = { mode: 'primary' as const, rationale: false, allowNone: false };
    expect(interpretAnswer(catalog, shape, { label: 'L3' })).toEqual({ kind: 'ok', primaryId: 'L3', ids: ['L3'], none: false, mapped: [] });
    expect(interpretAnswer(catalog, shape, { label: 'Exchange rate' })).toMatchObject({
      kind: 'ok',
      primaryId: 'L2',
      mapped: [{ from: 'Exchange rate', to: 'L2' }],
    });
    expect(interpretAnswer(catalog, shape, { label: 'HACKED' })).toMatchObject({ kind: 'unknown', answers: ['HACKED'] });
    expect(interpretAnswer(catalog, shape, {})).toMatchObject({ kind: 'unknown' });
  });
  it('multi mode: dedupes, drops none next to real labels, fails on any unknown label', () => {
    const shape = { mode: 'multi' as const, rationale: false, allowNone: true };
    expect(interpretAnswer(catalog, shape, { labels: ['L2', 'l2', 'none', 'L4'] })).toMatchObject({
      kind: 'ok',
      primaryId: 'L2',
      ids: ['L2', 'L4'],
    });
    expect(interpretAnswer(catalog, shape, { labels: ['none'] })).toMatchObject({ kind: 'ok', none: true, ids: [] });
    expect(interpretAnswer(catalog, shape, { labels: ['L2', 'X'] })).toMatchObject({ kind: 'unknown', answers: ['X'] });
    expect(interpretAnswer(catalog, { ...shape, allowNone: false }, { labels: [] })).toMatchObject({ kind: 'unknown' });
  });
  it('both mode: labels always contain the primary, first', () => {
    const shape = { mode: 'both' as const, rationale: true, allowNone: false };
    expect(interpretAnswer(catalog, shape, { rationale: 'because', label: 'L3', labels: ['L1', 'L3'] })).toEqual({
      kind: 'ok',
      primaryId: 'L3',
      ids: ['L3', 'L1'],
      none: false,
      mapped: [],
      rationale: 'because',
    });
  });
});
