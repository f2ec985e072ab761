import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { sampleFromJsonSchema, violateJsonSchema, extractJsonSchemaFromText } from '@taxonomist/testing';

const Node: z.ZodType<{ name: string; children: unknown[] }> = z.object({
  name: z.string(),
  get children() {
    return z.array(Node).max(2);
  },
});

const schemas: Record<string, z.ZodType> = {
  flat: z.object({ label: z.enum(['billing', 'card']), confidence: z.number().min(0).max(1), reason: z.string().min(5).max(40) }),
  optionalAndNullable: z.object({ a: z.string().nullable(), b: z.number().int().optional(), c: z.boolean() }),
  arrays: z.object({ tags: z.array(z.string()).min(2).max(3), pair: z.tuple([z.string(), z.number()]), ids: z.array(z.number().int().gt(5).lt(9)) }),
  formats: z.object({ email: z.email(), at: z.iso.datetime(), id: z.uuid(), day: z.iso.date(), url: z.url() }),
  unions: z.object({ v: z.union([z.string(), z.number()]), d: z.discriminatedUnion('t', [z.object({ t: z.literal('a'), x: z.number() }), z.object({ t: z.literal('b'), y: z.string() })]) }),
  record: z.object({ counts: z.record(z.string(), z.number().int().nonnegative()) }),
  recursive: Node,
  bounds: z.object({ ex: z.number().gt(1).lt(2), step: z.number().multipleOf(0.25).min(3), neg: z.number().int().max(-10) }),
  topLevelArray: z.array(z.object({ id: z.string() })).min(1),
};

describe('sampleFromJsonSchema', () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`produces a value valid for the "${name}" schema (first and seeded choices)`, () => {
      const json = z.toJSONSchema(schema) as Record<string, unknown>;
      for (const choice of ['first', 'seeded'] as const) {
        for (const seed of [1, 2, 3]) {
          const value = sampleFromJsonSchema(json, { choice, seed });
          const parsed = schema.safeParse(value);
          expect(parsed.success, `${name}/${choice}/${seed}: ${JSON.stringify(value)} ${parsed.error?.message}`).toBe(true);
        }
      }
    });
  }

  it('is deterministic per seed and varies with the seed when choices are seeded', () => {
    const json = z.toJSONSchema(z.object({ l: z.enum(['a', 'b', 'c', 'd', 'e', 'f']), n: z.number().min(0).max(100) })) as Record<string, unknown>;
    const a = sampleFromJsonSchema(json, { choice: 'seeded', seed: 7 });
    expect(sampleFromJsonSchema(json, { choice: 'seeded', seed: 7 })).toEqual(a);
    const others = [8, 9, 10, 11].map((seed) => JSON.stringify(sampleFromJsonSchema(json, { choice: 'seeded', seed })));
    expect(new Set([JSON.stringify(a), ...others]).size).toBeGreaterThan(1);
    expect(sampleFromJsonSchema(json)).toEqual({ l: 'a', n: 50 });
  });

  it('explains unsupported refs instead of guessing', () => {
    expect(() => sampleFromJsonSchema({ $ref: 'https://example.com/s.json' })).toThrow(/unsupported \$ref/);
  });
});

describe('violateJsonSchema', () => {
  for (const name of ['flat', 'recursive', 'topLevelArray', 'record'] as const) {
    it(`gives a value the "${name}" schema rejects`, () => {
      const schema = schemas[name]!;
      const value = violateJsonSchema(z.toJSONSchema(schema) as Record<string, unknown>);
      expect(schema.safeParse(value).success).toBe(false);
    });
  }
});

describe('extractJsonSchemaFromText', () => {
  it('finds the schema pasted into a prompt, ignoring other braces', () => {
    const schema = z.toJSONSchema(z.object({ label: z.string() }));
    const text = `Rules: {not json}. Example {"label": "x"}.\nAnswer with JSON matching this schema:\n${JSON.stringify(schema, null, 2)}\nThanks {}`;
    expect(extractJsonSchemaFromText(text)).toEqual(schema);
  });
  it('returns undefined when there is none', () => {
    expect(extractJsonSchemaFromText('Just say hello {"a": 1}')).toBeUndefined();
  });
});
