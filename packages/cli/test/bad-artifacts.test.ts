/**
 * Bad artifacts and inputs are input errors (exit 3) naming the file and the field, never "this looks like a bug"
 * with a stack trace, and never accepted silently: a taxonomy with duplicate names, no labels, a label called
 * "none", a parent cycle or a stale content id; a model file with damaged base64 or NaN weights; label lines outside
 * the taxonomy; an --out-dir under a regular file or where no directory can be made (/proc/x, which used to hang).
 * Every skipped corpus line is written to a rejects file. Table-driven, in-process through main().
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { memoryIO } from './helpers.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');
const corpusLines = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 150);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('bad artifacts and inputs: exit 3 with file and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taxonomist-bad-'));
  const run = async (args: string[]) => {
    const io = memoryIO({ cwd: dir });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };
  const readJson = (name: string): Json => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Json;

  /** A taxonomy directory (taxonomy.json + the cluster model offline labeling needs) made from the base run's. */
  const taxonomyCase = (name: string, edit: (t: Json) => void): string[] => {
    const t = readJson('base/taxonomy.json');
    edit(t);
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'taxonomy.json'), JSON.stringify(t, null, 2));
    copyFileSync(join(dir, 'base/cluster-model.json'), join(dir, name, 'cluster-model.json'));
    return ['label', 'corpus.jsonl', '--taxonomy', `${name}/taxonomy.json`, '--out', `${name}/labels.jsonl`];
  };
  const modelCase = (name: string, edit: (m: Json) => void): string[] => {
    const m = readJson('base/model.json');
    edit(m);
    writeFileSync(join(dir, name), JSON.stringify(m));
    return ['predict', name, 'corpus.jsonl', '--out', `${name}.predictions.jsonl`];
  };
  const nanWeights = (m: Json): void => {
    const bytes = Buffer.from(m.classifier.weights as string, 'base64');
    bytes.writeFloatLE(Number.NaN, 4);
    m.classifier.weights = bytes.toString('base64');
  };

  beforeAll(async () => {
    writeFileSync(join(dir, 'corpus.jsonl'), corpusLines.join('\n') + '\n');
    writeFileSync(join(dir, 'a-file'), 'not a directory\n');
    const base = await run(['run', 'corpus.jsonl', '--use-case', 'intent', '--labels', '4', '--out-dir', 'base', '-q']);
    expect(base.code).toBe(0);
  }, 120_000);

  const cases: { name: string; args: () => string[]; file: string; field: string; says: RegExp }[] = [
    { name: 'taxonomy with duplicate names', args: () => taxonomyCase('dup', (t) => ((t.labels[1].name = t.labels[0].name), delete t.id)), file: 'dup/taxonomy.json', field: 'labels.1.name', says: /duplicate label name/ },
    { name: 'taxonomy with no labels', args: () => taxonomyCase('empty', (t) => ((t.labels = []), delete t.id)), file: 'empty/taxonomy.json', field: 'labels', says: /at least one label/ },
    { name: 'taxonomy with a label named "none"', args: () => taxonomyCase('none', (t) => ((t.labels[0].name = 'None'), delete t.id)), file: 'none/taxonomy.json', field: 'labels.0.name', says: /reserved/ },
    {
      name: 'taxonomy with a parent cycle',
      args: () => taxonomyCase('cycle', (t) => ((t.labels[0].parent = t.labels[1].id), (t.labels[1].parent = t.labels[0].id), delete t.id)),
      file: 'cycle/taxonomy.json',
      field: 'labels.0.parent',
      says: /parent cycle/,
    },
    { name: 'edited taxonomy keeping its old id', args: () => taxonomyCase('edited', (t) => (t.labels[0].description = 'edited by hand')), file: 'edited/taxonomy.json', field: 'id', says: /edited after it was written/ },
    { name: 'model.json with bad base64', args: () => modelCase('model-b64.json', (m) => (m.classifier.weights = '!!not base64**')), file: 'model-b64.json', field: 'classifier.weights', says: /not valid base64/ },
    { name: 'model.json with NaN weights', args: () => modelCase('model-nan.json', nanWeights), file: 'model-nan.json', field: 'classifier.weights', says: /NaN/ },
    {
      name: 'labels.jsonl with a label outside the taxonomy',
      args: () => {
        const lines = readFileSync(join(dir, 'base/labels.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);
        lines[0]!.label = 'NOT_IN_TAXONOMY';
        writeFileSync(join(dir, 'edited-labels.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
        return ['distill', 'edited-labels.jsonl', '--corpus', 'corpus.jsonl', '--out', 'edited-model.json'];
      },
      file: 'edited-labels.jsonl',
      field: 'label',
      says: /NOT_IN_TAXONOMY/,
    },
    { name: '--out-dir under a regular file', args: () => ['run', 'corpus.jsonl', '--use-case', 'intent', '--labels', '4', '--out-dir', 'a-file/run'], file: 'a-file', field: '', says: /is a file, not a directory/ },
    { name: '--out under a regular file', args: () => ['predict', 'base/model.json', 'corpus.jsonl', '--out', 'a-file/p.jsonl'], file: 'a-file', field: '', says: /is a file, not a directory/ },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const r = await run(c.args());
      expect(r.err).not.toMatch(/looks like a bug/);
      expect(r.err).not.toMatch(/^\s+at /m); // no stack trace
      expect(r.code).toBe(3);
      expect(r.err).toContain(c.file);
      if (c.field) expect(r.err).toContain(`"${c.field}"`);
      expect(r.err).toMatch(c.says);
    }, 60_000);
  }

  it('run never trains a class outside the taxonomy from a hand-edited labels.jsonl', async () => {
    cpSync(join(dir, 'base'), join(dir, 'edited-run'), { recursive: true });
    const path = join(dir, 'edited-run', 'labels.jsonl');
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);
    lines[0]!.label = 'NOT_IN_TAXONOMY';
    writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    rmSync(join(dir, 'edited-run', 'model.json')); // distill runs again on the edited lines
    const r = await run(['run', 'corpus.jsonl', '--use-case', 'intent', '--labels', '4', '--out-dir', 'edited-run', '-q']);
    expect(r.err).not.toMatch(/looks like a bug/);
    if (r.code === 3) {
      expect(r.err).toContain('labels.jsonl');
      expect(r.err).toContain('"label"');
      expect(r.err).toContain('NOT_IN_TAXONOMY');
    } else {
      // A resume that re-labels edited files (content hashes) is fine too, as long as the class never reaches the model.
      expect(r.code).toBe(0);
      expect(readJson('edited-run/model.json').labels).not.toContain('NOT_IN_TAXONOMY');
    }
  }, 120_000);

  it.skipIf(!existsSync('/proc/self'))('--out-dir /proc/x fails at once instead of hanging', async () => {
    const r = await run(['run', 'corpus.jsonl', '--use-case', 'intent', '--labels', '4', '--out-dir', '/proc/x']);
    expect(r.code).toBe(3);
    expect(r.err).toContain('/proc/x');
    expect(r.err).not.toMatch(/looks like a bug/);
  }, 20_000);

  it('every skipped corpus line is in the rejects file the warning names', async () => {
    const bad = ['not json', '{"id":"no-text","body":"x"}', ...Array.from({ length: 8 }, (_, i) => `{bad ${i}`)];
    writeFileSync(join(dir, 'gaps.jsonl'), [...corpusLines.slice(0, 20), ...bad, ...corpusLines.slice(20, 40)].join('\n') + '\n');
    const r = await run(['label', 'gaps.jsonl', '--taxonomy', 'base/taxonomy.json', '--out', 'gaps-labels.jsonl']);
    expect(r.code).toBe(0);
    const rejectsPath = join(dir, 'gaps-labels.rejects.jsonl');
    expect(r.err).toContain(`skipped 10 line(s)`);
    expect(r.err).toContain(rejectsPath);
    const rejects = readFileSync(rejectsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);
    expect(rejects.map((x) => x.line)).toEqual(Array.from({ length: 10 }, (_, i) => 21 + i));
    expect(rejects[1]).toMatchObject({ file: join(dir, 'gaps.jsonl'), line: 22, field: 'text', kind: 'missing_field' });
    for (const x of rejects) expect(x.reason).toMatch(/gaps\.jsonl:\d+: /);
    // A clean re-run removes the stale rejects file.
    await run(['label', 'corpus.jsonl', '--taxonomy', 'base/taxonomy.json', '--out', 'gaps-labels.jsonl', '--no-resume']);
    expect(existsSync(rejectsPath)).toBe(false);
  }, 60_000);
});
