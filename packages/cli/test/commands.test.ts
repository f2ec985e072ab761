/**
 * The single-step commands, in-process from sources (fast): induce -> label -> distill -> predict -> eval -> report
 * offline on a slice of the bundled sample, plus the error paths a user meets first.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabelAssignmentSchema, TaxonomySchema } from '@taxonomist/core';
import { main } from '../src/main.js';
import { memoryIO } from './helpers.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');
const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n');

describe('single commands, offline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taxonomist-cmd-'));
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const io = memoryIO({ cwd: dir, env });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };

  beforeAll(() => {
    writeFileSync(join(dir, 'corpus.jsonl'), lines.slice(0, 400).join('\n') + '\n');
  });

  it('induce -> label -> distill -> predict -> eval', async () => {
    const induce = await run(['induce', 'corpus.jsonl', '--use-case', 'intent', '--labels', '8', '--json']);
    expect(induce.err).toContain('offline non-LLM baseline');
    expect(induce.code).toBe(0);
    expect(JSON.parse(induce.out)).toMatchObject({ labels: 8, strategy: 'cluster' });
    const taxonomy = TaxonomySchema.parse(JSON.parse(readFileSync(join(dir, 'taxonomy.json'), 'utf8')));
    expect(taxonomy.metadata?.clusterModel).toBe('taxonomy.cluster.json');

    const label = await run(['label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--label-sample', '150', '--json']);
    expect(label.code).toBe(0);
    const labels = readFileSync(join(dir, 'labels.jsonl'), 'utf8').trim().split('\n').map((l) => LabelAssignmentSchema.parse(JSON.parse(l)));
    expect(labels).toHaveLength(150);
    expect(new Set(labels.map((a) => a.label)).size).toBeGreaterThan(1);
    expect(labels.every((a) => taxonomy.labels.some((l) => l.id === a.labelId && l.name === a.label))).toBe(true);

    const distill = await run(['distill', 'labels.jsonl', '--corpus', 'corpus.jsonl', '--json', '-q']);
    expect(distill.err).toBe('');
    expect(distill.code).toBe(0);
    expect(JSON.parse(distill.out)).toMatchObject({ examples: 150 });

    const predict = await run(['predict', 'model.json', 'corpus.jsonl', '--out', 'pred.jsonl', '--json']);
    expect(predict.code).toBe(0);
    const preds = readFileSync(join(dir, 'pred.jsonl'), 'utf8').trim().split('\n').map((l) => LabelAssignmentSchema.parse(JSON.parse(l)));
    expect(preds.map((p) => p.id)).toEqual(lines.slice(0, 400).map((l) => (JSON.parse(l) as { id: string }).id));

    const evalRun = await run(['eval', 'pred.jsonl', '--gold', 'corpus.jsonl', '--json']);
    expect(evalRun.code).toBe(0);
    const report = JSON.parse(evalRun.out) as { mode: string; counts: { joined: number }; clustering: { nmi: number } };
    expect(report.mode).toBe('clustering'); // induced names vs gold intents
    expect(report.counts.joined).toBe(400);
    expect(report.clustering.nmi).toBeGreaterThan(0.2);
  }, 120_000);

  it('distill on a labeled corpus and eval in classification mode with per-label rows', async () => {
    expect((await run(['distill', 'corpus.jsonl', '--out', 'gold-model.json', '-q'])).code).toBe(0);
    expect((await run(['predict', 'gold-model.json', 'corpus.jsonl', '--out', 'gold-pred.jsonl', '-q'])).code).toBe(0);
    const r = await run(['eval', 'gold-pred.jsonl', '--gold', 'corpus.jsonl']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('mode: classification');
    expect(r.out).toMatch(/^accuracy\s+[01]\.\d{3}$/m);
    expect(r.out).toMatch(/^Cohen's kappa\s+/m);
    expect(r.out).toMatch(/^activate_my_card\s+\d\.\d{3}\s+\d\.\d{3}\s+\d\.\d{3}\s+\d+$/m);
  }, 60_000);

  it('LLM-only flags are reported as ignored offline, not silently dropped', async () => {
    const r = await run(['label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--label-sample', '20', '--out', 'l20.jsonl', '--pack', '4', '--rationale']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning: without --model these flags have no effect: --pack, --rationale');
  });

  it('label without a model needs the offline cluster model and says how to use an LLM', async () => {
    writeFileSync(join(dir, 'hand.json'), JSON.stringify({ schemaVersion: 1, useCase: 'x', labels: [{ id: 'A', name: 'a', description: '' }, { id: 'B', name: 'b', description: '' }] }));
    const r = await run(['label', 'corpus.jsonl', '--taxonomy', 'hand.json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('needs the cluster model');
    expect(r.err).toContain('--model openai:gpt-4o-mini');
  });

  it('a model without a key for the public API is a usage error that never echoes secrets', async () => {
    const r = await run(['label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--model', 'openai:gpt-4o-mini']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no API key/);
  });

  it('estimate needs no key and no call', async () => {
    const r = await run(['estimate', 'label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--model', 'openai:gpt-4o-mini', '--pack', '5', '--json']);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.out) as { total: { calls: number; inputTokens: number; costUsd: number } };
    expect(e.total.calls).toBe(80);
    expect(e.total.inputTokens).toBeGreaterThan(400 * 10);
    expect(e.total.costUsd).toBeGreaterThan(0);
  }, 60_000);

  it('an unknown provider lists the known ones', async () => {
    const r = await run(['induce', 'corpus.jsonl', '--use-case', 'x', '--model', 'nope:model']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown model provider "nope"');
    expect(r.err).toContain('known providers: openai');
  });

  it('--base-url without --model is a usage error', async () => {
    const r = await run(['induce', 'corpus.jsonl', '--use-case', 'x', '--base-url', 'http://localhost:11434/v1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--base-url needs --model');
  });

  it('CSV corpora: the missing text column is named with the fix, and --text-field/--id-field read it', async () => {
    const csv = resolve(import.meta.dirname, '../../../examples/data/support-tickets.csv');
    const bad = await run(['induce', csv, '--use-case', 'x', '--labels', '4']);
    expect(bad.code).toBe(3);
    expect(bad.err).toContain('support-tickets.csv:1: no "text" column in the header (columns: "ticket_id", "message", "channel")');
    expect(bad.err).toContain('hint: pass --text-field <name>');
    const ok = await run(['induce', csv, '--use-case', 'x', '--labels', '4', '--text-field', 'message', '--id-field', 'ticket_id', '--out', 'csv-tax.json', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ labels: 4 });
  }, 60_000);

  it('a missing corpus file is bad input naming the file', async () => {
    const r = await run(['run', 'nope.jsonl', '--use-case', 'x']);
    expect(r.code).toBe(3);
    expect(r.err).toContain('nope.jsonl');
  });

  it('malformed lines are reported with file:line and counted, the rest is used', async () => {
    writeFileSync(join(dir, 'messy.jsonl'), [lines[0], '{"id":"x","text":42}', 'not json', lines[1], '{"id":"e","text":"  "}', ...lines.slice(2, 60)].join('\n') + '\n');
    const r = await run(['induce', 'messy.jsonl', '--use-case', 'x', '--labels', '3', '--out', 'messy-tax.json']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: \S*messy\.jsonl:2: field "text": expected a string, got number/);
    expect(r.err).toMatch(/warning: \S*messy\.jsonl:3: invalid JSON/);
    expect(r.err).toMatch(/skipped 3 line\(s\) \(1 empty text, 1 malformed, 1 wrong type\)/);
  }, 60_000);
});
