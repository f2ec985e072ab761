import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createManualClock, readCorpusAll, type ManualClock } from '@taxonomist/core';
import { main, type MainResult } from '../src/main.js';
import { ruleLabel } from '../src/scripted-labeler.js';

const TICKETS = fileURLToPath(new URL('../../data/support-tickets.csv', import.meta.url));
const TAXONOMY = fileURLToPath(new URL('../taxonomy.json', import.meta.url));

describe('label-csv example', () => {
  let dir: string;
  let out: string;
  let clock: ManualClock;
  let result: MainResult;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'example-label-'));
    out = join(dir, 'labels.jsonl');
    clock = createManualClock();
    result = await main({ out, clock, log: (l) => lines.push(l) });
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('estimates the run before spending anything', () => {
    expect(result.estimate).toMatchObject({ records: 120, alreadyOk: 0, badInput: 0, calls: 24 });
    expect(result.estimate.costUsd).toBeGreaterThan(0);
  });

  it('stops the first run part-way, with every record accounted for', () => {
    const s = result.first;
    expect(s).toMatchObject({ status: 'aborted', stopReason: 'signal', failed: 0 });
    expect(s.ok).toBeGreaterThanOrEqual(50);
    expect(s.ok).toBeLessThan(120);
    expect(s.notAttempted).toBeGreaterThan(0);
    expect(s.input.alreadyOk + s.ok + s.failed + s.notAttempted).toBe(s.input.records);
    expect(s.out).toMatchObject({ lines: s.ok, ok: s.ok, failed: 0 });
  });

  it('resumes: the second run labels only what the first did not', () => {
    const s = result.second;
    expect(s).toMatchObject({ status: 'done', failed: 0, notAttempted: 0 });
    expect(s.input.records).toBe(120);
    expect(s.input.alreadyOk).toBe(result.first.ok);
    expect(s.ok).toBe(120 - result.first.ok);
    expect(s.out).toMatchObject({ lines: 120, ok: 120, failed: 0 });
  });

  it('loses nothing to the injected faults: one correct line per ticket', async () => {
    // Faults really happened, and were retried (429s after their Retry-After, on the virtual clock).
    expect(result.server.faults).toBeGreaterThan(0);
    expect(result.server.requests).toBeGreaterThan(result.first.usage.calls + result.second.usage.calls);
    expect(clock.sleeps).toContain(200);

    const corpus = await readCorpusAll(TICKETS, { textField: 'message', idField: 'ticket_id' });
    const taxonomy = JSON.parse(await readFile(TAXONOMY, 'utf8')) as { labels: { id: string; name: string }[] };
    const nameOf = new Map(taxonomy.labels.map((l) => [l.id, l.name]));
    const written = (await readFile(out, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(written).toHaveLength(120);
    expect(new Set(written.map((a) => a.id))).toEqual(new Set(corpus.records.map((r) => r.id)));
    const textOf = new Map(corpus.records.map((r) => [r.id, r.text]));
    for (const a of written) {
      const expected = ruleLabel(textOf.get(a.id as string)!);
      expect(a).toMatchObject({ status: 'ok', labelId: expected, label: nameOf.get(expected), model: 'openai:gpt-4o-mini' });
    }
    expect(lines.join('\n')).toMatch(/run 2: done\n {2}read 120, already labeled \d+, labeled ok \d+, failed 0, not attempted 0/);
  });

  it('does nothing on a file that is already complete', async () => {
    const again = await main({ out, clock: createManualClock(), log: () => undefined });
    expect(again.estimate).toMatchObject({ records: 0, alreadyOk: 120, calls: 0 });
    expect(again.first).toMatchObject({ status: 'done', ok: 0, failed: 0 });
    expect(again.first.input.alreadyOk).toBe(120);
    expect(again.first.usage.calls + again.second.usage.calls).toBe(0);
    expect(again.server.requests).toBe(0);
  });
});
