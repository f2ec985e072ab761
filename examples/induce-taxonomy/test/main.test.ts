import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaxonomySchema, normalizeTaxonomy, parseTaxonomyJson } from '@taxonomist/core';
import { main, type MainResult } from '../src/main.js';
import { THEMES } from '../src/scripted-llm.js';

describe('induce-taxonomy example', () => {
  let dir: string;
  let result: MainResult;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'example-induce-'));
    result = await main({ outDir: dir, log: (l) => lines.push(l) });
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs the TnT-LLM chain through the OpenAI provider and the local server', () => {
    const { llm } = result;
    expect(llm.strategy).toBe('llm');
    // 600 sampled, 10% kept for validation, 540 texts in batches of 120: generate + 4 updates, then the review.
    expect(llm.sample.trainingIds).toHaveLength(540);
    expect(llm.history.map((h) => h.kind)).toEqual(['generate', 'update', 'update', 'update', 'update', 'review']);
    expect(llm.history.every((h) => h.status === 'accepted')).toBe(true);
    expect(result.llmRequests).toBe(6);
    expect(llm.usage.total.calls).toBe(6);
    expect(llm.usage.total.inputTokens).toBeGreaterThan(0);
  });

  it('ends with a valid taxonomy for the use case, revised along the way', () => {
    const t = result.llm.taxonomy;
    expect(TaxonomySchema.safeParse(t).success).toBe(true);
    expect(t.useCase).toMatch(/online-banking support queries/);
    expect(t.method).toBe('llm');
    const names = t.labels.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(names.length).toBeLessThanOrEqual(16);
    const known = new Set([...THEMES.map((th) => th.name), 'Card Security and Fraud']);
    for (const n of names) expect(known.has(n), n).toBe(true);
    // Updates added labels for themes later batches showed; the review merged two overlapping labels, keeping the
    // first one's id under the broader name.
    const added = result.llm.history.filter((h) => h.kind === 'update').flatMap((h) => h.mapping.filter((m) => m.kind === 'added'));
    expect(added.length).toBeGreaterThan(0);
    const review = result.llm.history.at(-1)!;
    const merged = review.mapping.filter((m) => m.kind === 'merged');
    expect(merged.map((m) => m.from).sort()).toEqual(['L14', 'L9']);
    expect(merged.every((m) => m.to.length === 1 && m.to[0] === 'L9')).toBe(true);
    expect(t.labels.find((l) => l.id === 'L9')?.name).toBe('Card Security and Fraud');
    expect(t.labels.some((l) => l.id === 'L14')).toBe(false);
  });

  it('clusters offline into the requested number of term-named labels', () => {
    const { cluster } = result;
    expect(cluster.strategy).toBe('cluster');
    expect(cluster.taxonomy.method).toBe('cluster');
    expect(cluster.taxonomy.labels).toHaveLength(14);
    expect(cluster.history).toHaveLength(0);
    expect(cluster.usage.total.calls).toBe(0);
    for (const l of cluster.taxonomy.labels) expect(l.examples?.length ?? 0).toBeGreaterThan(0);
    // Clear themes of the data come out as clusters of their own.
    const names = cluster.taxonomy.labels.map((l) => l.name).join(' | ');
    expect(names).toMatch(/exchange/);
    expect(names).toMatch(/identity|verify/);
  });

  it('prints and writes the Markdown and JSON renderings', async () => {
    const printed = lines.join('\n');
    expect(printed).toContain('# Taxonomy (LLM strategy)');
    expect(printed).toContain('# Taxonomy (cluster strategy)');
    for (const l of [...result.llm.taxonomy.labels, ...result.cluster.taxonomy.labels]) expect(printed).toContain(`| \`${l.id}\` | ${l.name} |`);
    expect(printed).toMatch(/review\s+batch -: \d+ labels, rating \d+; merged L9\+L14 -> "Card Security and Fraud"/);

    for (const name of ['llm', 'cluster'] as const) {
      const json = await readFile(join(dir, `taxonomy-${name}.json`), 'utf8');
      expect(parseTaxonomyJson(json)).toEqual(normalizeTaxonomy(result[name].taxonomy));
      expect(await readFile(join(dir, `taxonomy-${name}.md`), 'utf8')).toBe(result.markdown[name]);
    }
  });
});
