/**
 * Taxonomy induction end to end with the in-process scripted LangChain chat model (@taxonomist/testing) behind the
 * real gateway: structured output through the jsonSchema path, usage from the model's usage metadata.
 */
import { describe, expect, it } from 'vitest';
import { createPluginHost, induceTaxonomy } from '@taxonomist/core';
import { createScriptedChatModel, transportErrors } from '@taxonomist/testing';
import { defineInductionE2E } from '../packages/core/test/induce/e2e-cases.js';
import { createScenario, makeCorpus } from '../packages/core/test/induce/scenario.js';

defineInductionE2E('in-process scripted chat model', {
  async makeModel(answer) {
    const model = createScriptedChatModel({
      id: 'induce-scenario',
      structuredMethod: 'jsonSchema',
      responses: (call) => {
        const value = answer(call.schemaName, call.messages);
        return value === 'crash' ? transportErrors.badRequest('simulated crash') : (value as object);
      },
    });
    return { model, requests: () => model.calls.length, close: async () => {} };
  },
});

describe('induceTaxonomy with a plugin host and no gateway', () => {
  it("creates the gateway from the host, so 'prompt:messages' transforms apply exactly once per prompt id", async () => {
    const scenario = createScenario('rich');
    const model = createScriptedChatModel({
      id: 'induce-host',
      structuredMethod: 'jsonSchema',
      responses: (call) => scenario(call.schemaName, call.messages) as object,
    });
    const seen: string[] = [];
    const host = createPluginHost([
      {
        name: 'house-style',
        hooks: {
          'prompt:messages': (messages, ctx) => {
            seen.push(ctx.promptId);
            if (ctx.promptId !== 'update') return messages;
            return messages.map((m, i) => (i === 0 ? { ...m, content: `${m.content}\nHOUSE-STYLE` } : m));
          },
        },
      },
    ]);
    await host.ready();
    const result = await induceTaxonomy(makeCorpus(30), {
      useCase: 'the intent of banking support chats',
      model,
      host,
      gatewayOptions: { retry: { maxAttempts: 1 } },
      batchSize: 10,
      summarize: false,
    });
    const updates = model.calls.filter((c) => c.schemaName === 'taxonomy_revision');
    expect(updates.length).toBeGreaterThan(0);
    for (const c of updates) expect(c.messages[0]!.content.match(/HOUSE-STYLE/g)).toHaveLength(1);
    expect(model.calls.filter((c) => c.schemaName === 'taxonomy_review')[0]!.messages[0]!.content).not.toContain('HOUSE-STYLE');
    expect(new Set(seen)).toEqual(new Set(['generate', 'update', 'review']));
    expect(result.usage.byModel['scripted:induce-host']!.calls).toBe(model.calls.length);
  });
});
