import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, induceTaxonomy, type InduceOptions } from '../../src/index.js';
import { keepBestSupported, labelSupport } from '../../src/induce/support.js';
import { createScenario, makeCorpus, parseLabels } from './scenario.js';
import { SCRIPTED_PRICES, scriptedInductionModel } from './scripted-chat.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'taxonomist-degrade-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BASE = { useCase: 'the intent of banking support chats', batchSize: 10, summarize: false, seed: 1, maxLabels: 4, maxAttempts: 2 } as const;

/** 12 labels: one per distinct intent and then some, like a model that ignores the cap. */
const OVERSHOOT = [
  'Card delivery',
  'Lost card',
  'Refund requests',
  'Exchange rates',
  'Top-up problems',
  'Transfer delays',
  'Account closure',
  'Password reset',
  'Loan questions',
  'Mortgage offers',
  'Savings interest',
  'Branch hours',
].map((name) => ({ name, description: `Texts about ${name.toLowerCase()}.` }));

interface Msg {
  role: string;
  content: string;
}

/** The 'coverage' scenario, except that generate always overshoots and the merge answers `merge(messages)`. */
function overshooting(merge: (messages: Msg[]) => unknown) {
  const scenario = createScenario('coverage');
  const seen: { name: string | undefined; schema: Record<string, unknown> | undefined; messages: Msg[] }[] = [];
  const script = (name: string | undefined, messages: Msg[], schema: Record<string, unknown> | undefined) => {
    seen.push({ name, schema, messages });
    if (name === 'taxonomy_draft') return { labels: OVERSHOOT, explanation: 'one label per intent' };
    if (name === 'taxonomy_merge') return merge(messages);
    return scenario(name, messages);
  };
  return { script, seen };
}

async function induce(script: Parameters<typeof scriptedInductionModel>[0], options: Partial<InduceOptions> = {}) {
  const { ref, model } = scriptedInductionModel(script);
  const gateway = createGateway({ prices: SCRIPTED_PRICES });
  const result = await induceTaxonomy(makeCorpus(36), { ...BASE, model: ref, gateway, ...options } as InduceOptions);
  return { result, model, gateway };
}

describe('induction bends instead of breaking', () => {
  it('sends the label cap as maxItems and fromIds as an enum of the current ids', async () => {
    const { script, seen } = overshooting(() => ({ labels: OVERSHOOT.slice(0, 4), explanation: 'merged' }));
    await induce(script);
    const draft = seen.find((s) => s.name === 'taxonomy_draft')!.schema as { properties: { labels: { maxItems: number; minItems: number } } };
    expect(draft.properties.labels).toMatchObject({ minItems: 2, maxItems: 4 });
    const update = seen.find((s) => s.name === 'taxonomy_revision')!;
    const ids = parseLabels(update.messages.find((m) => m.role === 'user')!.content).map((l) => l.id);
    expect(ids.length).toBeGreaterThan(1);
    const labels = (update.schema as { properties: { labels: { maxItems: number; items: { properties: { fromIds: { items: { enum: string[] } } } } } } }).properties.labels;
    expect(labels.maxItems).toBe(4);
    expect(labels.items.properties.fromIds.items.enum).toEqual(ids);
  });

  it('merge-down: an overshooting first taxonomy is merged by the model to the cap, with a warning naming the rule', async () => {
    const { script, seen } = overshooting((messages) => {
      // The merge prompt lists the proposal; a good model merges it to 4 labels.
      expect(messages.find((m) => m.role === 'user')!.content).toContain('Proposed labels (12)');
      return {
        labels: [
          { name: 'Card issues', description: 'Card delivery, lost cards.' },
          { name: 'Payments and refunds', description: 'Refunds, top-ups, transfers.' },
          { name: 'Currency exchange', description: 'Exchange rates.' },
          { name: 'Account matters', description: 'Accounts, passwords, loans, savings.' },
        ],
        explanation: 'merged related intents',
      };
    });
    const { result } = await induce(script);
    const first = result.history[0]!;
    expect(first).toMatchObject({ kind: 'generate', status: 'accepted', degraded: 'merge-down', attempts: 3 });
    expect(first.taxonomy.labels.map((l) => l.name)).toEqual(['Card issues', 'Payments and refunds', 'Currency exchange', 'Account matters']);
    expect(first.violations[0]![0]).toMatch(/the taxonomy has 12 labels; at most 4 are allowed/);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings![0]).toMatch(/proposed 12 labels \(at most 4 allowed\).*rule merge-down.*4 labels kept/);
    expect(first.note).toBe(result.warnings![0]);
    expect(result.degradedSteps).toBe(1);
    expect(result.taxonomy.labels.length).toBeLessThanOrEqual(4);
    expect(seen.filter((s) => s.name === 'taxonomy_merge')).toHaveLength(1);
  });

  it('keep-best-supported: when the merge overshoots too, the best-covered valid labels are kept, deterministically', async () => {
    const { script, seen } = overshooting(() => ({ labels: [...OVERSHOOT.slice(0, 10), { name: 'Other', description: 'rest' }], explanation: 'could not merge' }));
    const a = await induce(script);
    const first = a.result.history[0]!;
    expect(first).toMatchObject({ status: 'accepted', degraded: 'keep-best-supported' });
    expect(seen.filter((s) => s.name === 'taxonomy_merge')).toHaveLength(2); // MERGE_ATTEMPTS
    // The labels that cover the most texts of the first minibatch win, ties in the model's order.
    const textOf = new Map(makeCorpus(36).map((r) => [r.id, r.text]));
    const batch = a.result.sample.trainingIds.slice(0, 10).map((id) => textOf.get(id)!);
    const support = labelSupport(OVERSHOOT.slice(0, 10), batch);
    const expected = OVERSHOOT.slice(0, 10)
      .map((l, i) => ({ l, i, s: support[i]! }))
      .sort((x, y) => y.s - x.s || x.i - y.i)
      .slice(0, 4)
      .sort((x, y) => x.i - y.i)
      .map((x) => x.l.name);
    expect(first.taxonomy.labels.map((l) => l.name)).toEqual(expected);
    expect(a.result.warnings![0]).toMatch(/rule keep-best-supported: kept 4 of 11 proposed labels/);
    expect(a.result.warnings![0]).toContain('"Other" (breaks a rule)');
    const again = await induce(overshooting(() => ({ labels: [...OVERSHOOT.slice(0, 10), { name: 'Other', description: 'rest' }], explanation: 'could not merge' })).script);
    expect(JSON.stringify(again.result.taxonomy)).toBe(JSON.stringify(a.result.taxonomy));
    expect(again.result.warnings).toEqual(a.result.warnings);
  });

  it('a degraded step replays from the checkpoint with the same taxonomy and warnings', async () => {
    const checkpoint = join(dir, 'degrade.json');
    const merge = () => ({ labels: OVERSHOOT.slice(0, 9), explanation: 'no' });
    const first = await induce(overshooting(merge).script, { checkpoint });
    const { script, seen } = overshooting(merge);
    const resumed = await induce(script, { checkpoint });
    expect(seen).toHaveLength(0); // everything came from the checkpoint
    expect(JSON.stringify({ ...resumed.result, checkpointPath: undefined })).toBe(JSON.stringify({ ...first.result, checkpointPath: undefined }));
    expect(resumed.result.warnings!.length).toBeGreaterThan(0);
  });

  it('a rejected update round keeps the previous taxonomy and says why in the history and warnings', async () => {
    const scenario = createScenario('coverage');
    const { result } = await induce(
      (name, messages) => {
        const answer = scenario(name, messages) as { labels?: { fromIds: string[] }[] };
        // Invented ids in every update answer.
        if (name === 'taxonomy_revision') return { ...answer, labels: answer.labels!.map((l) => ({ ...l, fromIds: ['X9'] })) };
        return answer;
      },
      { maxLabels: 10 },
    );
    const rejected = result.history.filter((h) => h.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0]!.note).toMatch(/^update t0\/top\/e0\/b1: rejected: no answer followed the rules in 2 attempt\(s\) \(last problems: .*"X9".*\); the previous taxonomy \(\d+ labels\) was kept$/);
    expect(rejected[0]!.taxonomy.labels).toEqual(result.history[rejected[0]!.step - 1]!.taxonomy.labels);
    expect(result.warnings).toEqual(result.history.filter((h) => h.note).map((h) => h.note));
  });
});

describe('keepBestSupported', () => {
  it('ranks by lexical coverage, drops invalid and duplicate names, keeps the model order', () => {
    const labels = [
      { name: 'Misc', description: 'everything' },
      { name: 'Card delivery', description: 'new card arrival' },
      { name: 'Refunds', description: 'money back refund' },
      { name: 'card delivery', description: 'duplicate' },
      { name: 'Exchange', description: 'exchange rates' },
    ];
    const texts = ['my card did not arrive', 'where is my new card', 'I want a refund', 'exchange rate for euros', 'card stuck'];
    const rules = { minLabels: 2, maxLabels: 2, maxNameWords: 5, maxDescriptionWords: 30, locked: [] };
    const kept = keepBestSupported(labels, rules, texts);
    expect(kept.invalid.map((l) => l.name)).toEqual(['Misc', 'card delivery']);
    expect(kept.labels.map((l) => l.name)).toEqual(['Card delivery', 'Refunds']);
    expect(kept.support).toEqual([3, 1]);
    expect(kept.dropped).toEqual([{ label: labels[4], support: 1 }]);
  });
});
