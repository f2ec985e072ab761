import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, InductionCheckpointSchema, createGateway, induceTaxonomy, type InduceOptions } from '../../src/index.js';
import { createScenario, makeCorpus } from './scenario.js';
import { SCRIPTED_PRICES, scriptedInductionModel } from './scripted-chat.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'taxonomist-induce-budget-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BASE = { useCase: 'the intent of banking support chats', batchSize: 10, summarize: true, seed: 1 } as const;

async function run(budget: number | undefined, options: Partial<InduceOptions> = {}) {
  const scenario = createScenario('rich');
  const { ref, model } = scriptedInductionModel((name, messages) => scenario(name, messages));
  const gateway = createGateway({ prices: SCRIPTED_PRICES, ...(budget !== undefined ? { budget } : {}) });
  const result = induceTaxonomy(makeCorpus(48), { ...BASE, model: ref, gateway, ...options } as InduceOptions);
  return { result, gateway, model };
}

describe('induceTaxonomy under a budget (real gateway, scripted model)', () => {
  it('stops before the call that would exceed the budget, within budget, resumable from the checkpoint', async () => {
    const full = await run(undefined);
    const complete = await full.result;
    const total = full.gateway.usage().total.costUsd;
    expect(total).toBeGreaterThan(0);

    const checkpoint = join(dir, 'half.json');
    const budget = total / 2;
    const half = await run(budget, { checkpoint });
    const err = await half.result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((err as Error).message).toMatch(/budget of \$[\d.]+ reached/);
    expect((err as Error).message).toContain(`saved in the checkpoint ${checkpoint}; run again with a higher budget to resume`);
    const state = half.gateway.budget!()!;
    // Spend never exceeds the budget, and the refused call never reached the model.
    expect(state.spentUsd).toBeLessThanOrEqual(budget);
    expect(state.spentUsd).toBeCloseTo(half.gateway.usage().total.costUsd, 12);
    expect(half.model.calls.length).toBe(half.gateway.usage().total.attempts);
    expect(state.refusedCalls).toBeGreaterThanOrEqual(1);
    expect(state.reservedUsd).toBe(0);
    // What was completed is on disk.
    const saved = InductionCheckpointSchema.parse(JSON.parse(await readFile(checkpoint, 'utf8')));
    expect(saved.complete).toBe(false);
    expect(Object.keys(saved.steps).length).toBeGreaterThan(0);

    // Resume with enough budget: only the missing steps are asked, and the result is the uninterrupted one.
    const resumed = await run(total, { checkpoint });
    const done = await resumed.result;
    expect(done.taxonomy).toEqual(complete.taxonomy);
    expect(resumed.model.calls.length + half.model.calls.length).toBeGreaterThanOrEqual(full.model.calls.length);
    expect(resumed.model.calls.length).toBeLessThan(full.model.calls.length);
  });

  it('a budget too small for the first call makes no call at all', async () => {
    const tiny = await run(1e-9);
    await expect(tiny.result).rejects.toBeInstanceOf(BudgetExceededError);
    expect(tiny.model.calls.length).toBe(0);
    expect(tiny.gateway.budget!()!.spentUsd).toBe(0);
  });
});
