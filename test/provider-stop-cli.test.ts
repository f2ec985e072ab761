/**
 * Dead credentials and hanging servers through `taxonomist label`, the openai plugin and the real @langchain/openai
 * client against the local server: a 401 stops the run at once (no retry, not one failure per record), a server that
 * never answers is cut by --timeout and stopped by the circuit breaker; both exit 4 with every record accounted for
 * (ok + failed + not attempted = records), and a re-run against a working server resumes to a complete file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIServer, type ChatRequestInfo, type OpenAIServer } from '@taxonomist/testing';
import { main } from '../packages/cli/src/main.js';
import { memoryIO } from '../packages/cli/test/helpers.js';
import { TAXONOMY, corpus, keywordLabel, textsOf } from '../packages/labeler/test/helpers.js';

const N = 20;
let dir: string;
let server: OpenAIServer;

function script(request: ChatRequestInfo): object {
  const texts = textsOf(request.messages.find((m) => m.role === 'user' && /Texts? to label/.test(m.content))!.content);
  return { label: keywordLabel(texts[0]!.text)! };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taxonomist-stop-'));
  writeFileSync(join(dir, 'corpus.jsonl'), corpus(N, 'c').map((r) => `${JSON.stringify(r)}\n`).join(''));
  writeFileSync(join(dir, 'taxonomy.json'), JSON.stringify(TAXONOMY));
  server = await startOpenAIServer({ script });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface LabelJson {
  records: number;
  ok: number;
  failed: number;
  notAttempted: number;
  failedByKind: Record<string, number>;
}

async function label(out: string, args: string[]): Promise<{ code: number; err: string; json: LabelJson; lines: { id: string; status: string }[] }> {
  const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'sk-local-test-key' } });
  const code = await main(['label', 'corpus.jsonl', '--taxonomy', 'taxonomy.json', '--model', 'openai:gpt-4o-mini', '--base-url', server.url, '--no-cache', '--out', out, '--json', ...args], io);
  let lines: { id: string; status: string }[] = [];
  try {
    lines = readFileSync(join(dir, out), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; status: string });
  } catch {
    /* no file */
  }
  return { code, err: io.err(), json: JSON.parse(io.out()) as LabelJson, lines };
}

describe('provider stops', () => {
  it('401: the run stops at once with exit 4, nothing retried, every record accounted for; a resume completes it', async () => {
    server.reset();
    server.setFaults([{ fault: { kind: 'auth' } }]);
    const r = await label('auth.jsonl', ['--concurrency', '4']);
    expect(r.code, r.err).toBe(4);
    expect(r.err).toMatch(/stopped calling the model: stopped at the first auth error/);
    // At most the calls already in flight when the first 401 came back: not one (or five) per record.
    expect(server.count('chat')).toBeLessThanOrEqual(4);
    expect(r.json.ok + r.json.failed + r.json.notAttempted).toBe(N);
    expect(r.json.notAttempted).toBeGreaterThanOrEqual(N - 4);
    expect(r.lines).toHaveLength(r.json.ok + r.json.failed);

    server.setFaults([]);
    const again = await label('auth.jsonl', ['--concurrency', '4']);
    expect(again.code, again.err).toBe(0);
    expect(again.lines.filter((l) => l.status === 'ok')).toHaveLength(N);
    expect(new Set(again.lines.map((l) => l.id)).size).toBe(N);
  });

  it('a server that never answers: --timeout cuts each request, the breaker stops the run (exit 4), resumable', async () => {
    server.reset();
    server.setFaults([{ fault: { kind: 'hang' } }]);
    const r = await label('hang.jsonl', ['--timeout', '0.2', '--max-consecutive-failures', '3', '--concurrency', '3']);
    expect(r.code, r.err).toBe(4);
    expect(r.err).toMatch(/stopped after 3 consecutive timeout failures/);
    // 5 tries for each of the 3 failures in a row, plus the tries of the at most 2 records started meanwhile (3 in
    // flight): nothing once the breaker opened, far from 5 tries x 20 records.
    expect(server.count('chat')).toBeLessThanOrEqual((3 + 2) * 5);
    expect(r.json.ok + r.json.failed + r.json.notAttempted).toBe(N);
    expect(r.json.failed).toBeLessThanOrEqual(2);
    expect(r.json.notAttempted).toBeGreaterThanOrEqual(N - 2);
    for (const l of r.lines) expect(l.status).toBe('failed');

    server.setFaults([]);
    const again = await label('hang.jsonl', ['--concurrency', '3']);
    expect(again.code, again.err).toBe(0);
    expect(again.lines).toHaveLength(N);
    expect(again.lines.every((l) => l.status === 'ok')).toBe(true);
  }, 60_000);
});
