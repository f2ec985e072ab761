import { describe, it, expect, afterEach } from 'vitest';
import { z } from 'zod';
import { createGateway, createManualClock, createPluginHost, isLlmError } from '@taxonomist/core';
import type { OpenAIServer } from '@taxonomist/testing';
import { main } from '../src/main.js';
import { ECHO_PRICES, EchoChatModel, echoPlugin } from '../src/provider/index.js';
import { startEchoService } from '../src/echo-service.js';

describe('provider-plugin example', () => {
  it('triages the tickets through echo:rules-v1 and embeds them through echo:embed-v1', async () => {
    const clock = createManualClock();
    const lines: string[] = [];
    const result = await main({ clock, log: (l) => lines.push(l) });

    expect(result.modelId).toBe('echo:rules-v1');
    expect(result.triaged).toHaveLength(24);
    const byText = (start: string) => result.triaged.find((t) => t.text.startsWith(start))!;
    expect(byText('I need help with a lost card')).toMatchObject({ topic: 'card', urgent: true });
    expect(byText('What are the most current exchange rates?')).toMatchObject({ topic: 'exchange', urgent: false });
    expect(byText('What steps do I take to receive another passcode?')).toMatchObject({ topic: 'account', urgent: false });
    expect(byText('Can I be topped up once I hit a certain balance?')).toMatchObject({ topic: 'top_up' });
    expect(byText('Where is the nearest bank machine?')).toMatchObject({ topic: 'cash', note: 'keywords: bank machine' });
    // A tie ("ATM" vs "card") goes to the value listed first in the schema's enum.
    expect(byText('The ATM won')).toMatchObject({ topic: 'card', note: 'keywords: card' });

    // The 429 injected on the second chat request was retried after exactly its Retry-After (on the virtual clock),
    // and the other request it held (the pause is shared by the model's requests) waited the same.
    expect(clock.sleeps.slice(0, 2)).toEqual([250, 250]);
    // After a 429 without rate-limit headers, the gateway (core's RateGovernor) paces the model only once it has
    // measured the admitted rate over a full window, which this 24-request run on a virtual clock never reaches:
    // so no other wait happened, and (attempts: 25 below) no other 429 either.
    expect(clock.sleeps).toEqual([250, 250]);
    const chat = result.usage.rows.find((r) => r.model === 'echo:rules-v1')!;
    expect(chat).toMatchObject({ stage: 'triage', calls: 24, attempts: 25, failedCalls: 0 });
    // Usage came from the provider (usage_metadata), and cost from the plugin's price table.
    expect(chat.estimatedCalls ?? 0).toBe(0);
    expect(chat.inputTokens).toBeGreaterThan(0);
    const price = ECHO_PRICES['rules-v1'];
    expect(chat.costUsd).toBeCloseTo((chat.inputTokens * price.input + chat.outputTokens * price.output) / 1e6, 12);
    expect(result.usage.rows.find((r) => r.model === 'echo:embed-v1')).toMatchObject({ stage: 'embed', calls: 1 });
    expect(result.serviceRequests).toBe(25 + 1);

    // Hashed bag-of-words embeddings: the other "number of transactions ... card" ticket is the nearest.
    expect(result.triaged.find((t) => t.id === result.nearest.id)!.text).toBe(
      'What is the maximum number of transactions I can make with one card?',
    );
    expect(lines.join('\n')).toContain('Triaged 24 tickets with echo:rules-v1');
  });

  describe('the plugin', () => {
    let service: OpenAIServer | undefined;
    afterEach(async () => {
      await service?.close();
      service = undefined;
    });

    it('resolves echo:* ids through the plugin host and lists known providers for unknown ones', async () => {
      const host = createPluginHost([echoPlugin({ baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k' })]);
      await host.ready();
      expect(host.resolveModelId('echo:rules-v1')).toMatchObject({ modelName: 'rules-v1', plugin: 'taxonomist-provider-echo' });
      expect(() => host.resolveModelId('nope:rules-v1')).toThrow(/unknown provider "nope".*echo \(plugin "taxonomist-provider-echo"\)/);
      expect(host.prices()['echo:rules-v1']).toEqual(ECHO_PRICES['rules-v1']);
    });

    it('fails a missing key before any request, naming the variable', async () => {
      const host = createPluginHost([echoPlugin({ baseURL: 'http://127.0.0.1:9/v1', env: {} })]);
      await host.ready();
      const gateway = createGateway({ resolver: host });
      await expect(gateway.resolveChatModel('echo:rules-v1')).rejects.toThrow(/ECHO_API_KEY/);
    });

    it('maps an unknown model (HTTP 404) to a bad_request that is not retried', async () => {
      service = await startEchoService({ apiKey: 'k' });
      const host = createPluginHost([echoPlugin({ baseURL: service.url, apiKey: 'k' })]);
      await host.ready();
      const gateway = createGateway({ resolver: host, clock: createManualClock() });
      const error = await gateway
        .structured({ stage: 't', model: 'echo:rules-v9', schema: z.object({ ok: z.boolean() }), messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
      expect(isLlmError(error)).toBe(true);
      expect(error).toMatchObject({ kind: 'bad_request', status: 404, attempts: 1 });
      expect(service.count('chat')).toBe(1);
    });

    it('keeps the API key out of serialised models and error messages', async () => {
      service = await startEchoService({ apiKey: 'right-key' });
      const model = new EchoChatModel({ model: 'rules-v1', baseURL: service.url, apiKey: 'wrong-secret-key' });
      expect(JSON.stringify(model)).not.toContain('wrong-secret-key');
      const error = (await model.invoke('hello').catch((e: unknown) => e)) as Error & { status?: number };
      expect(error.status).toBe(401);
      expect(`${error.message} ${error.stack}`).not.toContain('wrong-secret-key');
      expect(service.requests[0]!.headers.authorization).toBe('[REDACTED]');
    });
  });
});
