import { describe, it, expect } from 'vitest';
import { createPluginHost, definePlugin, registerObserverHook, registerTransformHook, TRANSFORM_HOOKS } from '../../src/plugins/index.js';
import type { ChatMessage } from '../../src/llm/types.js';

// Hook names are open: other packages add theirs by module augmentation, exactly like this.
declare module '@taxonomist/core' {
  interface ObserverHooks {
    'test:event': (e: { n: number }) => void | Promise<void>;
  }
  interface TransformHooks {
    'test:append': (value: string[], ctx: { stage: string }) => string[] | Promise<string[]>;
  }
}
registerTransformHook('test:append');
registerObserverHook('test:event');

/** Resolve after a few microtask turns: lets other started observers run without any timer. */
async function yieldTurns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

describe('observer hooks', () => {
  it('run in parallel: the second starts before the first finishes', async () => {
    const events: string[] = [];
    const observer = (tag: string) => async () => {
      events.push(`${tag}:start`);
      await yieldTurns();
      events.push(`${tag}:end`);
    };
    const host = createPluginHost([
      definePlugin({ name: 'a', hooks: { 'test:event': observer('a') } }),
      definePlugin({ name: 'b', hooks: { 'test:event': observer('b') } }),
    ]);
    await host.ready();
    await host.emit('test:event', { n: 1 });
    expect(events.slice(0, 2).sort()).toEqual(['a:start', 'b:start']);
    expect(events).toHaveLength(4);
  });

  it('all observers run even when some fail; without onHookError emit rejects with an AggregateError naming the plugins', async () => {
    const ran: string[] = [];
    const host = createPluginHost([
      definePlugin({
        name: 'sync-thrower',
        hooks: {
          'test:event': () => {
            ran.push('sync');
            throw new Error('boom sync');
          },
        },
      }),
      definePlugin({
        name: 'async-thrower',
        hooks: {
          'test:event': async () => {
            ran.push('async');
            throw new Error('boom async');
          },
        },
      }),
      definePlugin({ name: 'fine', hooks: { 'test:event': () => void ran.push('fine') } }),
    ]);
    await host.ready();
    const err = await host.emit('test:event', { n: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors.map((e: Error) => e.message)).toEqual(['boom sync', 'boom async']);
    expect((err as AggregateError).message).toContain('plugin "sync-thrower": boom sync');
    expect((err as AggregateError).message).toContain('plugin "async-thrower": boom async');
    expect(ran.sort()).toEqual(['async', 'fine', 'sync']);
  });

  it('reports observer errors to onHookError instead of throwing', async () => {
    const reported: { message: string; hook: string; plugin: string }[] = [];
    const host = createPluginHost(
      [definePlugin({ name: 'bad', hooks: { 'llm:error': () => Promise.reject(new Error('nope')) } })],
      { onHookError: (error, info) => reported.push({ message: (error as Error).message, ...info }) },
    );
    await host.ready();
    await expect(host.emit('llm:error', { stage: 's', modelId: 'm', error: new Error('x') })).resolves.toBeUndefined();
    expect(reported).toEqual([{ message: 'nope', hook: 'llm:error', plugin: 'bad' }]);
  });

  it('passes the payload and does nothing for a hook without listeners', async () => {
    const seen: number[] = [];
    const host = createPluginHost([definePlugin({ name: 'p', hooks: { 'test:event': (e) => void seen.push(e.n) } })]);
    await host.ready();
    await host.emit('test:event', { n: 42 });
    await host.emit('llm:retry', { stage: 's', modelId: 'm', attempt: 1, delayMs: 0, error: new Error('x') });
    expect(seen).toEqual([42]);
    expect(host.hasHook('test:event')).toBe(true);
    expect(host.hasHook('llm:retry')).toBe(false);
  });

  it('refuses to emit a transform hook', async () => {
    const host = createPluginHost([]);
    // @ts-expect-error prompt:messages is a transform hook, not an observer
    await expect(host.emit('prompt:messages', [])).rejects.toThrow(/transform hook; call transform\(\)/);
  });
});

describe('transform hooks', () => {
  it('chain in plugin order (pre, normal, post), each receiving the previous value', async () => {
    const tag =
      (t: string) =>
      async (v: string[], ctx: { stage: string }): Promise<string[]> => {
        await yieldTurns();
        return [...v, `${t}@${ctx.stage}`];
      };
    const host = createPluginHost([
      definePlugin({ name: 'post', enforce: 'post', hooks: { 'test:append': tag('post') } }),
      definePlugin({ name: 'n1', hooks: { 'test:append': tag('n1') } }),
      definePlugin({ name: 'pre', enforce: 'pre', hooks: { 'test:append': tag('pre') } }),
      definePlugin({
        name: 'n2',
        setup(ctx) {
          ctx.registerHook('test:append', tag('n2-setup'));
        },
        hooks: { 'test:append': tag('n2') },
      }),
    ]);
    await host.ready();
    expect(await host.transform('test:append', ['start'], { stage: 'x' })).toEqual([
      'start',
      'pre@x',
      'n1@x',
      'n2@x',
      'n2-setup@x',
      'post@x',
    ]);
  });

  it('rewrites prompt messages (the built-in transform hook) and returns the input when nobody transforms', async () => {
    const msgs: ChatMessage[] = [{ role: 'user', content: 'hi' }];
    expect(await createPluginHost([]).transform('prompt:messages', msgs, { promptId: 'p', stage: 's' })).toBe(msgs);
    const host = createPluginHost([
      definePlugin({
        name: 'sys',
        hooks: {
          'prompt:messages': (m, ctx) => [{ role: 'system', content: `for ${ctx.promptId}` }, ...m],
        },
      }),
    ]);
    expect(await host.transform('prompt:messages', msgs, { promptId: 'label', stage: 's' })).toEqual([
      { role: 'system', content: 'for label' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('names the plugin when a transform throws or forgets to return', async () => {
    const throwing = createPluginHost([
      definePlugin({
        name: 'broken',
        hooks: {
          'test:append': () => {
            throw new Error('bad input');
          },
        },
      }),
    ]);
    await expect(throwing.transform('test:append', [], { stage: 's' })).rejects.toThrow(
      'transform hook "test:append" of plugin "broken" failed: bad input',
    );
    const forgetful = createPluginHost([
      definePlugin({ name: 'forgetful', hooks: { 'test:append': (() => undefined) as unknown as () => string[] } }),
    ]);
    await expect(forgetful.transform('test:append', [], { stage: 's' })).rejects.toThrow(/plugin "forgetful" returned undefined/);
  });

  it('refuses to transform an observer hook', async () => {
    // @ts-expect-error test:event is an observer hook
    await expect(createPluginHost([]).transform('test:event', { n: 1 }, {})).rejects.toThrow(/observer hook; call emit\(\)/);
  });

  it('the transform set is extensible at runtime', () => {
    expect(TRANSFORM_HOOKS.has('prompt:messages')).toBe(true);
    expect(TRANSFORM_HOOKS.has('test:append')).toBe(true);
    expect(TRANSFORM_HOOKS.has('test:event')).toBe(false);
  });
});
