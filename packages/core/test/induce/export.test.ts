import { describe, expect, it } from 'vitest';
import { parseTaxonomyJson, taxonomyId, taxonomyIdOf, taxonomyToJson, taxonomyToMarkdown, type Taxonomy } from '../../src/index.js';

const taxonomy: Taxonomy = {
  metadata: { z: 1, a: { d: 2, c: 3 } },
  labels: [
    { description: 'Card did not arrive.', name: 'Card delivery', id: 'L1', examples: ['where is my card', 'card | pipe'] },
    { id: 'L2', name: 'Refunds', description: 'Money back.' },
    { id: 'L3', name: 'Urgent refunds', description: 'Refunds needed today.', parent: 'L2' },
  ],
  useCase: 'intent of support chats',
  schemaVersion: 1,
  method: 'llm',
};

describe('taxonomyToJson', () => {
  it('writes schema-versioned JSON with a content id and a stable key order', () => {
    const json = taxonomyToJson(taxonomy);
    const parsed = JSON.parse(json);
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'id', 'useCase', 'method', 'labels', 'metadata']);
    expect(Object.keys(parsed.labels[0])).toEqual(['id', 'name', 'description', 'examples']);
    expect(Object.keys(parsed.metadata)).toEqual(['a', 'z']);
    expect(parsed.id).toBe(taxonomyId(taxonomy));
    expect(parsed.id).toMatch(/^tax-[0-9a-f]{16}$/);
    expect(json.endsWith('}\n')).toBe(true);
    // Key order of the input does not matter; the text is byte-identical.
    const reordered = JSON.parse(JSON.stringify(taxonomy, ['labels', 'id', 'name', 'description', 'parent', 'examples', 'useCase', 'schemaVersion', 'method', 'metadata', 'a', 'c', 'd', 'z']));
    expect(taxonomyToJson(reordered)).toBe(json);
    expect(parseTaxonomyJson(json)).toEqual(parsed);
  });

  it('changes the id with the labels or use case, not with examples or metadata', () => {
    const id = taxonomyId(taxonomy);
    expect(taxonomyId({ ...taxonomy, useCase: 'other use' })).not.toBe(id);
    expect(taxonomyId({ ...taxonomy, labels: taxonomy.labels.map((l) => (l.id === 'L2' ? { ...l, name: 'Refund' } : l)) })).not.toBe(id);
    expect(taxonomyId({ ...taxonomy, labels: taxonomy.labels.map((l) => ({ ...l, examples: ['x'] })) })).toBe(id);
  });

  it('taxonomyIdOf: the stated id, else the content id taxonomyToJson writes', () => {
    const { id: _drop, ...withoutId } = taxonomy as typeof taxonomy & { id?: string };
    expect(taxonomyIdOf(withoutId)).toBe(taxonomyId(taxonomy));
    expect(taxonomyIdOf(withoutId)).toBe(parseTaxonomyJson(taxonomyToJson(withoutId)).id);
    expect(taxonomyIdOf({ ...withoutId, id: 'tax-stated' })).toBe('tax-stated');
  });

  it('refuses an invalid taxonomy and names the bad field when parsing', () => {
    expect(() => taxonomyToJson({ ...taxonomy, labels: [...taxonomy.labels, { id: 'L1', name: 'dup', description: '' }] })).toThrow(
      /duplicate label id "L1"/,
    );
    expect(() => parseTaxonomyJson('{"schemaVersion":1,"useCase":"u","labels":[{"id":"L1","description":"d"}]}', 'tax.json')).toThrow(
      /^tax\.json: field "labels\.0\.name"/,
    );
    expect(() => parseTaxonomyJson('{', 'tax.json')).toThrow(/^tax\.json: not valid JSON/);
  });
});

describe('taxonomyToMarkdown', () => {
  it('renders a table of top labels and a section per label with sub-labels, escaping pipes', () => {
    const md = taxonomyToMarkdown(taxonomy);
    expect(md).toContain('**Use case:** intent of support chats');
    expect(md).toContain('| Id | Label | Description | Sub-labels | Examples |');
    expect(md).toContain('| `L1` | Card delivery | Card did not arrive. | 0 | “where is my card”<br>“card \\| pipe” |');
    expect(md).toContain('| `L2` | Refunds | Money back. | 1 |  |');
    expect(md).toContain('## Refunds (`L2`)');
    expect(md).toContain('| `L3` | Urgent refunds | Refunds needed today. |  |');
    expect(md).not.toMatch(/^\| `L3`.*\| 0 \|/m);
  });

  it('takes examples from a map, caps them, and can leave the column out', () => {
    const flat: Taxonomy = { schemaVersion: 1, useCase: 'u', labels: taxonomy.labels.slice(0, 2) };
    const md = taxonomyToMarkdown(flat, { examples: { L2: ['a', 'b', 'c', 'd'] }, title: 'Intents' });
    expect(md.startsWith('# Intents\n')).toBe(true);
    expect(md).toContain('| `L2` | Refunds | Money back. | “a”<br>“b”<br>“c” |');
    expect(taxonomyToMarkdown(flat, { examples: false })).not.toContain('Examples');
    const long = taxonomyToMarkdown({ ...flat, labels: [{ id: 'L1', name: 'A', description: 'd', examples: ['word '.repeat(100)] }] }, { maxExampleChars: 20 });
    expect(long).toContain('“word word word word…”');
  });
});
