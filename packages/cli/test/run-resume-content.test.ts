/**
 * Resume by content: every stage of `taxonomist run` records the sha256 of the artifacts it read and wrote in
 * manifest.json. A deleted or changed upstream artifact re-runs the stages that read it (never a stale model or
 * predictions from old labels), a hand-edited artifact is validated and kept, and nothing changed skips everything.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunManifestSchema, sha256 } from '@taxonomist/core';
import { startOpenAIServer, type ChatRequestInfo, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { memoryIO } from './helpers.js';
import { scriptedLlm } from './scripted-llm.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

describe('run: resume by content', () => {
  let server: OpenAIServer;
  let dir: string;
  beforeAll(async () => {
    server = await startOpenAIServer({ script: scriptedLlm });
    dir = mkdtempSync(join(tmpdir(), 'taxonomist-content-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 120).join('\n') + '\n');
    writeFileSync(join(dir, 'taxonomist.config.json'), JSON.stringify({ defaults: { model: 'openai:test-model' } }));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const out = (name: string) => join(dir, 'out', name);
  const read = (name: string) => readFileSync(out(name), 'utf8');
  const run = async (...extra: string[]) => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'k' } });
    const args = ['run', 'corpus.jsonl', '--use-case', 'intent', '--base-url', server.url, '--label-sample', '80', '--sample-size', '40', '--batch-size', '20'];
    const code = await main([...args, ...extra, '--json'], io);
    const stages = code === 0 ? (JSON.parse(io.out()) as { stages: { stage: string; status: string }[] }).stages.map((s) => `${s.stage}:${s.status}`) : [];
    return { code, stages, err: io.err() };
  };
  const manifest = () => RunManifestSchema.parse(JSON.parse(read('manifest.json')));

  it('records the content hashes of what each stage read and wrote', async () => {
    const first = await run();
    expect(first.code).toBe(0);
    const stages = Object.fromEntries(manifest().stages.map((s) => [s.name, s]));
    expect(stages.label!.inputs).toEqual({ 'taxonomy.json': sha256(read('taxonomy.json')) });
    expect(stages.distill!.inputs).toEqual({ 'taxonomy.json': sha256(read('taxonomy.json')), 'labels.jsonl': sha256(read('labels.jsonl')) });
    expect(stages.distill!.outputs).toEqual({ 'model.json': sha256(read('model.json')) });
    expect(stages.predict!.outputs).toEqual({ 'predictions.jsonl': sha256(read('predictions.jsonl')) });
  }, 120_000);

  it('nothing changed: every stage is skipped', async () => {
    expect((await run()).stages).toEqual(['induce:skipped', 'label:skipped', 'distill:skipped', 'predict:skipped', 'report:done']);
  }, 60_000);

  it('labels.jsonl deleted and labeled again with other answers: distill and predict run again on the new labels', async () => {
    const [labels, model, predictions] = [read('labels.jsonl'), read('model.json'), read('predictions.jsonl')];
    unlinkSync(out('labels.jsonl'));
    // The model now answers differently for texts about cards (and the cache is bypassed), as a real LLM may.
    server.setScript((info: ChatRequestInfo) => scriptedLlm(info.schemaName === 'label_answer' ? { ...info, lastUserMessage: info.lastUserMessage.replace(/card/gi, 'transfer') } : info));
    try {
      const again = await run('--no-cache');
      expect(again.stages).toEqual(['induce:skipped', 'label:done', 'distill:done', 'predict:done', 'report:done']);
    } finally {
      server.setScript(scriptedLlm);
    }
    expect(read('labels.jsonl')).not.toBe(labels);
    expect(read('model.json')).not.toBe(model);
    expect(read('predictions.jsonl')).not.toBe(predictions);
  }, 60_000);

  it('labels.jsonl deleted and labeled again to the same content: the stages after it are still valid and skipped', async () => {
    const labels = read('labels.jsonl');
    unlinkSync(out('labels.jsonl'));
    expect((await run('--no-cache')).stages).toEqual(['induce:skipped', 'label:done', 'distill:done', 'predict:done', 'report:done']); // back to the usual answers
    const restored = read('labels.jsonl');
    expect(restored).not.toBe(labels);
    unlinkSync(out('labels.jsonl'));
    expect((await run()).stages).toEqual(['induce:skipped', 'label:done', 'distill:skipped', 'predict:skipped', 'report:done']);
    expect(read('labels.jsonl')).toBe(restored);
  }, 60_000);

  it('model.json deleted: distill runs again (the same model, so predictions stay valid)', async () => {
    const model = read('model.json');
    unlinkSync(out('model.json'));
    expect((await run()).stages).toEqual(['induce:skipped', 'label:skipped', 'distill:done', 'predict:skipped', 'report:done']);
    expect(read('model.json')).toBe(model);
  }, 60_000);

  it('predictions.jsonl edited to something else: kept only when valid', async () => {
    const predictions = read('predictions.jsonl');
    writeFileSync(out('predictions.jsonl'), predictions.replace('"status":"ok"', '"status":"maybe"'));
    const bad = await run();
    expect(bad.code).toBe(3);
    expect(bad.err).toContain('predictions.jsonl was changed since the run wrote it and is not valid');
    unlinkSync(out('predictions.jsonl'));
    expect((await run()).stages).toEqual(['induce:skipped', 'label:skipped', 'distill:skipped', 'predict:done', 'report:done']);
    expect(read('predictions.jsonl')).toBe(predictions);
  }, 60_000);

  it('taxonomy.json edited by hand: validated, kept, and everything after it runs again', async () => {
    const taxonomy = JSON.parse(read('taxonomy.json')) as { id?: string; labels: { name: string; description: string }[] };
    writeFileSync(out('taxonomy.json'), JSON.stringify({ ...taxonomy, labels: [{ description: 'a label without a name' }] }, null, 2));
    const bad = await run();
    expect(bad.code).toBe(3);
    expect(bad.err).toContain('taxonomy.json was changed since the run wrote it and is not valid');

    taxonomy.labels[0]!.description = 'Edited by hand: ' + taxonomy.labels[0]!.description;
    // A content id (tax-<hash>) kept after an edit is refused as stale (exit 3): an edit drops it or sets the new one.
    writeFileSync(out('taxonomy.json'), JSON.stringify({ ...taxonomy, id: undefined }, null, 2));
    const edited = await run();
    expect(edited.stages).toEqual(['induce:skipped', 'label:done', 'distill:done', 'predict:done', 'report:done']);
    expect(edited.err).toContain('taxonomy.json changed since the run wrote it');
    expect(read('taxonomy.json')).toContain('Edited by hand: '); // the edit is kept, not induced over
    expect((await run()).stages).toEqual(['induce:skipped', 'label:skipped', 'distill:skipped', 'predict:skipped', 'report:done']);
  }, 120_000);
});
