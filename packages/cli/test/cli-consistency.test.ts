/**
 * The command line says one thing one way: required flags are enforced, old flag names still work (and say the new
 * one), hints name flags rather than library options, and `predict` writes the very lines `run` writes.
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

describe('one way to say each thing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taxonomist-consistency-'));
  const cli = async (args: string[], cwd = dir) => {
    const io = memoryIO({ cwd });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };
  beforeAll(() => {
    writeFileSync(join(dir, 'corpus.jsonl'), lines.slice(0, 240).join('\n') + '\n');
  });

  it.each([
    [['run', 'corpus.jsonl'], '--use-case <text>'],
    [['induce', 'corpus.jsonl', '--labels', '3'], '--use-case <text>'],
    [['label', 'corpus.jsonl'], '--taxonomy <file>'],
    [['eval', 'pred.jsonl'], '--gold <file>'],
  ])('%j without its required flag is a usage error naming it', async (args, flag) => {
    const r = await cli([...args, '--no-config']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error: missing ${flag}`);
    expect(r.err).toContain(`usage: taxonomist ${args[0]}`);
  });

  it('a required flag may come from the config defaults', async () => {
    const d = mkdtempSync(join(tmpdir(), 'taxonomist-consistency-cfg-'));
    writeFileSync(join(d, 'taxonomist.config.json'), JSON.stringify({ defaults: { useCase: 'intent' } }));
    const r = await cli(['run', 'missing.jsonl'], d);
    expect(r.err).not.toContain('missing --use-case');
    expect(r.code).toBe(3); // got past the flags: the corpus file is what is missing
    expect(r.err).toContain('missing.jsonl');
  });

  it('--help marks required flags', async () => {
    const r = await cli(['run', '--help']);
    expect(r.out.replace(/\s+/g, ' ')).toMatch(/--use-case <text> what the taxonomy is for, .*\(required\)/);
  });

  it('an old flag name works as the new one and says the new name once', async () => {
    const r = await cli(['induce', 'corpus.jsonl', '--use-case', 'intent', '--k', '3', '--sample-size', '100', '--out', 'tax-old.json', '--no-config']);
    expect(r.code).toBe(0);
    expect(r.err.match(/note: --sample-size is now --induce-sample/g)).toHaveLength(1);
    expect(r.err.match(/note: --k is now --labels/g)).toHaveLength(1);
    const withNew = await cli(['induce', 'corpus.jsonl', '--use-case', 'intent', '--labels', '3', '--induce-sample', '100', '--out', 'tax-new.json', '--no-config']);
    expect(withNew.code).toBe(0);
    expect(withNew.err).not.toContain('note: --');
    // The same induction either way, from the 100 records asked for (less the validation share), not from all 240.
    const used = (out: string) => Number(/from (\d+) of 240 records/.exec(out)?.[1]);
    expect(used(r.out)).toBe(used(withNew.out));
    expect(used(r.out)).toBeGreaterThan(50);
    expect(used(r.out)).toBeLessThanOrEqual(100);
    const labelsOf = (file: string) => TaxonomySchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8'))).labels;
    expect(labelsOf('tax-old.json')).toEqual(labelsOf('tax-new.json'));
    expect(labelsOf('tax-new.json')).toHaveLength(3);
  }, 60_000);

  it('corpus warnings name the flag (--text-field), not the library option (textField)', async () => {
    writeFileSync(join(dir, 'body.jsonl'), [...lines.slice(0, 60), '{"id":"b1","body":"where is my card"}'].join('\n') + '\n');
    const r = await cli(['induce', 'body.jsonl', '--use-case', 'intent', '--labels', '3', '--out', 'tax-body.json', '--no-config']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/body\.jsonl:61: field "text": missing \(fields: id, body\); pass --text-field <name>/);
    expect(r.err).not.toContain('textField');
  }, 60_000);

  it('`predict` on the model of a run writes byte for byte the predictions of the run, labelId included', async () => {
    const run = await cli(['run', 'corpus.jsonl', '--use-case', 'intent', '--labels', '4', '--label-sample', '120', '--out-dir', 'out', '-q', '--no-config']);
    expect(run.code).toBe(0);
    const predict = await cli(['predict', 'out/model.json', 'corpus.jsonl', '--out', 'again.jsonl', '-q', '--no-config']);
    expect(predict.code).toBe(0);
    const fromRun = readFileSync(join(dir, 'out', 'predictions.jsonl'), 'utf8');
    expect(readFileSync(join(dir, 'again.jsonl'), 'utf8')).toBe(fromRun);
    const taxonomy = TaxonomySchema.parse(JSON.parse(readFileSync(join(dir, 'out', 'taxonomy.json'), 'utf8')));
    const preds = fromRun.trim().split('\n').map((l) => LabelAssignmentSchema.parse(JSON.parse(l)));
    expect(preds).toHaveLength(240);
    expect(preds.every((p) => taxonomy.labels.some((l) => l.id === p.labelId && l.name === p.label))).toBe(true);
  }, 120_000);

  it('label -> distill -> predict: the predictions carry the labelId of the label lines', async () => {
    expect((await cli(['induce', 'corpus.jsonl', '--use-case', 'intent', '--labels', '4', '--out', 'tax.json', '-q', '--no-config'])).code).toBe(0);
    expect((await cli(['label', 'corpus.jsonl', '--taxonomy', 'tax.json', '--label-sample', '120', '--out', 'labels.jsonl', '-q', '--no-config'])).code).toBe(0);
    expect((await cli(['distill', 'labels.jsonl', '--corpus', 'corpus.jsonl', '--out', 'm.json', '-q', '--no-config'])).code).toBe(0);
    expect((await cli(['predict', 'm.json', 'corpus.jsonl', '--out', 'p.jsonl', '-q', '--no-config'])).code).toBe(0);
    const taxonomy = TaxonomySchema.parse(JSON.parse(readFileSync(join(dir, 'tax.json'), 'utf8')));
    const preds = readFileSync(join(dir, 'p.jsonl'), 'utf8').trim().split('\n').map((l) => LabelAssignmentSchema.parse(JSON.parse(l)));
    expect(preds.length).toBe(240);
    expect(preds.every((p) => p.labelId !== undefined && taxonomy.labels.some((l) => l.id === p.labelId && l.name === p.label))).toBe(true);
  }, 120_000);

  it('an unknown --classifier is a usage error listing the known ones', async () => {
    const r = await cli(['distill', 'labels.jsonl', '--corpus', 'corpus.jsonl', '--out', 'x.json', '--classifier', 'forest', '--no-config']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown classifier "forest"');
    expect(r.err).toContain('linear-svm');
  }, 60_000);
});
