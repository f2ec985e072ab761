/**
 * End to end with the first-party provider plugins: BUILD the packages, then run the built `taxonomist` binary as a
 * child process with `--model anthropic:... | ollama:... | google:...` against a local fake server that speaks that
 * provider's real wire protocol, and check the artifacts (taxonomy, labels, classifier, predictions, manifest,
 * report) and that the key reaches no output. The provider plugins are loaded by the CLI itself (no config file).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelAssignmentSchema, RunManifestSchema, TaxonomySchema } from '@taxonomist/core';
import { loadClassifier } from '@taxonomist/distill';
import { startAnthropicServer, startGoogleServer, startOllamaServer, type FakeProviderServer, type FakeServerOptions } from '@taxonomist/testing';
import { scriptedLlm, topicOf } from '../packages/cli/test/scripted-llm.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'packages/cli/bin/taxonomist.js');
const SAMPLE = join(ROOT, 'examples/data/banking-sample.jsonl');
const USE_CASE = "the customer's intent in online-banking support queries";
const corpus = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string });

function cli(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const jsonl = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l, i) => {
  const parsed = LabelAssignmentSchema.safeParse(JSON.parse(l));
  if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.message}`);
  return parsed.data;
});

beforeAll(async () => {
  try {
    await promisify(execFile)('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`the build failed (npx tsc -b tsconfig.build.json):\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}, 600_000);

interface Case {
  provider: string;
  model: string;
  start(o: FakeServerOptions): Promise<FakeProviderServer>;
  keyEnv?: string;
}
const CASES: Case[] = [
  { provider: 'anthropic', model: 'claude-haiku-4-5', start: startAnthropicServer, keyEnv: 'ANTHROPIC_API_KEY' },
  { provider: 'ollama', model: 'llama3.1', start: startOllamaServer },
  { provider: 'google', model: 'gemini-2.5-flash', start: startGoogleServer, keyEnv: 'GOOGLE_API_KEY' },
];

describe.each(CASES)('taxonomist run --model $provider:$model (built binary, fake $provider server)', ({ provider, model, start, keyEnv }) => {
  const KEY = `${provider}-e2e-secret-key-123`;
  let server: FakeProviderServer;
  beforeAll(async () => {
    server = await start({ script: scriptedLlm, ...(keyEnv ? { apiKey: KEY } : {}) });
  });
  afterAll(() => server.close());

  it('induces, labels a sample, distills and predicts every record; the key reaches no output', async () => {
    const work = mkdtempSync(join(tmpdir(), `taxonomist-e2e-${provider}-`));
    const args = ['run', SAMPLE, '--use-case', USE_CASE, '--out-dir', 'out', '--model', `${provider}:${model}`, '--base-url', server.url, '--batch-size', '200', '--label-sample', '120', '--pack', '4'];
    const r = await cli(args, work, keyEnv ? { [keyEnv]: KEY } : {});
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const out = join(work, 'out');

    const taxonomy = TaxonomySchema.parse(JSON.parse(readFileSync(join(out, 'taxonomy.json'), 'utf8')));
    expect(taxonomy.method).toBe('llm');
    // The scripted model's revision (merge + rename) went through this provider's wire protocol.
    expect(taxonomy.labels.map((l) => l.name).sort()).toEqual(['Account and identity', 'Cards and PINs', 'Charges and refunds', 'Currency exchange', 'Top-up problems', 'Transfers']);

    const text = new Map(corpus.map((x) => [x.id, x.text]));
    const labels = jsonl(join(out, 'labels.jsonl'));
    expect(labels).toHaveLength(120);
    for (const a of labels) expect(a.label).toBe(topicOf(text.get(a.id)!));

    const predictions = jsonl(join(out, 'predictions.jsonl'));
    expect(predictions.map((p) => p.id)).toEqual(corpus.map((x) => x.id));
    const agree = predictions.filter((p) => p.label === topicOf(text.get(p.id)!)).length / predictions.length;
    expect(agree).toBeGreaterThan(0.7);
    const classifier = await loadClassifier(join(out, 'model.json'));
    expect(classifier.taxonomyId).toBe(taxonomy.id);

    const manifest = RunManifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    expect(manifest.models.induce).toBe(`${provider}:${model}`);
    expect(manifest.stages.map((s) => [s.name, s.status])).toEqual([
      ['induce', 'done'],
      ['label', 'done'],
      ['distill', 'done'],
      ['predict', 'done'],
      ['report', 'done'],
    ]);
    for (const s of manifest.stages) for (const f of s.artifacts) expect(existsSync(join(out, f)), `${s.name} artifact ${f}`).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('id="taxonomy"');

    // Every request was this provider's protocol, for the model asked.
    const chats = server.requests.filter((q) => q.kind === 'chat');
    expect(chats.length).toBeGreaterThan(30);
    expect(chats.every((q) => q.model === model && q.status === 200)).toBe(true);
    for (const f of readdirSync(out, { recursive: true }) as string[]) {
      const p = join(out, f);
      if (statSync(p).isFile()) expect(readFileSync(p, 'utf8'), f).not.toContain(KEY);
    }
    expect(r.stdout + r.stderr).not.toContain(KEY);
  }, 240_000);

  if (keyEnv) {
    it(`without ${keyEnv} it exits 2 with the plugin's message`, async () => {
      const work = mkdtempSync(join(tmpdir(), `taxonomist-e2e-${provider}-nokey-`));
      const r = await cli(['induce', SAMPLE, '--use-case', USE_CASE, '--model', `${provider}:${model}`, '--base-url', server.url], work, {});
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(keyEnv);
      expect(r.stderr).not.toMatch(/looks like a bug/);
    }, 60_000);
  }
});
