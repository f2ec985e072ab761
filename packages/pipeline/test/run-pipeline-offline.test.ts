/**
 * runPipeline as a library, offline (no model: clustering taxonomy, nearest-centroid labels): every artifact is
 * written, a second call skips every stage, an edited artifact re-runs exactly the stages that read it, events tell
 * what happened, and failures are typed (kind) errors, never exits or prints.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireFileLock, RunManifestSchema } from '@taxonomist/core';
import { ARTIFACTS, PipelineError, PipelineRunError, RUN_LOCK_FILE, runPipeline, type PipelineEvent, type PipelineResult } from '../src/index.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

describe('runPipeline offline', () => {
  let dir: string;
  const out = (name: string): string => join(dir, 'out', name);
  const read = (name: string): string => readFileSync(out(name), 'utf8');
  const statuses = (r: PipelineResult): string[] => r.order.map((s) => `${s.stage}:${s.status}`);
  const run = async (extra: { signal?: AbortSignal } = {}): Promise<{ result: PipelineResult; events: PipelineEvent[] }> => {
    const events: PipelineEvent[] = [];
    const result = await runPipeline('corpus.jsonl', { outDir: 'out', cwd: dir, useCase: 'intent', labelSample: 200, seed: 7, onEvent: (e) => events.push(e), ...extra });
    return { result, events };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipeline-offline-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 300).join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every stage, writes every artifact and the manifest, and says so through events', async () => {
    const { result, events } = await run();
    expect(statuses(result)).toEqual(['induce:done', 'label:done', 'distill:done', 'predict:done', 'report:done']);
    expect(result.outcome).toBe('ok');
    expect(result.outDir).toBe(join(dir, 'out'));
    expect(result.report).toBe(out(ARTIFACTS.report));
    for (const name of [ARTIFACTS.taxonomy, ARTIFACTS.clusterModel, ARTIFACTS.labels, ARTIFACTS.model, ARTIFACTS.predictions, ARTIFACTS.report, ARTIFACTS.manifest]) expect(existsSync(out(name)), name).toBe(true);
    expect(result.stages.predict!.records).toBe(300);
    expect(result.stages.label!.artifacts).toEqual([ARTIFACTS.labels]);
    expect(read(ARTIFACTS.predictions).trim().split('\n')).toHaveLength(300);
    expect(read(ARTIFACTS.report)).toMatch(/^<!doctype html>/i);
    const manifest = RunManifestSchema.parse(JSON.parse(read(ARTIFACTS.manifest)));
    expect(manifest.tool.name).toBe('@taxonomist/pipeline');
    expect(manifest.stages.map((s) => `${s.name}:${s.status}`)).toEqual(['induce:done', 'label:done', 'distill:done', 'predict:done', 'report:done']);
    // Events: the offline notice once, each stage started and ended in order, progress bars opened and closed.
    expect(events.filter((e) => e.type === 'notice').map((e) => (e as { key: string }).key)).toContain('offline-baseline');
    expect(events.filter((e) => e.type === 'stage:start').map((e) => (e as { stage: string }).stage)).toEqual(['induce', 'label', 'distill', 'predict', 'report']);
    expect(events.filter((e) => e.type === 'stage:end').map((e) => (e as { stage: string }).stage)).toEqual(['induce', 'label', 'distill', 'predict', 'report']);
    const started = events.filter((e) => e.type === 'progress:start').map((e) => (e as { id: number }).id);
    const endedBars = events.filter((e) => e.type === 'progress:end').map((e) => (e as { id: number }).id);
    expect(started.length).toBeGreaterThan(0);
    expect(endedBars.sort()).toEqual(started.sort());
    expect(existsSync(out(RUN_LOCK_FILE))).toBe(false); // the out-dir lock is released
  }, 120_000);

  it('a second call with the same inputs skips every stage (the report is re-rendered) and writes the same artifacts', async () => {
    const before = [ARTIFACTS.taxonomy, ARTIFACTS.labels, ARTIFACTS.model, ARTIFACTS.predictions].map(read);
    const { result, events } = await run();
    expect(statuses(result)).toEqual(['induce:skipped', 'label:skipped', 'distill:skipped', 'predict:skipped', 'report:done']);
    expect(events.filter((e) => e.type === 'info').map((e) => (e as { message: string }).message)).toContain('induce: unchanged since the last run, skipped');
    expect([ARTIFACTS.taxonomy, ARTIFACTS.labels, ARTIFACTS.model, ARTIFACTS.predictions].map(read)).toEqual(before);
  }, 60_000);

  it('force redoes a stage that is unchanged; its deterministic output leaves the next stages skipped', async () => {
    const model = read(ARTIFACTS.model);
    const result = await runPipeline('corpus.jsonl', { outDir: 'out', cwd: dir, useCase: 'intent', labelSample: 200, seed: 7, force: ['distill'] });
    expect(statuses(result)).toEqual(['induce:skipped', 'label:skipped', 'distill:done', 'predict:skipped', 'report:done']);
    expect(read(ARTIFACTS.model)).toBe(model);
  }, 60_000);

  it('until stops after the given stage: later stages are not reached', async () => {
    const result = await runPipeline('corpus.jsonl', { outDir: 'out-until', cwd: dir, useCase: 'intent', labelSample: 50, until: 'label' });
    expect(statuses(result)).toEqual(['induce:done', 'label:done']);
    expect(existsSync(join(dir, 'out-until', ARTIFACTS.labels))).toBe(true);
    expect(existsSync(join(dir, 'out-until', ARTIFACTS.model))).toBe(false);
    const rest = await runPipeline('corpus.jsonl', { outDir: 'out-until', cwd: dir, useCase: 'intent', labelSample: 50 });
    expect(statuses(rest)).toEqual(['induce:skipped', 'label:skipped', 'distill:done', 'predict:done', 'report:done']);
  }, 60_000);

  it('labels.jsonl edited by hand (valid): kept, and only the stages that read it run again', async () => {
    const taxonomy = JSON.parse(read(ARTIFACTS.taxonomy)) as { labels: { name: string }[] };
    const lines = read(ARTIFACTS.labels).trim().split('\n').map((l) => JSON.parse(l) as { status: string; label?: string; labelId?: string });
    const ok = lines.findIndex((l) => l.status === 'ok');
    const other = taxonomy.labels.find((l) => l.name !== lines[ok]!.label)!;
    const edited = { ...lines[ok]!, label: other.name };
    delete edited.labelId;
    lines[ok] = edited;
    writeFileSync(out(ARTIFACTS.labels), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const model = read(ARTIFACTS.model);
    const { result, events } = await run();
    expect(statuses(result)).toEqual(['induce:skipped', 'label:skipped', 'distill:done', 'predict:done', 'report:done']);
    expect(events.some((e) => e.type === 'warning' && e.message.includes('labels.jsonl changed since the run wrote it'))).toBe(true);
    expect(read(ARTIFACTS.model)).not.toBe(model);
    expect(read(ARTIFACTS.labels)).toContain(other.name);
  }, 60_000);

  it('takes the corpus as records too: written to corpus.jsonl in the out-dir, read from there, skipped when the same', async () => {
    const records = readFileSync(join(dir, 'corpus.jsonl'), 'utf8').trim().split('\n').slice(0, 150).map((l) => JSON.parse(l) as { id: string; text: string; label: string });
    const options = { outDir: 'out-records', cwd: dir, useCase: 'intent', labelSample: 100, goldField: 'label' };
    const first = await runPipeline(records, options);
    expect(first.order.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(readFileSync(join(dir, 'out-records', 'corpus.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual(records);
    expect(readFileSync(join(dir, 'out-records', ARTIFACTS.predictions), 'utf8').trim().split('\n')).toHaveLength(150);
    expect(JSON.parse(readFileSync(join(dir, 'out-records', ARTIFACTS.goldEval), 'utf8')).gold.n).toBe(150);
    const again = await runPipeline(records, options);
    expect(again.order.map((s) => s.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'done']);
    const bad = await runPipeline([{ id: 'x', text: 3 } as never], { outDir: 'out-bad-records', cwd: dir }).catch((e: unknown) => e);
    expect((bad as PipelineError).kind).toBe('input');
    expect((bad as PipelineError).message).toBe('record 1: text must be a string');
  }, 90_000);

  it('bad input is a typed error naming the file; nothing is printed or exited', async () => {
    writeFileSync(join(dir, 'empty.jsonl'), '{"id": "a"}\n{"id": "b"}\n');
    const err = await runPipeline('empty.jsonl', { outDir: 'out-empty', cwd: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect((err as PipelineError).kind).toBe('input');
    expect((err as PipelineError).message).toContain('empty.jsonl: no usable records');
    expect((err as PipelineError).hint).toMatch(/--text-field/);
  }, 30_000);

  it('unknown or invalid options are usage errors naming the option', async () => {
    const unknown = await runPipeline('corpus.jsonl', { outDir: 'out', cwd: dir, labelSampel: 10 } as never).catch((e: unknown) => e);
    expect((unknown as PipelineError).kind).toBe('usage');
    expect((unknown as PipelineError).message).toMatch(/labelSampel/);
    const invalid = await runPipeline('corpus.jsonl', { outDir: 'out', cwd: dir, holdout: 0.9 }).catch((e: unknown) => e);
    expect((invalid as PipelineError).kind).toBe('usage');
    expect((invalid as PipelineError).message).toMatch(/holdout/);
  });

  it('an out-dir another run holds is a locked error; nothing is written', async () => {
    const lock = await acquireFileLock(join(dir, 'out'), { lockPath: out(RUN_LOCK_FILE), purpose: 'another run' });
    try {
      const err = await run().catch((e: unknown) => e);
      expect((err as PipelineError).kind).toBe('locked');
    } finally {
      await lock.release();
    }
  }, 30_000);

  it('an aborted signal stops the run as interrupted, with the stages so far', async () => {
    rmSync(out(ARTIFACTS.predictions));
    const controller = new AbortController();
    const events: PipelineEvent[] = [];
    const pending = runPipeline('corpus.jsonl', {
      outDir: 'out',
      cwd: dir,
      useCase: 'intent',
      labelSample: 200,
      seed: 7,
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'stage:start' && e.stage === 'predict') controller.abort(Object.assign(new Error('stop'), { name: 'AbortError' }));
      },
    });
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineRunError);
    expect((err as PipelineRunError).kind).toBe('interrupted');
    expect((err as PipelineRunError).result.order.map((s) => `${s.stage}:${s.status}`)).toEqual(['induce:skipped', 'label:skipped', 'distill:skipped', 'predict:stopped']);
    // Resumable: the next call finishes what was left.
    const { result } = await run();
    expect(statuses(result)).toEqual(['induce:skipped', 'label:skipped', 'distill:skipped', 'predict:done', 'report:done']);
  }, 60_000);
});
