/**
 * Induction bends instead of breaking, and exit codes mean one thing each, on a first run and on a re-run of the
 * same state: against a local server whose "model" proposes one label per text (far over --max-labels), `induce`
 * and `run` end with a capped taxonomy, a warning naming the rule, and exit 6 (partial), never 4 (provider); a model
 * whose labels can never follow the rules ends with exit 7; every non-zero exit says why on stderr.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaxonomySchema } from '@taxonomist/core';
import { startOpenAIServer, type ChatRequestInfo, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { scriptedLlm } from './scripted-llm.js';
import { memoryIO } from './helpers.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

/** One label per text of the batch: what a model that labels every distinct intent it sees does. */
function perText(info: ChatRequestInfo) {
  const prompt = info.messages.find((m) => m.role === 'user')?.content ?? '';
  const texts = [...prompt.matchAll(/^(\d+)\. (.*)$/gm)].map((m) => m[2]!);
  return texts.map((t, i) => ({ name: `Intent ${String.fromCharCode(65 + (i % 26))}${i >= 26 ? i : ''}`, description: `Texts like: ${t.slice(0, 60)}` }));
}

function overshooting(info: ChatRequestInfo): unknown {
  if (info.schemaName === 'taxonomy_draft') return { labels: perText(info), explanation: 'one label per intent seen' };
  // Asked to merge, it overshoots again: the deterministic fallback must decide.
  if (info.schemaName === 'taxonomy_merge') return { labels: [...(info.messages.find((m) => m.role === 'user')?.content ?? '').matchAll(/^- \[D\d+\] ([^:]+): (.*)$/gm)].map((m) => ({ name: m[1]!, description: m[2]! })), explanation: 'all of them' };
  if (info.schemaName === 'label_answer') {
    // Labeling: spread the texts over the label ids (`L3: Name - description` lines of the system prompt).
    const ids = [...(info.messages.find((m) => m.role === 'system')?.content ?? '').matchAll(/^(L\d+): /gm)].map((m) => m[1]!);
    return { label: ids[info.lastUserMessage.length % ids.length] };
  }
  return scriptedLlm(info);
}

function hopeless(info: ChatRequestInfo): unknown {
  if (info.schemaName === 'taxonomy_draft' || info.schemaName === 'taxonomy_merge') return { labels: [{ name: 'Other', description: 'everything' }], explanation: 'x' };
  return scriptedLlm(info);
}

describe('exit codes of induction, first run and re-run', () => {
  const servers: OpenAIServer[] = [];
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'taxonomist-exit-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 80).join('\n') + '\n');
    writeFileSync(join(dir, 'taxonomist.config.json'), JSON.stringify({ defaults: { model: 'openai:test-model' } }));
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
  });
  const serve = async (script: (info: ChatRequestInfo) => unknown) => {
    const server = await startOpenAIServer({ script: script as never });
    servers.push(server);
    return server;
  };
  const cli = async (server: OpenAIServer, args: string[]) => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'k' } });
    const code = await main([...args, '--base-url', server.url, '--no-cache'], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('induce: an overshooting model ends in a capped taxonomy, exit 6 with the rule on stderr; the resumed run says the same', async () => {
    const server = await serve(overshooting);
    const args = ['induce', 'corpus.jsonl', '--use-case', 'intent', '--max-labels', '4', '--batch-size', '20', '--out', 'over.json'];
    const first = await cli(server, args);
    expect(first.code).toBe(6);
    expect(first.err).toMatch(/warning: induce: generate t0\/top\/e0\/b0: .*rule keep-best-supported: kept 4 of 20 proposed labels/);
    expect(first.err).toMatch(/taxonomist induce: exit 6: partial/);
    expect(first.err).not.toMatch(/provider/);
    const written = readFileSync(join(dir, 'over.json'), 'utf8');
    const taxonomy = TaxonomySchema.parse(JSON.parse(written));
    expect(taxonomy.labels.length).toBeLessThanOrEqual(4);
    expect(taxonomy.labels.length).toBeGreaterThanOrEqual(2);
    // The constraints were in the schema the model filled.
    const draft = server.requests.find((r) => JSON.stringify(r.body).includes('taxonomy_draft'))!;
    expect(JSON.stringify(draft.body)).toMatch(/"minItems":2,"maxItems":4/);
    const update = server.requests.find((r) => JSON.stringify(r.body).includes('taxonomy_revision'))!;
    expect(JSON.stringify(update.body)).toMatch(/"fromIds":\{"type":"array","items":\{"type":"string","enum":\["L\d+"(,"L\d+")*\]\}/);
    const history = JSON.parse(readFileSync(join(dir, 'over.induction.json'), 'utf8')) as { warnings: string[]; degradedSteps: number };
    expect(history.degradedSteps).toBe(1);
    expect(history.warnings[0]).toContain('rule keep-best-supported');

    const before = server.count('chat');
    const again = await cli(server, args);
    expect(server.count('chat')).toBe(before); // resumed from the checkpoint: no model call
    expect(again.code).toBe(6);
    expect(again.err).toContain(first.err.split('\n').find((l) => l.includes('rule keep-best-supported'))!);
    expect(readFileSync(join(dir, 'over.json'), 'utf8')).toBe(written);
  }, 120_000);

  it('run: exit 6 on the first run and on the re-run that skips the unchanged induction', async () => {
    const server = await serve(overshooting);
    const args = ['run', 'corpus.jsonl', '--use-case', 'intent', '--max-labels', '4', '--batch-size', '20', '--label-sample', '40', '--out-dir', 'out-over'];
    const first = await cli(server, args);
    expect(first.code).toBe(6);
    expect(first.err).toMatch(/rule keep-best-supported/);
    expect(first.err).toMatch(/taxonomist run: exit 6/);
    const again = await cli(server, args);
    expect(again.err).toMatch(/induce: the last run of this stage finished with exit code 6/);
    expect(again.code).toBe(6);
  }, 180_000);

  it('a model whose labels never follow the rules: exit 7 (not 4), on the first run and the re-run', async () => {
    const server = await serve(hopeless);
    const args = ['induce', 'corpus.jsonl', '--use-case', 'intent', '--max-labels', '4', '--batch-size', '20', '--out', 'hopeless.json'];
    const first = await cli(server, args);
    expect(first.code).toBe(7);
    expect(first.err).toMatch(/error: taxonomy generation failed: no valid first taxonomy/);
    expect(first.err).toMatch(/hint: the model answered, but kept breaking the taxonomy rules/);
    const again = await cli(server, args);
    expect(again.code).toBe(7);
  }, 120_000);
});
