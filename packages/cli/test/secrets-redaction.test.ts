/**
 * No secret reaches disk or the terminal. A local OpenAI-compatible server plants the configured API key (and
 * key-shaped tokens that were never configured) in every place a server can put text: a 401 body, a 400 body with
 * the key in a response header too, a 500 body, a non-JSON body, and model answers that echo it (in a rationale, as
 * a label). `label` and `run` go through the CLI in-process; then every file under the working directory (labels,
 * manifest, report, taxonomy, checkpoints, cache entries, model, predictions) and stdout/stderr are searched for the
 * planted values: zero hits.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearRegisteredSecrets, taxonomyToJson } from '@taxonomist/core';
import { faultAnswer, startOpenAIServer, type ChatRequestInfo, type OpenAIServer, type ServerAnswer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { memoryIO, bankingTaxonomy } from './helpers.js';
import { scriptedLlm, topicOf } from './scripted-llm.js';

/** The configured key: shaped like nothing, so only the provider's registered secret can catch it. */
const KEY = 'planted-4f9a2c81e7d6-credential';
/** Key-shaped tokens nobody configured: caught by shape. */
const SK = 'sk-test-PLANTEDabc0123456789';
const BEARER = 'tok_PLANTED987654321xyz';
const HEADER_KEY = 'hdrPLANTED55aa66bb77';
const PLANTED = [KEY, SK, BEARER, HEADER_KEY, 'PLANTED'];

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');
const records = readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 40).map((l) => JSON.parse(l) as { id: string; text: string });
const indexOfText = new Map(records.map((r, i) => [r.text, i]));

/** `L3: Name - description` lines of a labeling system prompt -> id by name. */
function labelIds(info: ChatRequestInfo): Map<string, string> {
  const system = info.messages.find((m) => m.role === 'system')?.content ?? '';
  return new Map([...system.matchAll(/^(\S+): (.+?)(?: - .*)?$/gm)].map((m) => [m[2]!.trim(), m[1]!]));
}

/** Every error path a server can produce, chosen by the record being labeled. */
function hostileLabeler(info: ChatRequestInfo): ServerAnswer {
  if (info.schemaName !== 'label_answer') return scriptedLlm(info);
  // The first user message holds the text (later ones are re-asks after an invalid answer).
  const first = info.messages.find((m) => m.role === 'user')!.content;
  const text = (JSON.parse(first.slice(first.indexOf('{'))) as { text: string }).text;
  const i = indexOfText.get(text) ?? -1;
  const label = labelIds(info).get(topicOf(text));
  switch (i) {
    case 0:
      return faultAnswer({ kind: 'http_error', status: 400, message: `Invalid header x-api-key: ${KEY}; also got ${SK}`, headers: { 'x-api-key': HEADER_KEY } });
    case 1:
      return faultAnswer({ kind: 'http_error', status: 500, message: `upstream rejected Authorization: Bearer ${BEARER} (key ${KEY})`, headers: { 'retry-after-ms': '1' } });
    case 2:
      return faultAnswer({ kind: 'malformed_body', body: `api_key=${KEY} ${SK} <html>` });
    case 3:
      return { label: KEY, rationale: `echoing ${KEY}` }; // an answer outside the taxonomy that quotes the key
    case 4:
      return { label, rationale: `The key is ${KEY} and ${SK}; Bearer ${BEARER}.` }; // an ok answer that quotes it
    default:
      return { label, rationale: 'fits the text' };
  }
}

/** Every file under `dir`, recursively, with its text. */
function allFiles(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...allFiles(p));
    else out.push({ path: p, text: readFileSync(p, 'latin1') });
  }
  return out;
}

function leaks(texts: { path: string; text: string }[]): string[] {
  return texts.flatMap(({ path, text }) => PLANTED.filter((s) => text.includes(s)).map((s) => `${path}: ${s}`));
}

describe('secrets never reach disk or the terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taxonomist-secrets-'));
  let server: OpenAIServer;
  const outputs: { path: string; text: string }[] = [];
  const run = async (args: string[]) => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: KEY } });
    const code = await main([...args, '--base-url', server.url], io);
    outputs.push({ path: `stdout of ${args[0]}`, text: io.out() }, { path: `stderr of ${args[0]}`, text: io.err() });
    return { code, out: io.out(), err: io.err() };
  };

  beforeAll(async () => {
    clearRegisteredSecrets(); // the CLI must register the key itself
    writeFileSync(join(dir, 'corpus.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const taxonomy = bankingTaxonomy();
    writeFileSync(join(dir, 'taxonomy.json'), taxonomyToJson(taxonomy));
    server = await startOpenAIServer({ script: hostileLabeler });
  });
  afterAll(() => server.close());

  it('label: 400 / 500 / malformed bodies and echoing answers become failed or ok lines without the key', async () => {
    const r = await run(['label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--model', 'openai:test-model', '--pack', '1', '--rationale', '--out', 'labels.jsonl', '--json']);
    expect([4, 6]).toContain(r.code); // records 0-3 failed (provider errors: 4, other failures: 6)
    const lines = readFileSync(join(dir, 'labels.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; status: string; rationale?: string; error?: { kind: string; message: string } });
    const byId = new Map(lines.map((l) => [l.id, l]));
    // The planted paths really produced errors that quote the server (redacted), so the check below can fail.
    expect(byId.get(records[0]!.id)).toMatchObject({ status: 'failed', error: { kind: 'bad_request' } });
    expect(byId.get(records[0]!.id)!.error!.message).toMatch(/x-api-key: \*\*\*/);
    expect(byId.get(records[1]!.id)!.error!.message).toMatch(/Bearer \*\*\*/);
    expect(byId.get(records[2]!.id)).toMatchObject({ status: 'failed' });
    expect(byId.get(records[3]!.id)).toMatchObject({ status: 'failed' });
    expect(byId.get(records[3]!.id)!.error!.message).toContain('***');
    expect(byId.get(records[4]!.id)).toMatchObject({ status: 'ok' });
    expect(byId.get(records[4]!.id)!.rationale).toMatch(/The key is \*\*\* and sk-\*\*\*; Bearer \*\*\*/);
  }, 120_000);

  it('label: a 401 that echoes the key', async () => {
    server.setScript(() => faultAnswer({ kind: 'auth', message: `Incorrect API key provided: ${KEY}. You can find your API key at https://example.invalid (${SK}).` }));
    const r = await run(['label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--model', 'openai:test-model', '--out', 'labels-401.jsonl']);
    // A 401 stops the run at once (no line per record: they are not attempted, a re-run resumes); the provider's
    // message reaches the terminal, redacted. The leak check at the end greps every file and output.
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/Incorrect API key provided: \*\*\*/);
  }, 120_000);

  it('run: a 401 during induction reaches the manifest without the key', async () => {
    server.setScript(() => faultAnswer({ kind: 'auth', message: `Incorrect API key provided: ${KEY}` }));
    const r = await run(['run', 'corpus.jsonl', '--use-case', 'intent', '--model', 'openai:test-model', '--out-dir', 'out-401']);
    expect(r.code).not.toBe(0);
    expect(readFileSync(join(dir, 'out-401', 'manifest.json'), 'utf8')).toMatch(/Incorrect API key provided: \*\*\*/);
  }, 120_000);

  it('run: the whole pipeline with echoing answers and failures', async () => {
    server.setScript(hostileLabeler);
    const r = await run(['run', 'corpus.jsonl', '--use-case', 'intent', '--model', 'openai:test-model', '--pack', '1', '--rationale', '--out-dir', 'out', '--json']);
    expect([0, 4, 6]).toContain(r.code);
    for (const name of ['taxonomy.json', 'labels.jsonl', 'model.json', 'predictions.jsonl', 'manifest.json', 'report.html']) {
      expect(statSync(join(dir, 'out', name)).size).toBeGreaterThan(0);
    }
  }, 180_000);

  it('no planted value in any file written, nor on stdout/stderr', () => {
    const files = allFiles(dir);
    expect(files.some((f) => f.path.includes('cache'))).toBe(true); // the response cache was written and is searched
    expect(leaks([...files, ...outputs])).toEqual([]);
    // The check can fail: the corpus and the taxonomy are there, and a planted file would be found.
    expect(leaks([{ path: 'probe', text: `x ${KEY} y` }])).toHaveLength(1);
  });
});
