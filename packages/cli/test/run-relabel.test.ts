/**
 * `taxonomist run --relabel` / `--relabel-model`: the labels the audit disputes are re-asked and a differing answer
 * replaces them, with the provenance on the label line and the count in the summary and the manifest.
 * The "LLM" (local OpenAI-compatible server) answers one text in six wrongly ("Account and identity") when asked by
 * the model "noisy-model" at temperature 0; its samples at a temperature > 0 (self-consistency) and the model
 * "strong-model" answer right.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultAnswer, startOpenAIServer, type ChatRequestInfo, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { isNoisy, noisyLlm, WRONG } from './noisy-llm.js';
import { topicOf } from './scripted-llm.js';
import { memoryIO } from './helpers.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');
/** While true, the model "flaky-model" answers with a 401 (the gateway stops calling it). */
let flakyDown = false;
/** Labeling requests to the noisy model at temperature 0 (the labels bought), counted to prove none is bought twice. */
let greedyLabelCalls = 0;

function flakyNoisyLlm(info: ChatRequestInfo) {
  if (info.model === 'flaky-model' && flakyDown) return faultAnswer({ kind: 'auth' });
  if (info.schemaName === 'label_answer' && info.model === 'noisy-model' && !(Number(info.body.temperature ?? 0) > 0)) greedyLabelCalls++;
  return noisyLlm(info);
}

describe('run --relabel / --relabel-model', () => {
  let server: OpenAIServer;
  let dir: string;
  let textOf: Map<string, string>;
  beforeAll(async () => {
    server = await startOpenAIServer({ script: flakyNoisyLlm });
    dir = mkdtempSync(join(tmpdir(), 'taxonomist-relabel-'));
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 300);
    textOf = new Map(lines.map((l) => JSON.parse(l) as { id: string; text: string }).map((r) => [r.id, r.text]));
    writeFileSync(join(dir, 'corpus.jsonl'), lines.join('\n') + '\n');
  });
  afterAll(() => server.close());

  const run = async (outDir: string, extra: string[]) => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'k' } });
    const code = await main(['run', 'corpus.jsonl', '--use-case', 'intent', '--model', 'openai:noisy-model', '--base-url', server.url, '--out-dir', outDir, '--label-budget', '120', ...extra], io);
    return { code, out: io.out(), err: io.err() };
  };
  type Line = { id: string; label: string; relabel?: { from: string; policy: string; answers: (string | null)[]; changed: boolean; model?: string } };
  const labelLines = (outDir: string) => readFileSync(join(dir, outDir, 'labels.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
  const labelCounts = (outDir: string) =>
    (JSON.parse(readFileSync(join(dir, outDir, 'manifest.json'), 'utf8')) as { stages: { name: string; counts?: Record<string, number> }[] }).stages.find((s) => s.name === 'label')!.counts!;

  it('--relabel-model: disputed labels are re-asked with the second model; changed ones carry the original', async () => {
    const r = await run('out-model', ['--relabel-model', 'openai:strong-model']);
    expect(r.code, r.err).toBe(0);
    const lines = labelLines('out-model');
    expect(lines).toHaveLength(120);
    const relabeled = lines.filter((l) => l.relabel);
    const changed = relabeled.filter((l) => l.relabel!.changed);
    expect(relabeled.length).toBeGreaterThan(0);
    expect(relabeled.length).toBeLessThanOrEqual(12); // at most 10% of the labels
    expect(changed.length).toBeGreaterThan(0);
    for (const l of changed) {
      // The strong model's (right) answer replaced a wrong answer of the noisy model.
      expect(l.label).toBe(topicOf(textOf.get(l.id)!));
      expect(l.relabel).toMatchObject({ from: WRONG, policy: 'second-opinion', answers: [l.label], model: 'openai:strong-model' });
      expect(isNoisy(textOf.get(l.id)!)).toBe(true);
    }
    expect(labelCounts('out-model')).toMatchObject({ relabelAsked: relabeled.length, relabelChanged: changed.length });
    expect(r.out).toContain(`with openai:strong-model: ${changed.length} changed`);
    // Same flags again: nothing to redo, nothing re-asked.
    const again = await run('out-model', ['--relabel-model', 'openai:strong-model']);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/^label +skipped +120/m);
  }, 300_000);

  it('a provider stop while re-labeling exits 4; the re-run resumes, buys no label twice and re-labels', async () => {
    flakyDown = true;
    const first = await run('out-flaky', ['--relabel-model', 'openai:flaky-model']);
    expect(first.code).toBe(4);
    expect(first.err).toMatch(/error: relabel: [\s\S]*; 12 record\(s\) not re-asked/);
    expect(labelLines('out-flaky').some((l) => l.relabel)).toBe(false);
    flakyDown = false;
    const bought = greedyLabelCalls;
    const again = await run('out-flaky', ['--relabel-model', 'openai:flaky-model']);
    expect(again.code, again.err).toBe(0);
    expect(greedyLabelCalls).toBe(bought);
    const changed = labelLines('out-flaky').filter((l) => l.relabel?.changed);
    expect(changed.length).toBeGreaterThan(0);
    for (const l of changed) expect(l.label).toBe(topicOf(textOf.get(l.id)!));
    expect(labelCounts('out-flaky')).toMatchObject({ relabelChanged: changed.length, relabelFailed: 0 });
  }, 300_000);

  it('--relabel: the same model by self-consistency; without a re-labeling flag nothing is re-asked', async () => {
    const r = await run('out-self', ['--relabel']);
    expect(r.code, r.err).toBe(0);
    const relabeled = labelLines('out-self').filter((l) => l.relabel);
    const changed = relabeled.filter((l) => l.relabel!.changed);
    expect(changed.length).toBeGreaterThan(0);
    for (const l of changed) {
      expect(l.label).toBe(topicOf(textOf.get(l.id)!));
      expect(l.relabel).toMatchObject({ from: WRONG, model: 'openai:noisy-model (self-consistency x5)' });
    }
    expect(labelCounts('out-self')).toMatchObject({ relabelChanged: changed.length });
    expect(r.out).toMatch(/; re-asked \d+ of \d+ disputed labels \(audit\) with openai:noisy-model by self-consistency \(5 samples\): \d+ changed/);

    const plain = await run('out-plain', []);
    expect(plain.code, plain.err).toBe(0);
    expect(labelLines('out-plain').some((l) => l.relabel)).toBe(false);
    expect(labelLines('out-plain').filter((l) => l.label === WRONG && isNoisy(textOf.get(l.id)!)).length).toBeGreaterThan(0);
  }, 300_000);
});
