import { describe, it, expect } from 'vitest';
import { createPluginHost, definePlugin } from '../../src/plugins/index.js';
import type { ProviderDefinition, TaxonomistPlugin } from '../../src/plugins/index.js';

const provider = (id: string, extra: Partial<ProviderDefinition> = {}): ProviderDefinition => ({ id, ...extra });

describe('definePlugin', () => {
  it('returns the same object', () => {
    const p = { name: 'x', version: '1.0.0' };
    expect(definePlugin(p)).toBe(p);
  });

  it('rejects an empty name, a bad enforce and bad provider ids', () => {
    expect(() => definePlugin({ name: '  ' })).toThrow(/non-empty name/);
    expect(() => definePlugin({ name: 'x', enforce: 'first' as 'pre' })).toThrow(/plugin "x": enforce must be 'pre' or 'post'/);
    expect(() => definePlugin({ name: 'x', providers: [provider('open:ai')] })).toThrow(/plugin "x": providers\[0\].*without ':'/);
    expect(() => definePlugin({ name: 'x', providers: [provider('')] })).toThrow(/providers\[0\]/);
    expect(() => definePlugin({ name: 'x', hooks: { 'llm:error': 'no' as never } })).toThrow(/hook "llm:error" must be a function/);
  });
});

describe('createPluginHost ordering', () => {
  it('orders pre, normal, post, list order within each group, and runs setup() in that order once', async () => {
    const calls: string[] = [];
    const mk = (name: string, enforce?: 'pre' | 'post'): TaxonomistPlugin => ({
      name,
      ...(enforce ? { enforce } : {}),
      async setup() {
        calls.push(`start ${name}`);
        await Promise.resolve();
        calls.push(`end ${name}`);
      },
    });
    const host = createPluginHost([mk('n1'), mk('post1', 'post'), mk('pre1', 'pre'), mk('n2'), mk('pre2', 'pre'), mk('post2', 'post')]);
    expect(host.plugins.map((p) => p.name)).toEqual(['pre1', 'pre2', 'n1', 'n2', 'post1', 'post2']);
    expect(calls).toEqual([]);
    await Promise.all([host.ready(), host.ready()]);
    await host.ready();
    const order = ['pre1', 'pre2', 'n1', 'n2', 'post1', 'post2'];
    // Sequential, not interleaved, and each setup ran exactly once.
    expect(calls).toEqual(order.flatMap((n) => [`start ${n}`, `end ${n}`]));
  });

  it('throws on duplicate plugin names', () => {
    expect(() => createPluginHost([{ name: 'a' }, { name: 'b' }, { name: 'a' }])).toThrow(
      'two plugins are named "a" (positions 1 and 3 in the list)',
    );
  });

  it('rejects ready() naming the plugin whose setup failed, and the context dies after setup', async () => {
    let saved: Parameters<NonNullable<TaxonomistPlugin['setup']>>[0] | undefined;
    const host = createPluginHost([
      {
        name: 'keeper',
        setup(ctx) {
          saved = ctx;
        },
      },
      {
        name: 'bad',
        setup() {
          throw new Error('missing config');
        },
      },
    ]);
    await expect(host.ready()).rejects.toThrow('setup() of plugin "bad" failed: missing config');
    await expect(host.ready()).rejects.toThrow(/plugin "bad"/);
    expect(() => saved!.registerProvider(provider('late'))).toThrow('plugin "keeper" used its setup context after setup() finished');
  });
});

describe('providers', () => {
  it('throws on duplicate provider ids naming both plugins (declared or registered in setup)', async () => {
    expect(() =>
      createPluginHost([
        { name: 'first', providers: [provider('openai')] },
        { name: 'second', providers: [provider('openai')] },
      ]),
    ).toThrow('provider id "openai" is registered by both plugin "first" and plugin "second"');
    const host = createPluginHost([
      { name: 'first', providers: [provider('openai')] },
      { name: 'second', setup: (ctx) => ctx.registerProvider(provider('openai')) },
    ]);
    await expect(host.ready()).rejects.toThrow('provider id "openai" is registered by both plugin "first" and plugin "second"');
    expect(() => createPluginHost([{ name: 'twice', providers: [provider('x'), provider('x')] }])).toThrow(
      'provider id "x" is registered twice by plugin "twice"',
    );
  });

  it('resolves model ids; the model name keeps any further colons', async () => {
    const openai = provider('openai');
    const ollama = provider('ollama');
    const host = createPluginHost([
      { name: '@taxonomist/openai', providers: [openai] },
      { name: 'local', setup: (ctx) => ctx.registerProvider(ollama) },
    ]);
    await host.ready();
    expect(host.resolveModelId('openai:gpt-4o-mini')).toEqual({ provider: openai, modelName: 'gpt-4o-mini', plugin: '@taxonomist/openai' });
    expect(host.resolveModelId('ollama:llama3.1:8b-instruct')).toMatchObject({ provider: ollama, modelName: 'llama3.1:8b-instruct' });
    expect(host.getProvider('ollama')).toBe(ollama);
    expect(host.getProvider('nope')).toBeUndefined();
    expect(host.providers()).toEqual([openai, ollama]);
  });

  it('explains unknown providers and malformed ids, listing the known providers', async () => {
    const host = createPluginHost([{ name: 'p', providers: [provider('openai')] }]);
    expect(() => host.resolveModelId('anthropic:claude')).toThrow(
      'unknown provider "anthropic" in model id "anthropic:claude"; known providers: openai (plugin "p")',
    );
    expect(() => host.resolveModelId('gpt-4o')).toThrow(/must look like "<provider>:<model>".*known providers: openai/);
    expect(() => host.resolveModelId(':gpt-4o')).toThrow(/must look like/);
    expect(() => host.resolveModelId('openai:')).toThrow('model id "openai:" has no model name after "openai:"');
    expect(() => createPluginHost([]).resolveModelId('openai:x')).toThrow(/no providers are registered/);
  });

  it('warns, in the unknown-provider error, when ready() has not run yet', async () => {
    const host = createPluginHost([{ name: 'lazy', setup: (ctx) => ctx.registerProvider(provider('vllm')) }]);
    expect(() => host.resolveModelId('vllm:m')).toThrow(/await host.ready\(\) has not completed/);
    await host.ready();
    expect(host.resolveModelId('vllm:m').modelName).toBe('m');
  });

  it('merges prices keyed by model id', () => {
    const host = createPluginHost([
      { name: 'a', providers: [provider('openai', { prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } } })] },
      { name: 'b', providers: [provider('local', { prices: { 'local:tiny': { input: 0, output: 0 }, 'gpt-4o-mini': { input: 1, output: 2 } } })] },
      { name: 'c', providers: [provider('free')] },
    ]);
    expect(host.prices()).toEqual({
      'openai:gpt-4o-mini': { input: 0.15, output: 0.6 },
      'local:tiny': { input: 0, output: 0 },
      'local:gpt-4o-mini': { input: 1, output: 2 },
    });
  });
});

describe('prompts and registries', () => {
  it('the override of the plugin latest in effective order wins, whenever it registered', async () => {
    const a = () => [{ role: 'user' as const, content: 'a' }];
    const b = () => [{ role: 'user' as const, content: 'b' }];
    const c = () => [{ role: 'user' as const, content: 'c' }];
    const host = createPluginHost([
      // Listed first but enforced last: wins even though its declarative override registered earliest.
      { name: 'late', enforce: 'post', prompts: { summarize: c } },
      { name: 'normal', setup: (ctx) => ctx.registerPrompt('summarize', b), prompts: { label: a } },
      { name: 'early', enforce: 'pre', setup: (ctx) => ctx.registerPrompt('label', b) },
    ]);
    await host.ready();
    expect(host.prompt('summarize')).toBe(c);
    expect(host.prompt('label')).toBe(a);
    expect(host.prompt('unknown')).toBeUndefined();
  });

  it('refuses a misspelled hook name or registry kind, at definition and in setup, with "did you mean"', async () => {
    // @ts-expect-error 'taxonomy:updatd' is not a hook name
    expect(() => definePlugin({ name: 'typo', hooks: { 'taxonomy:updatd': () => undefined, 'llm:error': () => undefined } })).toThrow(
      'plugin "typo": unknown hook "taxonomy:updatd"; did you mean "taxonomy:updated"?',
    );
    // @ts-expect-error 'classifier' is not a registry kind
    expect(() => definePlugin({ name: 'kind', registries: { classifier: {} } })).toThrow('unknown registry kind "classifier"; did you mean "classifiers"?');
    const host = createPluginHost([{ name: 's', setup: (ctx) => ctx.registerHook('label:recrod' as 'label:record', () => undefined) }]);
    await expect(host.ready()).rejects.toThrow('did you mean "label:record"?');
    expect(host.hasHook('label:recrod')).toBe(false);
  });

  it('collects registries from declarations and setup, in plugin order, and throws on duplicates', async () => {
    const host = createPluginHost([
      { name: 'n', registries: { selectionStrategies: { tfidf: 1 } } },
      { name: 'p', enforce: 'pre', setup: (ctx) => ctx.register('selectionStrategies', 'hash', 2) },
    ]);
    await host.ready();
    expect([...host.registry('selectionStrategies')]).toEqual([
      ['hash', 2],
      ['tfidf', 1],
    ]);
    expect(host.registry('classifiers').size).toBe(0);
    // A copy: callers cannot alter the host.
    host.registry('selectionStrategies').delete('hash');
    expect(host.registry('selectionStrategies').has('hash')).toBe(true);
    expect(() =>
      createPluginHost([
        { name: 'x', registries: { selectionStrategies: { tfidf: 1 } } },
        { name: 'y', registries: { selectionStrategies: { tfidf: 2 } } },
      ]),
    ).toThrow('registry "selectionStrategies": "tfidf" is registered by both plugin "x" and plugin "y"');
  });
});
