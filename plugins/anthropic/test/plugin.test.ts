import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { inspect } from 'node:util';
import { z } from 'zod';
import { createGateway, createManualClock, isLlmError, isProviderConfigError } from '@taxonomist/core';
import { startAnthropicServer, faultAnswer, type FakeProviderServer } from '@taxonomist/testing';
import { anthropicPlugin, createAnthropicProvider, resolveAnthropicSettings, toAnthropicToolChoice, ANTHROPIC_PRICES } from '@taxonomist/anthropic';

const SECRET = 'sk-ant-VERY-SECRET-123';
const Label = z.object({ label: z.enum(['billing', 'card']) });
const SYSTEM = 'You label banking support messages. '.repeat(40);
const messages = (text: string) => [
  { role: 'system' as const, content: SYSTEM },
  { role: 'user' as const, content: text },
];

describe('resolveAnthropicSettings', () => {
  it('needs a key, naming ANTHROPIC_API_KEY, as a ProviderConfigError', () => {
    let error: unknown;
    try {
      resolveAnthropicSettings({ env: {} });
    } catch (e) {
      error = e;
    }
    expect(isProviderConfigError(error)).toBe(true);
    expect(String(error)).toMatch(/ANTHROPIC_API_KEY/);
    expect(() => createAnthropicProvider({ env: {} }).chatModel!('claude-haiku-4-5', {})).toThrow(/no API key/);
  });

  it('reads ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL, explicit settings winning, and rejects a non-http URL', () => {
    expect(resolveAnthropicSettings({ env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/' } })).toMatchObject({ apiKey: 'k', baseURL: 'http://127.0.0.1:9' });
    expect(resolveAnthropicSettings({ apiKey: 'k2', env: { ANTHROPIC_API_KEY: 'k' } }).baseURL).toBe('https://api.anthropic.com');
    expect(() => createAnthropicProvider({ baseURL: 'ftp://x' })).toThrow(/not an http\(s\) URL/);
  });

  it('translates the OpenAI-shaped tool_choice the gateway binds', () => {
    expect(toAnthropicToolChoice({ type: 'function', function: { name: 'label' } })).toEqual({ type: 'tool', name: 'label' });
    expect(toAnthropicToolChoice('auto')).toBe('auto');
  });
});

describe('anthropicPlugin against the fake Messages API', () => {
  let server: FakeProviderServer;
  beforeAll(async () => {
    server = await startAnthropicServer({ apiKey: SECRET, seed: 3 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.reset();
    server.setFaults([]);
    server.setScript(undefined);
  });
  const gatewayFor = () =>
    createGateway({ providers: anthropicPlugin({ apiKey: SECRET, baseURL: server.url }).providers, clock: createManualClock(), retry: { maxAttempts: 3, jitter: false, baseDelayMs: 100 } });

  it("resolves 'anthropic:<model>' with a forced tool call, and prices", async () => {
    const gateway = gatewayFor();
    const result = await gateway.structured({ stage: 't', model: 'anthropic:claude-haiku-4-5', messages: messages('double charge'), schema: Label, schemaName: 'label' });
    expect(Label.safeParse(result.value).success).toBe(true);
    const body = server.requests[0]!.body as Record<string, unknown>;
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'label' });
    expect((body.tools as { name: string }[])[0]!.name).toBe('label');
    expect(gateway.cost('anthropic:claude-haiku-4-5', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBeCloseTo(ANTHROPIC_PRICES['claude-haiku-4-5']!.input + ANTHROPIC_PRICES['claude-haiku-4-5']!.output);
  });

  it('marks the static system prefix for prompt caching: written once, then read', async () => {
    const gateway = gatewayFor();
    await gateway.structured({ stage: 't', model: 'anthropic:claude-haiku-4-5', messages: messages('first'), schema: Label });
    await gateway.structured({ stage: 't', model: 'anthropic:claude-haiku-4-5', messages: messages('second'), schema: Label });
    const [a, b] = server.requests;
    expect((a!.body as { system: { cache_control?: unknown }[] }).system.at(-1)!.cache_control).toEqual({ type: 'ephemeral' });
    expect(a!.extras).toMatchObject({ cacheControl: true, cacheRead: 0 });
    expect(a!.extras.cacheWrite).toBeGreaterThan(100);
    expect(b!.extras.cacheRead).toBe(a!.extras.cacheWrite);
    // Cached tokens are still input tokens: usage counts them (LangChain sums input + cache creation + cache read).
    const usage = gateway.usage().total;
    expect(usage.inputTokens).toBe(a!.usage!.inputTokens + b!.usage!.inputTokens);
  });

  it('can turn prompt caching off', async () => {
    const gateway = createGateway({ providers: anthropicPlugin({ apiKey: SECRET, baseURL: server.url, promptCaching: false }).providers, clock: createManualClock() });
    await gateway.structured({ stage: 't', model: 'anthropic:claude-haiku-4-5', messages: messages('x'), schema: Label });
    expect(server.requests[0]!.extras.cacheControl).toBe(false);
    expect(typeof (server.requests[0]!.body as { system: unknown }).system).toBe('string');
  });

  it('reports a refusal stop reason as a refusal, not an invalid answer to re-ask', async () => {
    server.setScript([faultAnswer({ kind: 'refusal', message: 'I will not label this.' })]);
    const error = await gatewayFor()
      .structured({ stage: 't', model: { id: 'anthropic:claude-haiku-4-5', model: await createAnthropicProvider({ apiKey: SECRET, baseURL: server.url }).chatModel!('claude-haiku-4-5', {}), structuredMethod: 'prompt' }, messages: messages('x'), schema: Label })
      .catch((e: unknown) => e);
    expect(isLlmError(error) && error.kind).toBe('refusal');
    expect(server.count('chat')).toBe(1);
  });

  it('never exposes the key: plugin and model JSON, inspect, errors, recorded requests', async () => {
    const plugin = anthropicPlugin({ apiKey: SECRET, baseURL: server.url });
    expect(JSON.stringify(plugin)).not.toContain(SECRET);
    const model = await plugin.providers![0]!.chatModel!('claude-haiku-4-5', {});
    await model.invoke('hello');
    expect(JSON.stringify(model)).not.toContain(SECRET);
    expect(inspect(model, { depth: 10 })).not.toContain(SECRET);
    server.setFaults([{ fault: { kind: 'auth' } }]);
    const error = await gatewayFor().structured({ stage: 't', model: 'anthropic:claude-haiku-4-5', messages: messages('x'), schema: Label }).catch((e: unknown) => e);
    expect(isLlmError(error) && error.kind).toBe('auth');
    const e = error as Error & { cause?: unknown };
    expect(`${e.message} ${e.stack} ${JSON.stringify(e)} ${String(e.cause)} ${JSON.stringify(e.cause)}`).not.toContain(SECRET);
    expect(JSON.stringify(server.requests)).not.toContain(SECRET);
  });
});
