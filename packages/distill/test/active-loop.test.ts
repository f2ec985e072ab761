import { describe, expect, it } from 'vitest';
import { createRng } from '@taxonomist/core';
import { activeDistill, type ActiveOptions, type PoolRecord } from '../src/index.js';
import { syntheticExamples } from './helpers.js';
import { bankingSample } from './active-helpers.js';

const synthetic = syntheticExamples(300, 3);
const synthPool: PoolRecord[] = synthetic.map((e) => ({ id: e.id!, text: e.text }));
const synthGold = new Map(synthetic.map((e) => [e.id!, e.label]));

/** A scripted LLM answering gold labels, recording every id it was asked, with a seeded random latency. */
function oracle(gold: Map<string, string>, latencySeed?: number) {
  const asked: string[] = [];
  const rng = latencySeed === undefined ? undefined : createRng(latencySeed);
  const labelBatch: ActiveOptions['labelBatch'] = async (records) => {
    if (rng) await new Promise((r) => setTimeout(r, rng.int(8)));
    asked.push(...records.map((r) => r.id));
    return records.map((r) => gold.get(r.id)!);
  };
  return { asked, labelBatch };
}

describe('activeDistill', () => {
  it('buys up to the label budget, never the same record twice, and reports each round honestly', async () => {
    const { pool, gold } = bankingSample();
    const o = oracle(gold);
    let lastFitAll: (() => Promise<unknown>) | undefined;
    const res = await activeDistill(pool, {
      strategy: 'margin', seed: 1, seedSize: 60, batchSize: 50, labelBudget: 230, strata: 30, labelBatch: o.labelBatch,
      onRound: (_r, _m, extra) => void (lastFitAll = extra?.fitAll),
    });
    expect(res.stopReason).toBe('label-budget');
    expect(res.bought).toBe(230);
    expect(o.asked).toHaveLength(230);
    expect(new Set(o.asked).size).toBe(230);
    // Rounds: seed 60, then 50, 50, 50, and the last batch cut to the budget.
    expect(res.rounds.map((r) => r.bought)).toEqual([60, 110, 160, 210, 230]);
    expect(res.rounds[0]!.strategy).toBe('seed');
    expect(res.rounds[1]!.strategy).toBe('margin');
    const last = res.rounds.at(-1)!;
    expect(last.holdout).toBe(23); // 10% drawn at random for the held-out estimate
    expect(last.training + last.holdout).toBe(230);
    const q = last.quality!;
    expect(q.holdout.n).toBe(23);
    expect(q.holdout.agreement).toBeCloseTo(q.holdout.agree / 23, 12);
    expect(q.holdout.interval!.low).toBeLessThan(q.holdout.agreement!);
    expect(q.holdout.interval!.high).toBeGreaterThan(q.holdout.agreement!);
    expect(q.unlabeled).toBe(pool.length - 230);
    expect(q.expectedAgreementUnlabeled).toBeGreaterThan(0);
    expect(q.expectedAgreementUnlabeled).toBeLessThan(1);
    expect(q.perLabelRecall.reduce((a, r) => a + r.n, 0)).toBe(23);
    // The final model learned every usable label, held-out ones included.
    expect(res.examples).toHaveLength(230);
    expect(res.model!.meta.training.examples).toBe(230);
    // fitAll() after the last round trains that same final classifier (what a user stopping there gets).
    const all = (await lastFitAll!()) as typeof res.model;
    expect(all!.meta.training.examples).toBe(230);
    expect(all!.predictLabelsSync(pool.slice(0, 50).map((r) => r.text))).toEqual(res.model!.predictLabelsSync(pool.slice(0, 50).map((r) => r.text)));
    expect(res.examples.every((e) => gold.get(e.id!) === e.label)).toBe(true);
  });

  it('the seed batch covers the strata: more distinct intents than a random sample of the same size', async () => {
    const { pool, gold } = bankingSample();
    const labelsOf = async (strategy: string, seedSize: number) => {
      const res = await activeDistill(pool, { strategy, seed: 2, seedSize, batchSize: 60, holdoutFraction: 0, labelBudget: 60, strata: 60, labelBatch: oracle(gold).labelBatch });
      return new Set(res.examples.map((e) => e.label)).size;
    };
    const stratified = await labelsOf('random', 60);
    const random = await labelsOf('random', 0);
    expect(stratified).toBeGreaterThan(random);
  });

  for (const strategy of ['random', 'margin', 'entropy', 'diverse', 'balanced', 'diverse-balanced']) {
    it(`${strategy}: same pool, seed and answers give the same picks whatever the latency`, async () => {
      const run = (seed: number, latency?: number) =>
        activeDistill(synthPool, { strategy, seed, seedSize: 12, batchSize: 15, labelBudget: 72, strata: 6, labelBatch: oracle(synthGold, latency).labelBatch });
      const a = await run(4);
      const b = await run(4, 99);
      expect(b.rounds.map((r) => r.picked)).toEqual(a.rounds.map((r) => r.picked));
      expect(b.rounds.map((r) => r.holdoutAdded)).toEqual(a.rounds.map((r) => r.holdoutAdded));
      expect(b.rounds.map((r) => r.quality)).toEqual(a.rounds.map((r) => r.quality));
      const c = await run(5);
      expect(c.rounds.map((r) => r.picked.join()).join('|')).not.toBe(a.rounds.map((r) => r.picked.join()).join('|'));
    });
  }

  it('stops at the target agreement (lower bound or point, as asked)', async () => {
    const base = { strategy: 'margin', seed: 1, seedSize: 30, batchSize: 30, holdoutFraction: 0.3, labelBudget: 300, targetMinHoldout: 20 };
    const point = await activeDistill(synthPool, { ...base, targetAgreement: 0.8, targetOn: 'point', labelBatch: oracle(synthGold).labelBatch });
    expect(point.stopReason).toBe('target');
    const q = point.rounds.at(-1)!.quality!.holdout;
    expect(q.agreement).toBeGreaterThanOrEqual(0.8);
    expect(q.n).toBeGreaterThanOrEqual(20);
    expect(point.bought).toBeLessThan(300);
    const lower = await activeDistill(synthPool, { ...base, targetAgreement: 0.8, labelBatch: oracle(synthGold).labelBatch });
    expect(lower.stopReason).toBe('target');
    expect(lower.rounds.at(-1)!.quality!.holdout.interval!.low).toBeGreaterThanOrEqual(0.8);
    expect(lower.bought).toBeGreaterThanOrEqual(point.bought);
    // No earlier round met the target: the loop stopped at the first round that did.
    for (const r of point.rounds.slice(0, -1)) expect(r.quality!.holdout.n < 20 || r.quality!.holdout.agreement! < 0.8).toBe(true);
    for (const r of lower.rounds.slice(0, -1)) expect(r.quality!.holdout.n < 20 || r.quality!.holdout.interval!.low < 0.8).toBe(true);
    // Unreachable target: the budget stops it.
    const never = await activeDistill(synthPool, { ...base, labelBudget: 120, targetAgreement: 1, labelBatch: oracle(synthGold).labelBatch });
    expect(never.stopReason).toBe('label-budget');
  });

  it('stops on a plateau when answers carry no signal', async () => {
    const rng = createRng(3);
    const labels = ['a', 'b', 'c'];
    const noise: ActiveOptions['labelBatch'] = async (records) => records.map(() => labels[rng.int(3)]!);
    const res = await activeDistill(synthPool, { strategy: 'random', seed: 1, seedSize: 20, batchSize: 20, holdoutFraction: 0.3, plateau: { rounds: 2, minGain: 0.02 }, labelBatch: noise });
    expect(res.stopReason).toBe('plateau');
    expect(res.bought).toBeLessThan(synthPool.length);
    const agr = res.rounds.map((r) => r.quality?.holdout.agreement ?? -1);
    expect(Math.max(...agr.slice(-2))).toBeLessThan(Math.max(...agr.slice(0, -2)) + 0.02);
  });

  it('stops on the USD budget, cutting the last batch to what the rest is expected to buy', async () => {
    const o = oracle(synthGold);
    const res = await activeDistill(synthPool, { strategy: 'entropy', seed: 1, seedSize: 20, batchSize: 25, budgetUsd: 0.5, spentUsd: () => o.asked.length * 0.01, labelBatch: o.labelBatch });
    expect(res.stopReason).toBe('usd-budget');
    expect(o.asked.length).toBe(50);
    expect(res.spentUsd).toBeCloseTo(0.5, 10);
  });

  it('runs the pool dry; unusable answers are counted, not trained on, not asked again', async () => {
    const small = synthPool.slice(0, 40);
    const o = oracle(synthGold);
    const labelBatch: ActiveOptions['labelBatch'] = async (records) => (await o.labelBatch(records)).map((l, i) => (records[i]!.id.endsWith('7') ? null : l));
    const res = await activeDistill(small, { strategy: 'diverse', seed: 1, seedSize: 10, batchSize: 15, strata: 4, labelBatch });
    expect(res.stopReason).toBe('pool-exhausted');
    expect(new Set(o.asked).size).toBe(40);
    expect(o.asked).toHaveLength(40);
    expect(res.unusable).toBe(4);
    expect(res.examples).toHaveLength(36);
    expect(res.answers.get(small.find((r) => r.id.endsWith('7'))!.id)).toBeNull();
  });

  it('reuses known answers instead of buying them', async () => {
    const first = await activeDistill(synthPool, { strategy: 'margin', seed: 9, seedSize: 20, batchSize: 20, labelBudget: 60, labelBatch: oracle(synthGold).labelBatch });
    const o = oracle(synthGold);
    const again = await activeDistill(synthPool, { strategy: 'margin', seed: 9, seedSize: 20, batchSize: 20, labelBudget: 100, known: first.answers, labelBatch: o.labelBatch });
    expect(again.rounds.slice(0, 3).map((r) => r.picked)).toEqual(first.rounds.map((r) => r.picked));
    expect(o.asked).toHaveLength(40);
    expect(o.asked.some((id) => first.answers.has(id))).toBe(false);
    expect(again.reused).toBe(60);
  });

  it('rejects bad input and bad answers with a clear message', async () => {
    const o = oracle(synthGold);
    await expect(activeDistill([{ id: 'a', text: 'x' }, { id: 'a', text: 'y' }], { labelBatch: o.labelBatch })).rejects.toThrow(/pool\[1\]: id "a" appears twice/);
    await expect(activeDistill(synthPool, { strategy: 'nope', labelBatch: o.labelBatch })).rejects.toThrow(/unknown selection strategy "nope"/);
    await expect(activeDistill(synthPool, { seedSize: 5, labelBatch: async (r) => r.map(() => '') })).rejects.toThrow(/answer for id "s3-\d+" must be a non-empty string or null/);
    await expect(activeDistill(synthPool, { seedSize: 5, labelBatch: async () => ['a'] })).rejects.toThrow(/returned 1 answers for 5 records/);
  });
});
