import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { BudgetExceededError, SpendBudget, createGateway, countPromptMessagesTokens, jsonSchemaOf } from '../../src/llm/index.js';
import { jsonInstructions, withInstructions } from '../../src/llm/model-call.js';
import { FakeChatModel, FakeEmbeddings, answer, apiError, recordingClock } from './fakes.js';

const Schema = z.object({ ok: z.boolean() });
// $1 per 1M tokens in and out: costs are token counts / 1e6.
const prices = { 'fake:priced': { input: 1, output: 1 } };
const ref = (model: FakeChatModel) => ({ id: 'fake:priced', model, structuredMethod: 'prompt' as const });

describe('gateway budget', () => {
  it('refuses the call whose estimated cost would go over, without making it, and never overspends', async () => {
    // Each answer bills 100 in + 20 out = $0.00012; the estimate is prompt tokens + maxTokens (50).
    const model = new FakeChatModel([], { fallback: () => answer('{"ok":true}', { input_tokens: 100, output_tokens: 20 }) });
    const gw = createGateway({ clock: recordingClock(), prices, budget: 0.0005 });
    let made = 0;
    let refused: unknown;
    for (let i = 0; i < 10; i++) {
      try {
        await gw.structured({ stage: 'generate', model: ref(model), messages: [{ role: 'user', content: `q${i}` }], schema: Schema, maxTokens: 50 });
        made++;
      } catch (err) {
        refused = err;
        break;
      }
    }
    expect(refused).toBeInstanceOf(BudgetExceededError);
    expect((refused as BudgetExceededError).kind).toBe('budget');
    expect((refused as Error).message).toMatch(/budget of \$0\.0005 reached.*was not made/);
    expect(model.calls.length).toBe(made); // the refused call never reached the model
    expect(made).toBeGreaterThan(0);
    const state = gw.budget!()!;
    expect(state.spentUsd).toBeCloseTo(made * 0.00012, 12);
    expect(state.spentUsd).toBeLessThanOrEqual(0.0005);
    expect(state.reservedUsd).toBe(0);
    expect(state.refusedCalls).toBe(1);
    expect(gw.usage().total.costUsd).toBeCloseTo(state.spentUsd, 12);
    // The next call would have cost more than what was left.
    const e = refused as BudgetExceededError;
    expect(e.spentUsd + e.estimatedUsd).toBeGreaterThan(0.0005);
  });

  it('estimates output from maxTokens, else from assumedOutputTokens', async () => {
    const model = new FakeChatModel([], { fallback: () => answer('{"ok":true}', { input_tokens: 1, output_tokens: 1 }) });
    const messages = [{ role: 'user' as const, content: 'hello there' }];
    const prompt = countPromptMessagesTokens(withInstructions(messages, jsonInstructions(jsonSchemaOf(Schema), 'response')));
    // Exactly enough for prompt + 100 output tokens: allowed with maxTokens 100, refused with the default 512.
    const limit = (prompt + 100) / 1e6;
    const a = createGateway({ clock: recordingClock(), prices, budget: limit });
    await expect(a.structured({ stage: 's', model: ref(model), messages, schema: Schema, maxTokens: 100 })).resolves.toBeDefined();
    const b = createGateway({ clock: recordingClock(), prices, budget: limit });
    await expect(b.structured({ stage: 's', model: ref(model), messages, schema: Schema })).rejects.toBeInstanceOf(BudgetExceededError);
    const c = createGateway({ clock: recordingClock(), prices, budget: limit, assumedOutputTokens: 90 });
    await expect(c.structured({ stage: 's', model: ref(model), messages, schema: Schema })).resolves.toBeDefined();
    // A per-request hint for long answers (never sent) replaces the default, and maxTokens beats both.
    const d = createGateway({ clock: recordingClock(), prices, budget: limit, assumedOutputTokens: 90 });
    await expect(d.structured({ stage: 's', model: ref(model), messages, schema: Schema, expectedOutputTokens: 101 })).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(d.structured({ stage: 's', model: ref(model), messages, schema: Schema, expectedOutputTokens: 101, maxTokens: 100 })).resolves.toBeDefined();
    expect(model.calls.length).toBe(3);
  });

  it('counts repairs and retries: a re-ask that would go over is not made', async () => {
    // First answer invalid (re-ask), second would be valid, but the budget only fits one attempt.
    const model = new FakeChatModel([answer('{"ok":"nope"}', { input_tokens: 100, output_tokens: 20 }), answer('{"ok":true}')]);
    const gw = createGateway({ clock: recordingClock(), prices, budget: 0.0002, maxRepairs: 2 });
    const err = await gw.structured({ stage: 'update', model: ref(model), messages: [{ role: 'user', content: 'x' }], schema: Schema, maxTokens: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(model.calls.length).toBe(1);
    expect(gw.budget!()!.spentUsd).toBeCloseTo(0.00012, 12);
    // The failed call's billed attempt is in the usage report (stage row, failed call).
    expect(gw.usage().byStage.update).toMatchObject({ calls: 1, failedCalls: 1, inputTokens: 100, outputTokens: 20 });
  });

  it('a transport failure gives its reservation back; a shared SpendBudget caps two gateways together', async () => {
    const shared = new SpendBudget(0.0003);
    const m1 = new FakeChatModel([apiError(500), answer('{"ok":true}', { input_tokens: 100, output_tokens: 20 })]);
    const g1 = createGateway({ clock: recordingClock(), prices, budget: shared, retry: { maxAttempts: 3, jitter: false } });
    await g1.structured({ stage: 'a', model: ref(m1), messages: [{ role: 'user', content: 'x' }], schema: Schema, maxTokens: 50 });
    expect(shared.state()).toMatchObject({ reservedUsd: 0 });
    expect(shared.state().spentUsd).toBeCloseTo(0.00012, 12);
    const m2 = new FakeChatModel([], { fallback: () => answer('{"ok":true}', { input_tokens: 100, output_tokens: 20 }) });
    const g2 = createGateway({ clock: recordingClock(), prices, budget: shared });
    await g2.structured({ stage: 'b', model: ref(m2), messages: [{ role: 'user', content: 'y' }], schema: Schema, maxTokens: 50 });
    await expect(g2.structured({ stage: 'b', model: ref(m2), messages: [{ role: 'user', content: 'z' }], schema: Schema, maxTokens: 50 })).rejects.toBeInstanceOf(BudgetExceededError);
    expect(shared.state().spentUsd).toBeLessThanOrEqual(0.0003);
  });

  it('concurrent calls reserve before they start: spend stays within the budget', async () => {
    // Billed usage within the estimate (the prompt is longer than 10 tokens; the output is maxTokens long).
    const model = new FakeChatModel([], { fallback: () => answer('{"ok":true}', { input_tokens: 10, output_tokens: 50 }) });
    const gw = createGateway({ clock: recordingClock(), prices, budget: 0.0005, maxConcurrency: 8 });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => gw.structured({ stage: 'label', model: ref(model), messages: [{ role: 'user', content: `t${i}` }], schema: Schema, maxTokens: 50 })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof BudgetExceededError).length;
    const others = results.filter((r) => r.status === 'rejected' && !(r.reason instanceof BudgetExceededError)).map((r) => String((r as PromiseRejectedResult).reason));
    expect(others).toEqual([]);
    expect(ok + refused).toBe(20);
    expect(model.calls.length).toBe(ok);
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(gw.budget!()!.spentUsd).toBeLessThanOrEqual(0.0005);
    expect(gw.budget!()!.spentUsd).toBeCloseTo(ok * 0.00006, 12);
  });

  it('embeddings count too', async () => {
    const emb = new FakeEmbeddings();
    const gw = createGateway({ clock: recordingClock(), prices: { 'fake:emb': { input: 1e6, output: 0 } }, budget: 1 });
    await expect(gw.embed({ stage: 'embed', model: { id: 'fake:emb', model: emb }, texts: ['a b c d e f g h'] })).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('no budget: state is undefined', () => {
    expect(createGateway().budget!()).toBeUndefined();
  });
});
