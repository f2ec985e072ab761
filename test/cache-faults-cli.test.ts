/**
 * Cache faults and cache identity through the `taxonomist label` command, the openai plugin and the real
 * @langchain/openai client against local servers: a broken cache is one warning and never a failed record, and the
 * same model name on two servers (two --base-url) never shares cached answers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIServer, type ChatRequestInfo, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../packages/cli/src/main.js';
import { memoryIO } from '../packages/cli/test/helpers.js';
import { TAXONOMY, corpus, textsOf } from '../packages/labeler/test/helpers.js';

const N = 20;
let dir: string;
let serverA: OpenAIServer;
let serverB: OpenAIServer;

/** Server A always answers L1, server B always L2: where an answer came from shows in the label. */
const answering = (labelId: string) => (request: ChatRequestInfo) => {
  textsOf(request.messages.find((m) => m.role === 'user' && /Texts? to label/.test(m.content))!.content);
  return { label: labelId };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taxonomist-cache-cli-'));
  writeFileSync(join(dir, 'corpus.jsonl'), corpus(N, 'c').map((r) => `${JSON.stringify(r)}\n`).join(''));
  writeFileSync(join(dir, 'taxonomy.json'), JSON.stringify(TAXONOMY));
  serverA = await startOpenAIServer({ script: answering('L1') });
  serverB = await startOpenAIServer({ script: answering('L2') });
});
afterAll(async () => {
  await serverA.close();
  await serverB.close();
  rmSync(dir, { recursive: true, force: true });
});

async function label(args: string[]): Promise<{ code: number; err: string; lines: { id: string; status: string; label?: string }[] }> {
  const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'sk-local-test-key' } });
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.jsonl`);
  const code = await main(['label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--model', 'openai:llama3', '--out', out, '--quiet', ...args], io);
  const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; status: string; label?: string });
  return { code, err: io.err(), lines };
}

describe('cache faults through the CLI', () => {
  it('--cache naming a file: every record labeled, one warning line, exit 0', async () => {
    writeFileSync(join(dir, 'a-file'), 'not a directory');
    serverA.reset();
    const r = await label(['--base-url', serverA.url, '--cache', 'a-file']);
    expect(r.code, r.err).toBe(0);
    expect(r.lines).toHaveLength(N);
    expect(r.lines.every((l) => l.status === 'ok')).toBe(true);
    expect(serverA.count('chat')).toBe(N);
    const warnings = r.err.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('a-file');
    expect(warnings[0]).toContain('continuing without the cache');
  });

  it('a cache directory that cannot be created (under a regular file): every record labeled, one warning', async () => {
    serverA.reset();
    const r = await label(['--base-url', serverA.url, '--cache', 'a-file/cache']);
    expect(r.code, r.err).toBe(0);
    expect(r.lines.filter((l) => l.status === 'ok')).toHaveLength(N);
    expect(r.err.split('\n').filter((l) => l.startsWith('warning:'))).toHaveLength(1);
  });

  it('the same model name on two --base-url servers does not share the cache', async () => {
    serverA.reset();
    serverB.reset();
    const a = await label(['--base-url', serverA.url, '--cache', 'shared-cache']);
    expect(a.lines.map((l) => l.label)).toEqual(Array(N).fill('card arrival'));
    const b = await label(['--base-url', serverB.url, '--cache', 'shared-cache']);
    expect(serverB.count('chat')).toBe(N);
    expect(b.lines.map((l) => l.label)).toEqual(Array(N).fill('exchange rate'));
    // ...while a re-run against the same server is served from the cache.
    const again = await label(['--base-url', serverA.url, '--cache', 'shared-cache']);
    expect(serverA.count('chat')).toBe(N);
    expect(again.lines.map((l) => l.label)).toEqual(Array(N).fill('card arrival'));
  });
});
