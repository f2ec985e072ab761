import { describe, it, expect } from 'vitest';
import { createGateway, createManualClock, createPluginHost, induceTaxonomy } from '@taxonomist/core';
import { createScriptedChatModel } from '@taxonomist/testing';
import { label } from '../src/index.js';
import { TAXONOMY, answerBy, collect, corpus, keywordLabel } from './helpers.js';

describe('one plugin host passed once (to the gateway) reaches every stage', () => {
  it('the labeler emits label:* hooks and induction uses the host prompts and hooks, with no host option', async () => {
    const seen: string[] = [];
    const host = createPluginHost([
      {
        name: 'spy',
        hooks: {
          'label:record': (e) => void seen.push(`record:${e.assignment.id}`),
          'label:done': (e) => void seen.push(`done:${e.ok}`),
          'llm:request': (e) => void seen.push(`request:${e.stage}`),
        },
        prompts: { 'cluster.name': () => [{ role: 'user', content: 'PLUGIN NAMING PROMPT' }] },
      },
    ]);
    await host.ready();
    const gateway = createGateway({ resolver: host, clock: createManualClock() });
    expect(gateway.host).toBe(host);
    // Without the host the labeler would emit nothing: the gateway carries it.
    const run = label(corpus(2), TAXONOMY, { gateway, model: createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t)!) }) });
    await collect(run);
    expect(seen.filter((s) => s.startsWith('record:')).sort()).toEqual(['record:r0', 'record:r1']);
    expect(seen).toContain('done:2');
    expect(seen.filter((s) => s === 'request:label')).toHaveLength(2);

    // Induction (cluster strategy, names by the model): the plugin's naming prompt comes from the gateway's host.
    const namer = createScriptedChatModel({});
    await induceTaxonomy(corpus(24), { useCase: 'bank support', strategy: 'cluster', model: namer, gateway, seed: 1 } as never).catch(() => undefined);
    expect(namer.calls.length).toBeGreaterThan(0);
    expect(namer.calls[0]!.messages.some((m) => m.content === 'PLUGIN NAMING PROMPT')).toBe(true);
  });
});
