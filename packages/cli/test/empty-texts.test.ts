/**
 * Every record read yields exactly one output line: records with an empty text get a failed 'input' line from
 * `label` (offline and through an LLM), `predict` and `run`; lines of the file without a usable record (bad JSON,
 * no text field) get none, and are reported and counted instead. In-process from sources.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelAssignmentSchema, RunManifestSchema, TaxonomySchema, taxonomyToJson, type LabelAssignment } from '@taxonomist/core';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { memoryIO, bankingTaxonomy } from './helpers.js';
import { scriptedLlm, topicOf } from './scripted-llm.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');
const good = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 120);
const goodIds = good.map((l) => (JSON.parse(l) as { id: string }).id);

/** 120 good records with, in between: 2 records with an empty text, a line of bad JSON, a line without a text. */
const GAPS = [
  ...good.slice(0, 10),
  '{"id":"empty-1","text":""}', // line 11
  'not json', // line 12
  ...good.slice(10, 20),
  '{"id":"empty-2","text":"   ","label":"card_arrival"}', // line 23
  '{"id":"no-text","body":"hello"}', // line 24
  ...good.slice(20),
];
const RECORD_IDS = [...goodIds.slice(0, 10), 'empty-1', ...goodIds.slice(10, 20), 'empty-2', ...goodIds.slice(20)];

const read = (path: string): LabelAssignment[] =>
  readFileSync(path, 'utf8').trim().split('\n').map((l) => LabelAssignmentSchema.parse(JSON.parse(l)));

function expectOneLinePerRecord(lines: LabelAssignment[], ids: readonly string[]): void {
  expect(lines.map((a) => a.id)).toEqual(ids);
  for (const a of lines) {
    if (a.id.startsWith('empty-')) expect(a).toMatchObject({ status: 'failed', error: { kind: 'input' } });
    else expect(a.status).toBe('ok');
  }
}

describe('records with an empty text get a failed line; unusable lines are reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taxonomist-empty-'));
  let server: OpenAIServer;
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const io = memoryIO({ cwd: dir, env });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };

  beforeAll(async () => {
    writeFileSync(join(dir, 'gaps.jsonl'), GAPS.join('\n') + '\n');
    server = await startOpenAIServer({ script: scriptedLlm });
  });
  afterAll(() => server.close());

  it('offline: induce ignores them, label and predict write one line per record and count the rest', async () => {
    const induce = await run(['induce', 'gaps.jsonl', '--use-case', 'intent', '--labels', '4', '--json']);
    expect(induce.code).toBe(0);
    // induce needs texts only: empty ones are skipped like any unusable line
    expect(induce.err).toMatch(/skipped 4 line\(s\) \(2 empty text, 1 malformed, 1 missing field\)/);

    const label = await run(['label', 'gaps.jsonl', '--taxonomy', 'taxonomy.json', '--json']);
    expect(label.code).toBe(6); // partial: two records failed
    expectOneLinePerRecord(read(join(dir, 'labels.jsonl')), RECORD_IDS);
    expect(JSON.parse(label.out)).toMatchObject({ records: 122, ok: 120, failed: 2, failedByKind: { input: 2 }, skippedInput: 2 });
    expect(label.err).toMatch(/gaps\.jsonl:12: invalid JSON/);
    expect(label.err).toMatch(/gaps\.jsonl:24: field "text": missing/);
    expect(label.err).toMatch(/skipped 2 line\(s\) \(1 malformed, 1 missing field\)/);
    expect(label.err).toMatch(/gaps\.jsonl:11: field "text": empty/);
    expect(label.err).toContain('2 record(s) have an empty text: each gets a line with status "failed" (error kind "input")');

    const distill = await run(['distill', 'labels.jsonl', '--corpus', 'gaps.jsonl', '-q']);
    expect(distill.code).toBe(0);
    const predict = await run(['predict', 'model.json', 'gaps.jsonl', '--out', 'pred.jsonl', '--json']);
    expect(predict.code).toBe(6);
    const preds = read(join(dir, 'pred.jsonl'));
    expectOneLinePerRecord(preds, RECORD_IDS);
    // the failed line says where the record is
    expect(preds.find((p) => p.id === 'empty-2')!.error!.message).toMatch(/gaps\.jsonl:23: field "text": only whitespace$/);
    expect(preds.find((p) => p.id === 'empty-2')!.model).toMatch(/^distill:/);
    expect(JSON.parse(predict.out)).toMatchObject({ records: 122, ok: 120, failed: 2, skippedInput: 2 });
    expect(predict.err).toMatch(/skipped 2 line\(s\) \(1 malformed, 1 missing field\)/);
  }, 120_000);

  it('label through an LLM: the same lines, the empty texts never sent to the model', async () => {
    const taxonomy = bankingTaxonomy();
    writeFileSync(join(dir, 'llm-taxonomy.json'), taxonomyToJson(taxonomy));
    const before = server.count('chat');
    const env = { OPENAI_API_KEY: 'k' };
    const r = await run(['label', 'gaps.jsonl', '--taxonomy', 'llm-taxonomy.json', '--model', 'openai:test-model', '--base-url', server.url, '--out', 'llm-labels.jsonl', '--json'], env);
    expect(r.code).toBe(6);
    const lines = read(join(dir, 'llm-labels.jsonl'));
    // labeled out of order (concurrent calls): compare as sets, then check each line
    expect([...lines.map((a) => a.id)].sort()).toEqual([...RECORD_IDS].sort());
    const texts = new Map(good.map((l) => JSON.parse(l) as { id: string; text: string }).map((x) => [x.id, x.text]));
    for (const a of lines) {
      if (a.id.startsWith('empty-')) expect(a).toMatchObject({ status: 'failed', error: { kind: 'input' } });
      else expect(a).toMatchObject({ status: 'ok', label: topicOf(texts.get(a.id)!) });
    }
    expect(server.count('chat') - before).toBe(120);
    expect(JSON.parse(r.out)).toMatchObject({ records: 122, ok: 120, failed: 2, failedByKind: { input: 2 }, skippedInput: 2 });
  }, 60_000);

  it('run: the label sample and the predictions account for every record, the manifest for the skipped lines', async () => {
    const r = await run(['run', 'gaps.jsonl', '--use-case', 'intent', '--labels', '4', '--out-dir', 'out', '--json']);
    expect(r.code).toBe(6);
    const out = join(dir, 'out');
    expectOneLinePerRecord(read(join(out, 'labels.jsonl')), RECORD_IDS); // the sample (1000) covers the corpus
    expectOneLinePerRecord(read(join(out, 'predictions.jsonl')), RECORD_IDS);
    const manifest = RunManifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    expect(manifest.input.records).toBe(122);
    expect(manifest.options.skippedInput).toBe(2);
    expect(manifest.stages.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(manifest.stages.find((s) => s.name === 'predict')!.counts).toMatchObject({ records: 122, failed: 2 });
    expect(manifest.stages.find((s) => s.name === 'label')!.counts).toMatchObject({ records: 122, ok: 120, failed: 2 });
    // One taxonomy id everywhere: taxonomy.json, every label and prediction line (failed ones too), model.json.
    const taxonomyId = TaxonomySchema.parse(JSON.parse(readFileSync(join(out, 'taxonomy.json'), 'utf8'))).id;
    expect(taxonomyId).toMatch(/^tax-[0-9a-f]{16}$/);
    const ids = new Set([...read(join(out, 'labels.jsonl')), ...read(join(out, 'predictions.jsonl'))].map((a) => a.taxonomyId));
    expect(ids).toEqual(new Set([taxonomyId]));
    expect((JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { taxonomyId?: string }).taxonomyId).toBe(taxonomyId);
  }, 120_000);
});
