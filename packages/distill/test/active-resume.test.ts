/**
 * Kill and resume for real: a child process runs the active loop with a round log, its scripted LLM appending each
 * answer to a JSONL file (as the labeler's output does); it is SIGKILLed in the middle of a round; the resume, given
 * the answers in that file, must buy none of them again and reach exactly the picks of an uninterrupted run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeDistill, type ActiveOptions } from '../src/index.js';
import { bankingSample, RESUME_OPTIONS } from './active-helpers.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CHILD = join(import.meta.dirname, 'fixtures', 'active-child.ts');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'active-kill-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);

function oracle(gold: Map<string, string>) {
  const asked: string[] = [];
  const labelBatch: ActiveOptions['labelBatch'] = async (records) => {
    asked.push(...records.map((r) => r.id));
    return records.map((r) => gold.get(r.id)!);
  };
  return { asked, labelBatch };
}

describe('active loop: kill -9 and resume', () => {
  it('buys no label twice and ends with the picks of an uninterrupted run', async () => {
    const { pool, gold } = bankingSample();
    const roundLog = join(dir, 'rounds.jsonl');
    const labelsFile = join(dir, 'labels.jsonl');
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, roundLog, labelsFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, signal) => resolve(signal)));
    let done = false;
    void exited.then(() => (done = true));
    // Kill once two rounds are logged and the third round's batch is partly labeled (progress, not time, decides).
    while (!done && !(lines(roundLog).length >= 3 && lines(labelsFile).length >= 60 + 40 + 15)) await new Promise((r) => setTimeout(r, 5));
    if (!done) child.kill('SIGKILL');
    expect(await exited, stderr).toBe('SIGKILL');
    const boughtBefore = lines(labelsFile).map((l) => JSON.parse(l) as { id: string; label: string });
    const loggedRounds = lines(roundLog).filter((l) => JSON.parse(l).type === 'round').length;
    expect(loggedRounds).toBeGreaterThanOrEqual(2);
    // Mid-round: some answers of the round in flight were bought but the round is not logged.
    const inLoggedRounds = lines(roundLog).filter((l) => JSON.parse(l).type === 'round').flatMap((l) => [...JSON.parse(l).picked, ...JSON.parse(l).holdoutAdded]);
    expect(boughtBefore.length).toBeGreaterThan(inLoggedRounds.length);

    const known = new Map(boughtBefore.map((a) => [a.id, a.label]));
    const resumed = oracle(gold);
    const res = await activeDistill(pool, { ...RESUME_OPTIONS, roundLog, known, labelBatch: resumed.labelBatch });
    expect(resumed.asked.filter((id) => known.has(id))).toEqual([]);
    expect(new Set(resumed.asked).size).toBe(resumed.asked.length);
    expect(boughtBefore.length + resumed.asked.length).toBe(RESUME_OPTIONS.labelBudget);
    expect(res.rounds.filter((r) => r.restored)).toHaveLength(loggedRounds);

    const whole = await activeDistill(pool, { ...RESUME_OPTIONS, labelBatch: oracle(gold).labelBatch });
    expect(res.rounds.map((r) => r.picked)).toEqual(whole.rounds.map((r) => r.picked));
    expect(res.rounds.map((r) => r.holdoutAdded)).toEqual(whole.rounds.map((r) => r.holdoutAdded));
    expect(res.rounds.map((r) => r.quality)).toEqual(whole.rounds.map((r) => r.quality));
    expect(res.stopReason).toBe(whole.stopReason);
    // The log now holds every round once and one stop line.
    const types = lines(roundLog).map((l) => JSON.parse(l).type);
    expect(types.filter((t) => t === 'round')).toHaveLength(whole.rounds.length);
    expect(types.filter((t) => t === 'stop')).toHaveLength(1);
  }, 120_000);

  it('refuses a round log written with other settings, and cuts a torn last line', async () => {
    const { pool, gold } = bankingSample();
    const roundLog = join(dir, 'other.jsonl');
    await activeDistill(pool, { ...RESUME_OPTIONS, labelBudget: 100, roundLog, labelBatch: oracle(gold).labelBatch });
    await expect(activeDistill(pool, { ...RESUME_OPTIONS, seed: 8, roundLog, labelBatch: oracle(gold).labelBatch })).rejects.toThrow(/other\.jsonl:1: the round log was written with other settings/);
    writeFileSync(roundLog, readFileSync(roundLog, 'utf8') + '{"type":"round","rou');
    // A larger budget continues the same run (stops are not part of the fingerprint).
    const o = oracle(gold);
    const more = await activeDistill(pool, { ...RESUME_OPTIONS, labelBudget: 140, roundLog, labelBatch: o.labelBatch, known: new Map() });
    expect(more.bought).toBe(140);
    expect(lines(roundLog).every((l) => JSON.parse(l))).toBe(true);
  }, 60_000);
});
