/**
 * `taxonomist run --shard i/n` from the command line, offline, the documented sequence on 2 shards: each shard run
 * labels its share and stops (exit 0, saying what to do), `merge` joins the labels, the same command again distills
 * and predicts the share, `merge` joins the predictions, and `report` renders them: labels and predictions are the
 * unsharded run's bytes. A combination that cannot be sharded is a usage error (exit 2).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { memoryIO } from './helpers.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

describe('run --shard', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'taxonomist-run-shard-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 160).join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = async (args: string[]) => {
    const io = memoryIO({ cwd: dir });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };
  const run = (outDir: string, extra: string[] = []) => cli(['run', 'corpus.jsonl', '--use-case', 'intent', '--label-sample', '60', '--out-dir', outDir, '-q', ...extra]);
  const file = (...parts: string[]) => readFileSync(join(dir, ...parts), 'utf8');

  it('labels the shares, merges, distills and predicts the shares, merges: the unsharded bytes', async () => {
    expect((await run('whole')).code).toBe(0);
    for (const i of [0, 1]) {
      const r = await run(`s${i}`, ['--shard', `${i}/2`]);
      expect(r.code, r.err).toBe(0);
    }
    const m = await cli(['merge', 's1/labels.jsonl', 's0/labels.jsonl', '--corpus', 'corpus.jsonl', '--out', 'labels.jsonl', '-q']);
    expect(m.code, m.err).toBe(0);
    expect(file('labels.jsonl')).toBe(file('whole', 'labels.jsonl'));
    for (const i of [0, 1]) {
      copyFileSync(join(dir, 'labels.jsonl'), join(dir, `s${i}`, 'labels.jsonl'));
      const r = await run(`s${i}`, ['--shard', `${i}/2`]);
      expect(r.code, r.err).toBe(0);
    }
    expect((await cli(['merge', 's0/predictions.jsonl', 's1/predictions.jsonl', '--corpus', 'corpus.jsonl', '--out', 's0/predictions.jsonl.merged', '-q'])).code).toBe(0);
    expect(file('s0', 'predictions.jsonl.merged')).toBe(file('whole', 'predictions.jsonl'));
    copyFileSync(join(dir, 's0', 'predictions.jsonl.merged'), join(dir, 's0', 'predictions.jsonl'));
    const report = await cli(['report', 's0', '-q']);
    expect(report.code, report.err).toBe(0);
    expect(file('s0', 'report.html')).toMatch(/^<!doctype html>/i);
  }, 240_000);

  it('refuses a bad --shard value and --shard with --gold-field (exit 2)', async () => {
    const bad = await run('bad', ['--shard', '2/2']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--shard: the shard index is 0-based/);
    const gold = await run('bad', ['--shard', '0/2', '--gold-field', 'label']);
    expect(gold.code).toBe(2);
    expect(gold.err).toMatch(/--shard and --gold-field do not go together/);
  }, 60_000);
});
