import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countTokens,
  createPluginHost,
  induceTaxonomy,
  InductionCheckpointSchema,
  InductionError,
  InductionResultSchema,
  taxonomyToJson,
  taxonomyToMarkdown,
  type InduceOptions,
  type InductionProgressEvent,
  type InductionResult,
  type TaxonomyStepEvent,
} from '../../src/index.js';
import { createFakeGateway, type FakeCall } from './fake-gateway.js';
import { createScenario, makeCorpus, parseLabels, topicOf, TOPICS } from './scenario.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'taxonomist-induce-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BASE = { useCase: 'the intent of banking support chats', model: 'fake:model', batchSize: 10, summarize: true, seed: 1 } as const;

/** Run induction against the scripted scenario; `wrap` can replace answers of chosen calls. */
async function run(
  mode: 'rich' | 'coverage',
  options: Partial<InduceOptions> = {},
  wrap?: (call: FakeCall, answer: () => unknown) => unknown,
  corpusSize = 48,
) {
  const scenario = createScenario(mode);
  const answer = (c: FakeCall) => scenario(c.schemaName, c.messages);
  const gateway = createFakeGateway((c) => (wrap ? wrap(c, () => answer(c)) : answer(c)));
  const result = await induceTaxonomy(makeCorpus(corpusSize), { ...BASE, gateway, ...options } as InduceOptions);
  return { result, gateway };
}

const names = (r: { taxonomy: { labels: { id: string; name: string }[] } }) => r.taxonomy.labels.map((l) => `${l.id}:${l.name}`);
const withoutPath = (r: InductionResult) => JSON.stringify({ ...r, checkpointPath: undefined });
const stepsOf = (calls: FakeCall[], stage: string) => calls.filter((c) => c.stage === stage);

describe('induceTaxonomy: multi-batch chain', () => {
  it('generates, then renames, merges, adds and splits with stable ids and an explicit mapping', async () => {
    const { result } = await run('rich');
    expect(InductionResultSchema.parse(result)).toBeTruthy();
    // 48 records: 5 validation, 43 training -> batches of 10, 10, 10, 10, 3; then the review.
    expect(result.sample.validationIds).toHaveLength(5);
    expect(result.history.map((h) => `${h.kind}:${h.key}:${h.records}`)).toEqual([
      'generate:t0/top/e0/b0:10',
      'update:t0/top/e0/b1:10',
      'update:t0/top/e0/b2:10',
      'update:t0/top/e0/b3:10',
      'update:t0/top/e0/b4:3',
      'review:t0/top/review:0',
    ]);
    const [gen, up1, up2] = result.history;
    expect(names(gen!)).toEqual(['L1:Card delivery', 'L2:Lost card', 'L3:Stolen card', 'L4:Refund requests']);
    expect(gen!.rating).toBeNull();
    expect(names(up1!)).toEqual(['L1:Card arrival', 'L2:Lost or stolen card', 'L4:Refund requests', 'L5:Exchange rates']);
    expect(up1!.mapping).toEqual([
      { kind: 'renamed', from: 'L1', to: ['L1'] },
      { kind: 'merged', from: 'L2', to: ['L2'] },
      { kind: 'merged', from: 'L3', to: ['L2'] },
      { kind: 'kept', from: 'L4', to: ['L4'], descriptionChanged: true },
      { kind: 'added', from: null, to: ['L5'] },
    ]);
    expect(up1!.rating).toBe(55);
    expect(up1!.suggestions).toContain('merge Lost card and Stolen card');
    expect(names(up2!)).toEqual([
      'L1:Card arrival',
      'L2:Lost or stolen card',
      'L5:Exchange rates',
      'L6:Refund status',
      'L7:New refund requests',
      'L8:Top-up problems',
    ]);
    expect(up2!.mapping).toEqual([
      { kind: 'kept', from: 'L1', to: ['L1'] },
      { kind: 'kept', from: 'L2', to: ['L2'] },
      { kind: 'split', from: 'L4', to: ['L6', 'L7'] },
      { kind: 'kept', from: 'L5', to: ['L5'] },
      { kind: 'added', from: null, to: ['L8'] },
    ]);
    expect(result.history.at(-1)!.rating).toBe(95);
    expect(names(result)).toEqual(names(up2!));
    expect(result.taxonomy.method).toBe('llm');
    expect(result.taxonomy.id).toMatch(/^tax-/);
    expect(result.rejectedSteps).toBe(0);
  });

  it('re-asks on rule violations with the violations stated and a slightly higher temperature', async () => {
    const { result, gateway } = await run('rich');
    const up2 = result.history[2]!;
    expect(up2.status).toBe('accepted');
    expect(up2.attempts).toBe(2);
    expect(up2.violations).toEqual([
      [
        expect.stringContaining('label 5 "Other": catch-all names'),
        'label 6 "Problems with adding money to the account balance": the name has 8 words; at most 5 are allowed.',
      ],
    ]);
    const updates = stepsOf(gateway.calls, 'update');
    // Five update steps, one of them asked twice.
    expect(updates.map((c) => c.temperature)).toEqual([0.2, 0.2, 0.3, 0.2, 0.2]);
    const reask = updates[2]!;
    expect(reask.messages.at(-2)).toMatchObject({ role: 'assistant' });
    expect(reask.messages.at(-2)!.content).toContain('"Other"');
    expect(reask.messages.at(-1)!.content).toMatch(/^That taxonomy breaks these rules:\n- label 5 "Other"/);
    expect(up2.usage.calls).toBe(2);
    expect(gateway.calls.every((c) => c.promptId !== undefined)).toBe(true);
    expect(stepsOf(gateway.calls, 'generate')[0]!.temperature).toBe(0.5);
    expect(stepsOf(gateway.calls, 'review')[0]!.temperature).toBe(0);
  });

  it('accounts tokens and cost per stage from the step records', async () => {
    const { result, gateway } = await run('rich');
    const u = result.usage;
    expect(u.total.calls).toBe(gateway.calls.length);
    expect(u.byStage.summarize!.calls).toBe(43);
    expect(u.byStage.update!.calls).toBe(5);
    const historyInput = result.history.reduce((n, h) => n + h.usage.inputTokens, 0);
    expect(u.byStage.generate!.inputTokens + u.byStage.update!.inputTokens + u.byStage.review!.inputTokens).toBe(historyInput);
    const expectedCost = (u.total.inputTokens * 1 + u.total.outputTokens * 2) / 1e6;
    expect(u.total.costUsd).toBeCloseTo(expectedCost, 9);
    expect(u.rows.map((r) => r.stage)).toEqual(['generate', 'review', 'summarize', 'update']);
    expect(u.byModel['fake:model']!.calls).toBe(gateway.calls.length);
  });

  it('rejects ids the model invents and asks again naming it', async () => {
    let invented = false;
    const { result, gateway } = await run('rich', {}, (call, answer) => {
      const value = answer() as { labels?: { fromIds: string[] }[] };
      if (call.stage === 'update' && !invented) {
        invented = true;
        return { ...value, labels: value.labels!.map((l, i) => (i === 0 ? { ...l, fromIds: ['L99'] } : l)) };
      }
      return value;
    });
    expect(result.history[1]!.attempts).toBe(2);
    expect(result.history[1]!.violations[0]).toEqual([
      'label 1 "Card arrival": fromIds lists "L99", which is not an id of the current taxonomy (L1, L2, L3, L4); use [] for a new label.',
    ]);
    expect(stepsOf(gateway.calls, 'update')[1]!.messages.at(-1)!.content).toContain('"L99"');
    expect(result.history[1]!.mapping[0]).toEqual({ kind: 'renamed', from: 'L1', to: ['L1'] });
  });

  it('keeps the taxonomy and records a rejected step when every attempt breaks the rules', async () => {
    const { result, gateway } = await run('rich', { maxAttempts: 5 }, (call, answer) => {
      if (call.stage === 'update' && call.messages[1]!.content.includes('Exchange rates')) {
        const labels = parseLabels(call.messages[1]!.content.split('\n\nNew texts')[0]!);
        return { rating: 10, explanation: 'x', suggestions: [], labels: [...labels, { id: 'x', name: 'Misc', description: 'rest' }].map((l) => ({ fromIds: l.id === 'x' ? [] : [l.id], name: l.name, description: l.description })) };
      }
      return answer();
    });
    const rejected = result.history.filter((h) => h.status === 'rejected');
    expect(rejected).toHaveLength(3);
    expect(result.rejectedSteps).toBe(3);
    const first = rejected[0]!;
    expect(first.attempts).toBe(5);
    expect(first.violations).toHaveLength(5);
    expect(first.taxonomy.labels).toEqual(result.history[first.step - 1]!.taxonomy.labels);
    expect(first.mapping.every((m) => m.kind === 'kept')).toBe(true);
    const temps = stepsOf(gateway.calls, 'update').slice(1, 6).map((c) => c.temperature);
    expect(temps).toEqual([0.2, 0.3, 0.4, 0.5, 0.6]);
    expect(names(result)).toEqual(['L1:Card arrival', 'L2:Lost or stolen card', 'L4:Refund requests', 'L5:Exchange rates']);
  });

  it('counts answers the gateway could not parse as failed attempts', async () => {
    let broken = 0;
    const { result } = await run('rich', {}, (call, answer) => {
      if (call.stage === 'generate' && broken++ === 0) return { labels: 'not a list' };
      return answer();
    });
    expect(result.history[0]!.attempts).toBe(2);
    expect(result.history[0]!.usage.failedCalls).toBe(1);
    expect(result.history[0]!.violations[0]![0]).toMatch(/did not match the required JSON format/);
  });

  it('fails clearly when no valid first taxonomy comes back, without checkpointing the failure', async () => {
    const checkpoint = join(dir, 'gen-fail.json');
    const attempt = run('rich', { maxAttempts: 2, checkpoint }, (call, answer) =>
      call.stage === 'generate' ? { labels: [{ name: 'Other', description: 'x' }], explanation: '' } : answer(),
    );
    await expect(attempt).rejects.toThrow(InductionError);
    await expect(attempt).rejects.toThrow(/taxonomy generation failed: no valid first taxonomy in 2 attempts; last problems: the taxonomy has 1 labels/);
    const saved = InductionCheckpointSchema.parse(JSON.parse(await readFile(checkpoint, 'utf8')));
    expect(Object.keys(saved.steps).some((k) => k.startsWith('t0/'))).toBe(false);
    expect(Object.keys(saved.steps).filter((k) => k.startsWith('sum/'))).toHaveLength(43);
  });

  it('runs extra epochs over reshuffled batches', async () => {
    const { result, gateway } = await run('coverage', { epochs: 2, review: false });
    expect(result.history.map((h) => h.key)).toEqual([
      't0/top/e0/b0', 't0/top/e0/b1', 't0/top/e0/b2', 't0/top/e0/b3', 't0/top/e0/b4',
      't0/top/e1/b0', 't0/top/e1/b1', 't0/top/e1/b2', 't0/top/e1/b3', 't0/top/e1/b4',
    ]);
    const firstItems = (c: FakeCall) => c.messages[1]!.content.split('\n').find((l) => l.startsWith('1. '));
    const [e0b1, e1b0] = [stepsOf(gateway.calls, 'update')[0]!, stepsOf(gateway.calls, 'update')[4]!];
    expect(firstItems(e0b1)).not.toEqual(firstItems(e1b0));
  });
});

describe('induceTaxonomy: determinism and resume', () => {
  it('gives byte-identical results for the same seed and a different sample for another seed', async () => {
    const a = await run('rich');
    const b = await run('rich');
    expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
    expect(taxonomyToJson(b.result.taxonomy)).toBe(taxonomyToJson(a.result.taxonomy));
    const c = await run('rich', { seed: 2 });
    expect(c.result.sample.validationIds).not.toEqual(a.result.sample.validationIds);
  });

  it.each([
    ['during summarization', 'summarize', 17],
    ['at the third update', 'update', 3],
    ['at the review', 'review', 1],
  ])('resumes after a crash %s with a byte-identical result', async (_label, stage, k) => {
    const reference = await run('rich', { checkpoint: join(dir, `ref-${stage}.json`), concurrency: 4 });
    const checkpoint = join(dir, `crash-${stage}.json`);
    let seen = 0;
    const crashed = run('rich', { checkpoint, concurrency: 4 }, (call, answer) => {
      if (call.stage === stage && ++seen === k) return new Error('simulated crash');
      return answer();
    });
    await expect(crashed).rejects.toThrow('simulated crash');
    const saved = InductionCheckpointSchema.parse(JSON.parse(await readFile(checkpoint, 'utf8')));
    expect(saved.complete).toBe(false);

    const resumed = await run('rich', { checkpoint, concurrency: 4 });
    expect(withoutPath(resumed.result)).toBe(withoutPath(reference.result));
    // Completed steps were replayed, not asked again.
    const asked = resumed.gateway.calls.map((c) => c.stage);
    if (stage !== 'summarize') expect(asked).not.toContain('summarize');
    if (stage === 'update') expect(asked.filter((s) => s === 'generate')).toHaveLength(0);
    if (stage === 'review') expect(asked).toEqual(['review']);
    expect(resumed.gateway.calls.length).toBeLessThan(reference.gateway.calls.length);
    const done = InductionCheckpointSchema.parse(JSON.parse(await readFile(checkpoint, 'utf8')));
    expect(done.complete).toBe(true);
    expect(done.history).toHaveLength(6);

    // A finished checkpoint replays completely: no model calls at all.
    const again = await run('rich', { checkpoint, concurrency: 4 });
    expect(again.gateway.calls).toHaveLength(0);
    expect(withoutPath(again.result)).toBe(withoutPath(reference.result));
  });

  it('refuses a checkpoint written with other options or for another corpus', async () => {
    const checkpoint = join(dir, 'mismatch.json');
    await run('rich', { checkpoint });
    await expect(run('rich', { checkpoint, maxLabels: 12 })).rejects.toThrow(/was written by a run with other options or models/);
    await expect(run('rich', { checkpoint }, undefined, 50)).rejects.toThrow(/was written for a different corpus/);
  });

  it('stops at an abort and resumes from the checkpoint', async () => {
    const checkpoint = join(dir, 'abort.json');
    const controller = new AbortController();
    const aborted = run('rich', {
      checkpoint,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'taxonomy:updated' && e.record.batch === 2) controller.abort(new Error('user stop'));
      },
    });
    await expect(aborted).rejects.toThrow('user stop');
    const resumed = await run('rich', { checkpoint });
    expect(stepsOf(resumed.gateway.calls, 'generate')).toHaveLength(0);
    expect(stepsOf(resumed.gateway.calls, 'update')).toHaveLength(2);
    expect(withoutPath(resumed.result)).toBe(withoutPath((await run('rich')).result));
  });
});

describe('induceTaxonomy: trials, hierarchy, human in the loop', () => {
  it('runs trials with different seeds and keeps the candidate the pairwise judge prefers', async () => {
    const { result, gateway } = await run('coverage', { trials: 3, batchSize: 4, validationFraction: 0.3, judgeSampleSize: 15 }, undefined, 60);
    const trials = result.trials!;
    expect(trials.candidates).toHaveLength(3);
    const sets = trials.candidates.map((c) => c.taxonomy.labels.map((l) => l.name).sort().join('|'));
    expect(new Set(sets).size).toBeGreaterThan(1);
    expect(new Set(trials.candidates.map((c) => c.seed)).size).toBe(3);

    // Expected verdicts from the definition: a candidate wins a record when only it has the record's topic.
    const corpus = new Map(makeCorpus(60).map((r) => [r.id, r.text]));
    const judged = result.sample.validationIds.slice(0, 15);
    const covers = (i: number, id: string) => trials.candidates[i]!.taxonomy.labels.some((l) => l.name === topicOf(corpus.get(id)!)!.name);
    const expectedScores = [0, 0, 0];
    for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) {
      const cmp = trials.comparisons.find((c) => c.a === a && c.b === b)!;
      expect(cmp.decisions.map((d) => d.recordId)).toEqual(judged);
      for (const d of cmp.decisions) {
        const expected = covers(a, d.recordId) === covers(b, d.recordId) ? null : covers(a, d.recordId) ? a : b;
        expect(d.winner).toBe(expected);
        // The verdict is relative to the position shown; the winner is mapped back to the trial.
        if (d.choice === 'first') expect(d.winner).toBe(d.first);
        if (d.choice === 'second') expect(d.winner).not.toBe(d.first);
        if (expected !== null) expectedScores[expected]!++;
      }
      expect(cmp.aWins + cmp.bWins + cmp.ties).toBe(15);
    }
    expect(trials.scores).toEqual(expectedScores);
    const best = expectedScores.indexOf(Math.max(...expectedScores));
    expect(trials.chosen).toBe(best);
    expect(result.taxonomy.labels.map((l) => l.name)).toEqual(trials.candidates[best]!.taxonomy.labels.map((l) => l.name));

    // Positions are randomized: each trial appears in both positions across the decisions.
    const firsts = trials.comparisons.flatMap((c) => c.decisions.map((d) => `${c.a}-${c.b}:${d.first === c.a ? 'a' : 'b'}`));
    expect(firsts.filter((f) => f.endsWith(':a')).length).toBeGreaterThan(5);
    expect(firsts.filter((f) => f.endsWith(':b')).length).toBeGreaterThan(5);
    // The first label set shown is really the candidate recorded as `first`.
    const judgeCalls = stepsOf(gateway.calls, 'judge');
    expect(judgeCalls).toHaveLength(45);
    const d0 = trials.comparisons[0]!.decisions[0]!;
    const shown = judgeCalls.find((c) => c.messages[1]!.content.includes(`Summary: ${corpus.get(d0.recordId)}`))!;
    const firstSet = parseLabels(shown.messages[1]!.content.split('\n\nSecond label set')[0]!).map((l) => l.name);
    expect(firstSet).toEqual(trials.candidates[d0.first]!.taxonomy.labels.map((l) => l.name));
    expect(trials.firstPositionRate).not.toBeNull();
    // Trials are told apart in the gateway cache.
    expect(new Set(stepsOf(gateway.calls, 'generate').map((c) => c.cacheSalt))).toEqual(new Set([undefined, 'trial-1', 'trial-2']));
  });

  it('asks both orders when judgeBothOrders is set and only counts agreeing verdicts', async () => {
    const { result, gateway } = await run(
      'coverage',
      { trials: 2, batchSize: 4, validationFraction: 0.3, judgeSampleSize: 10, judgeBothOrders: true },
      (call, answer) => (call.stage === 'judge' ? { reason: 'always the first', verdict: 'first' } : answer()),
      60,
    );
    expect(stepsOf(gateway.calls, 'judge')).toHaveLength(20);
    const cmp = result.trials!.comparisons[0]!;
    // A judge that always says "first" contradicts itself when the order flips: no record is won.
    expect(cmp.decisions.every((d) => d.choice === 'inconsistent' && d.winner === null)).toBe(true);
    expect(cmp.ties).toBe(10);
    expect(result.trials!.firstPositionRate).toBe(1);
    expect(result.trials!.chosen).toBe(0);
  });

  it('grows a second level inside each top label from the records placed there', async () => {
    const { result } = await run('coverage', { levels: 2, minRecordsForSubLabels: 3, examplesPerLabel: 2, batchSize: 20 }, undefined, 60);
    const labels = result.taxonomy.labels;
    const top = labels.filter((l) => l.parent === undefined);
    const corpus = new Map(makeCorpus(60).map((r) => [r.id, r.text]));
    const training = result.sample.trainingIds;
    const h = result.hierarchy!;
    for (const t of top) {
      expect(h.placed[t.id]).toBe(training.filter((id) => topicOf(corpus.get(id)!)!.name === t.name).length);
    }
    expect(h.unplaced).toBe(0);
    expect(h.failedPlacements).toBe(0);
    expect(h.grown).toEqual(top.map((t) => t.id));
    for (const t of top) {
      const kids = labels.filter((l) => l.parent === t.id);
      expect(kids.map((k) => k.name)).toEqual([`Urgent ${t.name.toLowerCase()}`, `Routine ${t.name.toLowerCase()}`]);
      // Examples come from the placement: the urgent child's examples are urgent texts.
      expect(kids[0]!.examples!.length).toBeGreaterThan(0);
      expect(kids[0]!.examples!.every((e) => e.includes('URGENT'))).toBe(true);
      expect(kids[1]!.examples!.every((e) => !e.includes('URGENT'))).toBe(true);
      expect(t.examples!.every((e) => topicOf(e)!.name === t.name)).toBe(true);
      // Children follow their parent in the label list.
      expect(labels.indexOf(kids[0]!)).toBe(labels.indexOf(t) + 1);
    }
    const ids = labels.map((l) => Number(l.id.slice(1)));
    expect(new Set(ids).size).toBe(ids.length);
    const level2 = result.history.filter((r) => r.level === 2);
    expect(new Set(level2.map((r) => r.parentId))).toEqual(new Set(top.map((t) => t.id)));
    expect(level2.filter((r) => r.kind === 'generate')).toHaveLength(top.length);
    expect(taxonomyToMarkdown(result.taxonomy)).toContain(`## ${top[0]!.name} (\`${top[0]!.id}\`)`);
  });

  it('leaves thinly populated top labels without sub-labels and says why', async () => {
    const { result } = await run('coverage', { levels: 2, minRecordsForSubLabels: 100, batchSize: 20 }, undefined, 60);
    expect(result.hierarchy!.grown).toEqual([]);
    expect(result.hierarchy!.skipped[0]!.reason).toMatch(/^only \d+ records placed \(minimum 100\)$/);
    expect(result.taxonomy.labels.every((l) => l.parent === undefined)).toBe(true);
  });

  it('starts from a seed taxonomy and keeps locked labels (re-asking when the model renames one)', async () => {
    const seedTaxonomy = {
      schemaVersion: 1 as const,
      useCase: BASE.useCase,
      labels: [
        { id: 'L1', name: 'Card delivery', description: 'Cards on their way.' },
        { id: 'L2', name: 'Refund requests', description: 'Money back.' },
      ],
    };
    let renamed = false;
    const { result, gateway } = await run('coverage', { seedTaxonomy, lockedLabels: ['Refund requests'], review: false }, (call, answer) => {
      const value = answer() as { labels: { fromIds: string[]; name: string }[] };
      if (call.stage === 'update' && !renamed) {
        renamed = true;
        return { ...value, labels: value.labels.map((l) => (l.fromIds[0] === 'L2' ? { ...l, name: 'Money back' } : l)) };
      }
      return value;
    });
    expect(stepsOf(gateway.calls, 'generate')).toHaveLength(0);
    expect(result.history[0]!.kind).toBe('update');
    expect(result.history[0]!.attempts).toBe(2);
    expect(result.history[0]!.violations[0]).toEqual([expect.stringContaining('locked label [L2] "Refund requests" may not be renamed')]);
    expect(gateway.calls[gateway.calls.findIndex((c) => c.stage === 'update')]!.messages[0]!.content).toContain(
      'These labels are fixed by the user: keep each with its id and exact name',
    );
    expect(names(result)).toContain('L2:Refund requests');
    expect(result.taxonomy.labels.find((l) => l.id === 'L2')!.name).toBe('Refund requests');
  });

  it('summarizes only long texts in auto mode and cuts texts on token boundaries', async () => {
    const corpus = [
      { id: 'short', text: 'card lost' },
      { id: 'long', text: `${'my card did not arrive and I am waiting. '.repeat(30)}` },
      ...makeCorpus(20),
    ];
    const scenario = createScenario('coverage');
    const gateway = createFakeGateway((c) => scenario(c.schemaName, c.messages));
    const result = await induceTaxonomy(corpus, {
      ...BASE,
      gateway,
      summarize: 'auto',
      summaryTokenThreshold: 12,
      maxTextTokens: 40,
      validationFraction: 0,
    });
    const byId = new Map(result.summaries.map((s) => [s.id, s]));
    expect(byId.get('short')).toEqual({ id: 'short', summary: 'card lost', source: 'text', originalTokens: 2, truncated: false });
    const long = byId.get('long')!;
    expect(long.source).toBe('model');
    expect(long.truncated).toBe(true);
    expect(long.originalTokens).toBeGreaterThan(200);
    const sent = stepsOf(gateway.calls, 'summarize').map((c) => c.messages[1]!.content);
    const expectedLong = corpus.filter((r) => countTokens(r.text) > 12).map((r) => r.id);
    expect(expectedLong.length).toBeGreaterThan(1);
    expect(expectedLong.length).toBeLessThan(corpus.length - 1);
    expect(sent).toHaveLength(expectedLong.length);
    expect(result.summaries.filter((s) => s.source === 'model').map((s) => s.id).sort()).toEqual(expectedLong.sort());
    expect(sent.find((t) => t.includes('waiting'))!.endsWith(' [...]"')).toBe(true); // the cut text, JSON-encoded
  });

  it('reports progress and calls the taxonomy:* plugin hooks; plugin prompts apply', async () => {
    const events: InductionProgressEvent[] = [];
    const hooked: string[] = [];
    const host = createPluginHost([
      {
        name: 'spy',
        hooks: {
          'taxonomy:generated': (e: TaxonomyStepEvent) => void hooked.push(`generated:${e.record.key}`),
          'taxonomy:updated': (e: TaxonomyStepEvent) => void hooked.push(`updated:${e.record.key}`),
          'taxonomy:reviewed': (e: TaxonomyStepEvent) => void hooked.push(`reviewed:${e.taxonomy.labels.length}`),
        },
        prompts: {
          review: (vars) => [
            { role: 'system', content: 'PLUGIN REVIEW PROMPT' },
            { role: 'user', content: `Taxonomy to review:\n${String(vars.taxonomyText)}` },
          ],
        },
      },
    ]);
    await host.ready();
    const { result, gateway } = await run('rich', { host, onProgress: (e) => events.push(e), instructions: 'Prefer short names.' });
    expect(hooked).toEqual([
      'generated:t0/top/e0/b0',
      'updated:t0/top/e0/b1',
      'updated:t0/top/e0/b2',
      'updated:t0/top/e0/b3',
      'updated:t0/top/e0/b4',
      `reviewed:${result.taxonomy.labels.length}`,
    ]);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('sampled');
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'taxonomy:updated')).toHaveLength(4);
    const summarized = events.filter((e) => e.type === 'summarized');
    expect(summarized.at(-1)).toMatchObject({ done: 43, total: 43, summarizedByModel: 43 });
    const review = stepsOf(gateway.calls, 'review')[0]!;
    expect(review.messages[0]!.content).toBe('PLUGIN REVIEW PROMPT\n\nAdditional instructions from the user:\nPrefer short names.');
    expect(review.promptId).toBe('review');
    expect(stepsOf(gateway.calls, 'update')[0]!.messages[0]!.content).toContain('Prefer short names.');
  });
});

describe('induceTaxonomy: options', () => {
  it('rejects misspelt and inconsistent options with the field named', async () => {
    const gateway = createFakeGateway(() => ({}));
    const go = (o: Record<string, unknown>) => induceTaxonomy(makeCorpus(5), { ...BASE, gateway, ...o } as InduceOptions);
    await expect(go({ batchsize: 3 })).rejects.toThrow(/invalid induction options:\n {2}\(options\): Unrecognized key: "batchsize"/);
    await expect(go({ lockedLabels: ['X'] })).rejects.toThrow(/lockedLabels: lockedLabels needs a seedTaxonomy/);
    await expect(go({ useCase: ' ' })).rejects.toThrow(/useCase: useCase must be a non-empty instruction/);
    await expect(go({ trials: 2, validationFraction: 0 })).rejects.toThrow(/trials > 1 needs validation records/);
    await expect(go({ maxTextTokens: 50000 })).rejects.toThrow(/batchTokenBudget \(40000\) must be at least maxTextTokens \(50000\)/);
    await expect(induceTaxonomy(makeCorpus(5), { useCase: 'x', strategy: 'llm' })).rejects.toThrow(/needs a chat model/);
    expect(TOPICS.length).toBe(6);
  });
});
