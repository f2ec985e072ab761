import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import {
  CorpusRecordSchema,
  LabelAssignmentSchema,
  LabeledRecordSchema,
  RunManifestSchema,
  TaxonomySchema,
} from '../../src/schemas/index.js';

const label = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: `name ${id}`, description: `about ${id}`, ...extra });
const taxonomy = (labels: unknown[]) => ({ schemaVersion: 1, useCase: 'support intents', labels });

const issuesOf = (r: { success: boolean; error?: z.ZodError }) =>
  r.success ? [] : r.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));

describe('TaxonomySchema', () => {
  it('accepts a hierarchy whose parents are label ids (in any order)', () => {
    const t = taxonomy([label('L2', { parent: 'L1' }), label('L1', { examples: ['lost my card'] })]);
    expect(TaxonomySchema.parse(t)).toEqual(t);
  });

  it('rejects duplicate label ids, pointing at the second one', () => {
    expect(issuesOf(TaxonomySchema.safeParse(taxonomy([label('L1'), label('L2'), label('L1')])))).toEqual([
      { path: 'labels.2.id', message: 'duplicate label id "L1"' },
    ]);
  });

  it('rejects a parent that is not a label id', () => {
    expect(issuesOf(TaxonomySchema.safeParse(taxonomy([label('L1'), label('L2', { parent: 'L9' })])))).toEqual([
      { path: 'labels.1.parent', message: 'parent "L9" is not a label id' },
    ]);
  });

  it('rejects a wrong schema version and empty names', () => {
    expect(TaxonomySchema.safeParse({ ...taxonomy([label('L1')]), schemaVersion: 2 }).success).toBe(false);
    expect(issuesOf(TaxonomySchema.safeParse(taxonomy([label('L1', { name: '' })])))[0]!.path).toBe('labels.0.name');
  });
});

describe('LabelAssignmentSchema', () => {
  it('accepts ok with a label, ok with none, and failed with an error', () => {
    expect(LabelAssignmentSchema.safeParse({ id: 'a', status: 'ok', label: 'Billing', confidence: 0.9 }).success).toBe(true);
    expect(LabelAssignmentSchema.safeParse({ id: 'a', status: 'ok', none: true }).success).toBe(true);
    expect(LabelAssignmentSchema.safeParse({ id: 'a', status: 'failed', error: { kind: 'timeout', message: 'slow' } }).success).toBe(true);
  });

  it('rejects ok without a label and failed without an error', () => {
    expect(issuesOf(LabelAssignmentSchema.safeParse({ id: 'a', status: 'ok' }))).toEqual([
      { path: 'label', message: 'an ok assignment needs a label (or none: true)' },
    ]);
    expect(issuesOf(LabelAssignmentSchema.safeParse({ id: 'a', status: 'failed' }))).toEqual([
      { path: 'error', message: 'a failed assignment needs an error' },
    ]);
  });

  it('rejects out-of-range confidence and unknown error kinds', () => {
    expect(LabelAssignmentSchema.safeParse({ id: 'a', status: 'ok', label: 'x', confidence: 1.5 }).success).toBe(false);
    expect(LabelAssignmentSchema.safeParse({ id: 'a', status: 'failed', error: { kind: 'oops', message: 'm' } }).success).toBe(false);
  });
});

describe('JSON Schema generation (zod 4 z.toJSONSchema)', () => {
  it('works for TaxonomySchema despite its superRefine, keeping descriptions', () => {
    const js = z.toJSONSchema(TaxonomySchema) as Record<string, any>;
    expect(js.type).toBe('object');
    expect(js.required).toEqual(expect.arrayContaining(['schemaVersion', 'useCase', 'labels']));
    const item = js.properties.labels.items;
    expect(item.required).toEqual(['id', 'name', 'description']);
    expect(item.properties.id.description).toMatch(/Stable identifier/);
    expect(item.properties.parent.type).toBe('string');
    expect(js.properties.schemaVersion.const).toBe(1);
  });

  it('works for LabelAssignmentSchema', () => {
    const js = z.toJSONSchema(LabelAssignmentSchema) as Record<string, any>;
    expect(js.required).toEqual(['id', 'status']);
    expect(js.properties.status.enum).toEqual(['ok', 'failed']);
    expect(js.properties.confidence).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
    expect(js.properties.error.properties.kind.enum).toContain('rate_limit');
  });

  it('works for the record and manifest schemas', () => {
    for (const s of [CorpusRecordSchema, LabeledRecordSchema, RunManifestSchema]) {
      expect((z.toJSONSchema(s, { io: 'input' }) as { type: string }).type).toBe('object');
    }
  });
});
