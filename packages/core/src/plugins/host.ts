import type { PriceTable } from '../llm/types.js';
import { registerSecret } from '../util/redact.js';
import { validatePlugin, validateProviderId } from './define.js';
import { isKnownHook, isTransformHook, unknownHookMessage } from './hook-kinds.js';
import { REGISTRY_KINDS, unknownRegistryKindMessage } from './registry-kinds.js';
import type {
  PluginHost,
  PluginHostOptions,
  PluginSetupContext,
  PromptOverride,
  ProviderDefinition,
  ResolvedModelId,
  TaxonomistPlugin,
} from './types.js';

/** Something a plugin registered, tagged with where it sits in the effective order. */
interface Entry<T> {
  plugin: string;
  /** Index of the plugin in effective order. */
  order: number;
  /** Registration sequence within the host, to order several entries of one plugin. */
  seq: number;
  value: T;
}

type AnyFn = (...args: unknown[]) => unknown;

const before = (a: Entry<unknown>, b: Entry<unknown>): number => a.order - b.order || a.seq - b.seq;
const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Plugins in effective order: 'pre' ones, then normal ones, then 'post' ones, list order within each group. */
export function orderPlugins(plugins: readonly TaxonomistPlugin[]): TaxonomistPlugin[] {
  return [
    ...plugins.filter((p) => p.enforce === 'pre'),
    ...plugins.filter((p) => p.enforce === undefined),
    ...plugins.filter((p) => p.enforce === 'post'),
  ];
}

/**
 * Build the runtime view of a plugin list. Declarative parts (providers, hooks, prompts, registries) are
 * registered immediately, so duplicates throw here; `await host.ready()` then runs each setup() in order.
 */
export function createPluginHost(plugins: readonly TaxonomistPlugin[], options: PluginHostOptions = {}): PluginHost {
  if (!Array.isArray(plugins)) throw new TypeError('createPluginHost expects an array of plugins');
  plugins.forEach(validatePlugin);
  const positions = new Map<string, number>();
  plugins.forEach((p, i) => {
    const prev = positions.get(p.name);
    if (prev !== undefined) throw new Error(`two plugins are named "${p.name}" (positions ${prev + 1} and ${i + 1} in the list)`);
    positions.set(p.name, i);
  });
  const ordered = orderPlugins(plugins);

  const providerMap = new Map<string, Entry<ProviderDefinition>>();
  const hookMap = new Map<string, Entry<AnyFn>[]>();
  const promptMap = new Map<string, Entry<PromptOverride>>();
  const registryMap = new Map<string, Map<string, Entry<unknown>>>();
  let seq = 0;

  const registerProvider = (plugin: string, order: number, provider: ProviderDefinition): void => {
    if (provider === null || typeof provider !== 'object') throw new TypeError(`plugin "${plugin}": a provider must be an object`);
    validateProviderId(provider.id, `plugin "${plugin}"`);
    const prev = providerMap.get(provider.id);
    if (prev !== undefined) {
      throw new Error(
        prev.plugin === plugin
          ? `provider id "${provider.id}" is registered twice by plugin "${plugin}"`
          : `provider id "${provider.id}" is registered by both plugin "${prev.plugin}" and plugin "${plugin}"`,
      );
    }
    providerMap.set(provider.id, { plugin, order, seq: seq++, value: provider });
  };
  const registerHook = (plugin: string, order: number, name: string, fn: unknown): void => {
    if (typeof name !== 'string' || name === '') throw new TypeError(`plugin "${plugin}": hook name must be a non-empty string`);
    if (!isKnownHook(name)) throw new TypeError(`plugin "${plugin}": ${unknownHookMessage(name)}`);
    if (typeof fn !== 'function') throw new TypeError(`plugin "${plugin}": hook "${name}" must be a function`);
    const list = hookMap.get(name) ?? [];
    list.push({ plugin, order, seq: seq++, value: fn as AnyFn });
    list.sort(before);
    hookMap.set(name, list);
  };
  const registerPrompt = (plugin: string, order: number, promptId: string, fn: unknown): void => {
    if (typeof promptId !== 'string' || promptId === '') throw new TypeError(`plugin "${plugin}": prompt id must be a non-empty string`);
    if (typeof fn !== 'function') throw new TypeError(`plugin "${plugin}": prompt override "${promptId}" must be a function`);
    const entry: Entry<PromptOverride> = { plugin, order, seq: seq++, value: fn as PromptOverride };
    const prev = promptMap.get(promptId);
    // The override of the plugin latest in effective order wins, whenever it was registered.
    if (prev === undefined || before(prev, entry) < 0) promptMap.set(promptId, entry);
  };
  const register = (plugin: string, order: number, kind: string, name: string, value: unknown): void => {
    if (typeof kind !== 'string' || kind === '') throw new TypeError(`plugin "${plugin}": registry kind must be a non-empty string`);
    if (!REGISTRY_KINDS.has(kind)) throw new TypeError(`plugin "${plugin}": ${unknownRegistryKindMessage(kind)}`);
    if (typeof name !== 'string' || name === '') throw new TypeError(`plugin "${plugin}": registry "${kind}": name must be a non-empty string`);
    let entries = registryMap.get(kind);
    if (entries === undefined) registryMap.set(kind, (entries = new Map()));
    const prev = entries.get(name);
    if (prev !== undefined) {
      throw new Error(
        prev.plugin === plugin
          ? `registry "${kind}": "${name}" is registered twice by plugin "${plugin}"`
          : `registry "${kind}": "${name}" is registered by both plugin "${prev.plugin}" and plugin "${plugin}"`,
      );
    }
    entries.set(name, { plugin, order, seq: seq++, value });
  };

  // Declarative registrations, in effective order.
  ordered.forEach((p, order) => {
    for (const provider of p.providers ?? []) registerProvider(p.name, order, provider);
    for (const [name, fn] of Object.entries(p.hooks ?? {})) registerHook(p.name, order, name, fn);
    for (const [id, fn] of Object.entries(p.prompts ?? {})) registerPrompt(p.name, order, id, fn);
    for (const [kind, entries] of Object.entries(p.registries ?? {})) {
      for (const [name, value] of Object.entries(entries)) register(p.name, order, kind, name, value);
    }
  });

  let readyPromise: Promise<void> | undefined;
  let setupDone = false;

  const runSetups = async (): Promise<void> => {
    try {
      for (const [order, p] of ordered.entries()) {
        if (p.setup === undefined) continue;
        let open = true;
        const guard = (): void => {
          if (!open) throw new Error(`plugin "${p.name}" used its setup context after setup() finished`);
        };
        const ctx: PluginSetupContext = {
          registerProvider: (provider) => {
            guard();
            registerProvider(p.name, order, provider);
          },
          registerHook: (name, fn) => {
            guard();
            registerHook(p.name, order, name, fn);
          },
          registerPrompt: (promptId, override) => {
            guard();
            registerPrompt(p.name, order, promptId, override);
          },
          register: (kind, name, value) => {
            guard();
            register(p.name, order, kind, name, value);
          },
          // Process-wide (the writers that redact know no host), so usable after setup() too.
          registerSecret: (value) => registerSecret(value),
        };
        try {
          await p.setup(ctx);
        } catch (err) {
          throw new Error(`setup() of plugin "${p.name}" failed: ${errorMessage(err)}`, { cause: err });
        } finally {
          open = false;
        }
      }
    } finally {
      setupDone = true;
    }
  };

  const providerList = (): string => {
    const list = [...providerMap.values()].sort(before);
    return list.length === 0
      ? 'no providers are registered (add a provider plugin, or pass a LangChain model instance directly)'
      : `known providers: ${list.map((e) => `${e.value.id} (plugin "${e.plugin}")`).join(', ')}`;
  };
  const notReadyNote = (): string =>
    !setupDone && ordered.some((p) => p.setup !== undefined)
      ? '; note: await host.ready() has not completed, so providers registered in setup() are missing'
      : '';

  const host: PluginHost = {
    plugins: ordered,
    ready() {
      readyPromise ??= runSetups();
      return readyPromise;
    },
    getProvider(id) {
      return providerMap.get(id)?.value;
    },
    providers() {
      return [...providerMap.values()].sort(before).map((e) => e.value);
    },
    resolveModelId(modelId): ResolvedModelId {
      if (typeof modelId !== 'string') throw new TypeError(`model id must be a string, got ${typeof modelId}`);
      const colon = modelId.indexOf(':');
      if (colon <= 0) {
        throw new Error(`model id "${modelId}" must look like "<provider>:<model>", e.g. "openai:gpt-4o-mini"; ${providerList()}${notReadyNote()}`);
      }
      const providerId = modelId.slice(0, colon);
      const modelName = modelId.slice(colon + 1);
      if (modelName === '') throw new Error(`model id "${modelId}" has no model name after "${providerId}:"`);
      const entry = providerMap.get(providerId);
      if (entry === undefined) {
        throw new Error(`unknown provider "${providerId}" in model id "${modelId}"; ${providerList()}${notReadyNote()}`);
      }
      return { provider: entry.value, modelName, plugin: entry.plugin };
    },
    async emit(name, payload) {
      if (isTransformHook(name)) throw new TypeError(`"${name}" is a transform hook; call transform(), not emit()`);
      const entries = hookMap.get(name);
      if (entries === undefined || entries.length === 0) return;
      // Each observer starts before the previous one settles (they overlap); a synchronous throw becomes a rejection.
      const results = await Promise.allSettled(entries.map(async (e) => e.value(payload)));
      const failures: { error: unknown; plugin: string }[] = [];
      results.forEach((r, i) => {
        if (r.status === 'rejected') failures.push({ error: r.reason, plugin: entries[i]!.plugin });
      });
      if (failures.length === 0) return;
      if (options.onHookError !== undefined) {
        for (const f of failures) options.onHookError(f.error, { hook: name, plugin: f.plugin });
        return;
      }
      throw new AggregateError(
        failures.map((f) => f.error),
        `${failures.length} observer${failures.length === 1 ? '' : 's'} of "${name}" failed: ` +
          failures.map((f) => `plugin "${f.plugin}": ${errorMessage(f.error)}`).join('; '),
      );
    },
    async transform(name, value, ctx) {
      if (!isTransformHook(name)) throw new TypeError(`"${name}" is an observer hook; call emit(), not transform()`);
      let current: unknown = value;
      for (const e of hookMap.get(name) ?? []) {
        let next: unknown;
        try {
          next = await e.value(current, ctx);
        } catch (err) {
          throw new Error(`transform hook "${name}" of plugin "${e.plugin}" failed: ${errorMessage(err)}`, { cause: err });
        }
        if (next === undefined) {
          throw new TypeError(`transform hook "${name}" of plugin "${e.plugin}" returned undefined; a transform must return the value`);
        }
        current = next;
      }
      return current as never;
    },
    hasHook(name) {
      return (hookMap.get(name)?.length ?? 0) > 0;
    },
    prompt(promptId) {
      return promptMap.get(promptId)?.value;
    },
    // Typed per kind by PluginHost's overloads; the values are what plugins registered for that kind.
    registry: ((kind: string) => {
      // A copy, iterated in plugin order (then registration order) for determinism.
      const entries = [...(registryMap.get(kind)?.entries() ?? [])].sort((a, b) => before(a[1], b[1]));
      return new Map(entries.map(([name, e]) => [name, e.value]));
    }) as PluginHost['registry'],
    prices() {
      const table: PriceTable = {};
      for (const e of [...providerMap.values()].sort(before)) {
        const { id, prices } = e.value;
        for (const [model, price] of Object.entries(prices ?? {})) {
          table[model.startsWith(`${id}:`) ? model : `${id}:${model}`] = price;
        }
      }
      return table;
    },
  };
  return host;
}
