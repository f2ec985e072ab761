import { describe, it, expect } from 'vitest';
import { generateAnswerSchema, jsonSchemaOf, revisionAnswerSchema } from '@taxonomist/core';
import { sampleFromJsonSchema } from '@taxonomist/testing';

/**
 * The local server answers "by following the request's schema": the label cap (minItems / maxItems) and the fromIds
 * enum that induction sends must be honoured, or constrained decoding would not be simulated faithfully.
 */
describe('schema-following answers honour induction constraints', () => {
  it('keeps the label count within minItems..maxItems and fromIds within the enum of current ids', () => {
    for (const seed of [0, 1, 2, 3, 4]) {
      const draft = sampleFromJsonSchema(jsonSchemaOf(generateAnswerSchema({ minLabels: 3, maxLabels: 4 })), { seed }) as { labels: unknown[] };
      expect(draft.labels.length).toBeGreaterThanOrEqual(3);
      expect(draft.labels.length).toBeLessThanOrEqual(4);
      const revision = sampleFromJsonSchema(jsonSchemaOf(revisionAnswerSchema({ minLabels: 2, maxLabels: 2 }, ['L4', 'L9'])), { seed, choice: 'seeded' }) as {
        labels: { fromIds: string[] }[];
      };
      expect(revision.labels).toHaveLength(2);
      for (const l of revision.labels) for (const id of l.fromIds) expect(['L4', 'L9']).toContain(id);
    }
  });
});
