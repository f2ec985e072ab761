/**
 * End to end: BUILD the packages, then run the built `taxonomist` binary as a child process, offline on the bundled
 * sample corpus and through the local OpenAI-compatible server, and check every artifact against its contract.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelAssignmentSchema, RunManifestSchema, TaxonomySchema, type LabelAssignment, type RunManifest, type Taxonomy } from '@taxonomist/core';
import { loadClassifier } from '@taxonomist/distill';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { scriptedLlm, topicOf } from '../packages/cli/test/scripted-llm.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'packages/cli/bin/taxonomist.js');
const SAMPLE = join(ROOT, 'examples/data/banking-sample.jsonl');
const USE_CASE = "the customer's intent in online-banking support queries";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI asynchronously (the local server lives in this process and must keep answering). */
function cli(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

const corpusLines = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string; label: string });
const corpusIds = corpusLines.map((r) => r.id);

function readJsonl(path: string): unknown[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
}

function assignments(path: string): LabelAssignment[] {
  return readJsonl(path).map((v, i) => {
    const parsed = LabelAssignmentSchema.safeParse(v);
    if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.message}`);
    return parsed.data;
  });
}

/** The checks every run directory must pass, whatever engine made it. */
async function checkArtifacts(dir: string, labelSample: number): Promise<{ taxonomy: Taxonomy; manifest: RunManifest; predictions: LabelAssignment[]; labels: LabelAssignment[] }> {
  const taxonomy = TaxonomySchema.parse(JSON.parse(readFileSync(join(dir, 'taxonomy.json'), 'utf8')));
  expect(taxonomy.schemaVersion).toBe(1);
  expect(taxonomy.useCase).toBe(USE_CASE);
  expect(taxonomy.labels.length).toBeGreaterThanOrEqual(2);
  const names = new Set(taxonomy.labels.map((l) => l.name));

  const labels = assignments(join(dir, 'labels.jsonl'));
  expect(labels).toHaveLength(Math.min(labelSample, corpusIds.length));
  expect(new Set(labels.map((a) => a.id)).size).toBe(labels.length);
  for (const a of labels) {
    expect(corpusIds).toContain(a.id);
    if (a.status === 'ok') expect(names.has(a.label!)).toBe(true);
  }

  const predictions = assignments(join(dir, 'predictions.jsonl'));
  // one line per input id, in input order
  expect(predictions.map((p) => p.id)).toEqual(corpusIds);
  for (const p of predictions) {
    expect(p.status).toBe('ok');
    expect(names.has(p.label!)).toBe(true);
    expect(p.confidence).toBeGreaterThan(0);
    expect(p.confidenceMethod).toBe('classifier');
    expect(p.labelId).toBe(taxonomy.labels.find((l) => l.name === p.label)!.id);
  }

  // model.json loads with the library and predicts what predictions.jsonl says
  const model = await loadClassifier(join(dir, 'model.json'));
  expect(model.taxonomyId).toBe(taxonomy.id);
  const again = await model.predict(corpusLines.slice(0, 50).map((r) => r.text), { k: 1 });
  expect(again.map((p) => p.label)).toEqual(predictions.slice(0, 50).map((p) => p.label));

  const manifest = RunManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  expect(manifest.stages.map((s) => [s.name, s.status])).toEqual([
    ['induce', 'done'],
    ['label', 'done'],
    ['distill', 'done'],
    ['predict', 'done'],
    ['report', 'done'],
  ]);
  for (const s of manifest.stages) for (const a of s.artifacts) expect(existsSync(join(dir, a)), `${s.name} artifact ${a}`).toBe(true);
  expect(manifest.input.records).toBe(corpusIds.length);

  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  for (const id of ['taxonomy', 'distribution', 'history', 'quality', 'cost']) expect(html).toContain(`id="${id}"`);
  for (const l of taxonomy.labels) expect(html).toContain(l.name.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
  expect(html).not.toMatch(/src="http|href="http/);
  expect(html.match(/<script/g)).toHaveLength(1); // the search box's, allowed by its hash (report-render.test.ts)
  return { taxonomy, manifest, predictions, labels };
}

beforeAll(async () => {
  // The CLI under test is the BUILT one (dist/), exactly as `npx taxonomist` would run it.
  try {
    await promisify(execFile)('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    // tsc reports type errors on stdout: show them instead of a bare "Command failed".
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`the build failed (npx tsc -b tsconfig.build.json):\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}, 600_000);

describe('taxonomist (built binary)', () => {
  it('--help exits 0 and lists the commands', async () => {
    const r = await cli(['--help'], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^  run /m);
    expect(r.stdout).toMatch(/^  induce /m);
  });

  it('run works offline on the sample corpus, says so once, and resumes by skipping finished stages', async () => {
    const work = mkdtempSync(join(tmpdir(), 'taxonomist-e2e-offline-'));
    const r = await cli(['run', SAMPLE, '--use-case', USE_CASE, '--out-dir', 'out', '--gold-field', 'label'], { cwd: work });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/offline non-LLM baseline/g)).toHaveLength(1);
    expect(r.stderr).toContain('--model openai:gpt-4o-mini');
    const out = join(work, 'out');
    const { taxonomy, manifest } = await checkArtifacts(out, 1000);
    expect(taxonomy.method).toBe('cluster');
    expect(existsSync(join(out, 'cluster-model.json'))).toBe(true);
    expect(manifest.options.engine).toBe('offline');
    const gold = JSON.parse(readFileSync(join(out, 'gold-eval.json'), 'utf8')) as { gold: { nmi: number; n: number } };
    expect(gold.gold.n).toBe(847);
    expect(gold.gold.nmi).toBeGreaterThan(0.3); // far above a random labeling (about 0.1 for 25 clusters)
    expect(r.stdout).toMatch(/^predict\s+done\s+847/m);

    const before = readFileSync(join(out, 'predictions.jsonl'));
    const again = await cli(['run', SAMPLE, '--use-case', USE_CASE, '--out-dir', 'out', '--gold-field', 'label', '--json'], { cwd: work });
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout) as { exitCode: number; stages: { stage: string; status: string }[] };
    expect(summary.stages.map((s) => s.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'done']);
    expect(readFileSync(join(out, 'predictions.jsonl')).equals(before)).toBe(true);
  }, 180_000);

  describe('through the local OpenAI-compatible server', () => {
    let server: OpenAIServer;
    beforeAll(async () => {
      server = await startOpenAIServer({ script: scriptedLlm, apiKey: 'test-key' });
    });
    afterAll(async () => {
      await server.close();
    });

    it('run induces with the LLM, labels a sample, distills, predicts everything, and a re-run costs nothing', async () => {
      const work = mkdtempSync(join(tmpdir(), 'taxonomist-e2e-llm-'));
      const args = ['run', SAMPLE, '--use-case', USE_CASE, '--out-dir', 'out', '--model', 'openai:test-model', '--base-url', server.url, '--batch-size', '200', '--label-sample', '300', '--pack', '4'];
      const r = await cli(args, { cwd: work, env: { OPENAI_API_KEY: 'test-key' } });
      expect(r.stderr).not.toMatch(/error/);
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/offline/);
      const out = join(work, 'out');
      const { taxonomy, manifest, labels, predictions } = await checkArtifacts(out, 300);
      expect(taxonomy.method).toBe('llm');
      // the scripted model merged "Card delivery" and renamed "Top ups" on the first update
      expect(taxonomy.labels.map((l) => l.name).sort()).toEqual(['Account and identity', 'Cards and PINs', 'Charges and refunds', 'Currency exchange', 'Top-up problems', 'Transfers']);
      expect(manifest.models.induce).toBe('openai:test-model');
      // the labels are the scripted model's keyword topics, packed 4 per call
      const text = new Map(corpusLines.map((x) => [x.id, x.text]));
      for (const a of labels) expect(a.label).toBe(topicOf(text.get(a.id)!));
      const labelCalls = server.requests.filter((q) => q.endpoint === 'chat' && JSON.stringify(q.body).includes('label_answers'));
      // active learning (the default with --model): 300 labels in 10 rounds of 30 records, packed 4 per call
      expect(labelCalls.length).toBe(10 * Math.ceil(30 / 4));
      expect(r.stderr + r.stdout).toMatch(/300 labels bought by active learning \(diverse-balanced, 10 rounds\), stopped: label budget reached/);
      // the distilled model learned them: it agrees with the keyword topics on most of the corpus
      const agree = predictions.filter((p) => p.label === topicOf(text.get(p.id)!)).length / predictions.length;
      expect(agree).toBeGreaterThan(0.8);
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      expect(html).toContain('<td>merged</td><td>L5 Cards and PINs, L7 Card delivery</td>');
      expect(html).toContain('<h2>Learning curve</h2>');
      expect(html).toMatch(/<td>renamed<\/td><td>L1 Top ups<\/td><td>L1 Top-up problems<\/td>/);
      expect(manifest.stages.find((s) => s.name === 'label')!.usage!.calls).toBe(10 * Math.ceil(30 / 4));
      // the API key reaches no artifact and no output
      for (const f of readdirSync(out, { recursive: true }) as string[]) {
        const p = join(out, f);
        if (statSync(p).isFile()) expect(readFileSync(p, 'utf8'), f).not.toContain('test-key');
      }
      expect(r.stdout + r.stderr).not.toContain('test-key');

      const chatBefore = server.count('chat');
      const again = await cli(args, { cwd: work, env: { OPENAI_API_KEY: 'test-key' } });
      expect(again.code).toBe(0);
      expect(server.count('chat')).toBe(chatBefore);
    }, 240_000);

    it('a rejected API key is a provider failure (exit 4) with a hint, and the key is not printed', async () => {
      const work = mkdtempSync(join(tmpdir(), 'taxonomist-e2e-auth-'));
      const r = await cli(['induce', SAMPLE, '--use-case', USE_CASE, '--model', 'openai:test-model', '--base-url', server.url], { cwd: work, env: { OPENAI_API_KEY: 'wrong-key-123456' } });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/error: model provider failed \(auth\)/);
      expect(r.stderr).toContain('hint:');
      expect(r.stderr).not.toContain('wrong-key-123456');
    }, 60_000);
  });

  it('bad input names the file, line and field and exits 3', async () => {
    const work = mkdtempSync(join(tmpdir(), 'taxonomist-e2e-bad-'));
    writeFileSync(join(work, 'bad.jsonl'), '{"id":"a","body":"hello"}\n{"id":"b","body":"world"}\n');
    const r = await cli(['run', 'bad.jsonl', '--use-case', 'x'], { cwd: work });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('bad.jsonl:1: field "text"');
    expect(r.stderr).toContain('--text-field');
  }, 60_000);
});
