import { isKnownHook, unknownHookMessage } from './hook-kinds.js';
import { REGISTRY_KINDS, unknownRegistryKindMessage } from './registry-kinds.js';
import type { HookName, RegistryKind, TaxonomistPlugin } from './types.js';

/** A hook key that is not a known hook name gets this type, so the function given for it does not compile. */
type UnknownHookKey<K> = `unknown hook "${K & string}": not in ObserverHooks / TransformHooks (misspelled?)`;
type UnknownRegistryKind<K> = `unknown registry kind "${K & string}" (misspelled?)`;
type HooksOf<T> = T extends { hooks?: infer H } ? NonNullable<H> : never;
type RegistriesOf<T> = T extends { registries?: infer R } ? NonNullable<R> : never;

/** Exact keys: every hook and registry kind of the plugin must be a known name. */
export type CheckedPlugin<T> = T & {
  hooks?: { [K in keyof HooksOf<T>]: K extends HookName ? HooksOf<T>[K] : UnknownHookKey<K> };
  registries?: { [K in keyof RegistriesOf<T>]: K extends RegistryKind ? RegistriesOf<T>[K] : UnknownRegistryKind<K> };
};

/**
 * Identity with type checking and early validation of the plugin's shape (so mistakes fail at definition). Hook
 * names and registry kinds are exact: a misspelled one is a type error, and a run-time TypeError with "did you mean".
 */
export function definePlugin<T extends TaxonomistPlugin>(plugin: CheckedPlugin<T>): T {
  validatePlugin(plugin);
  return plugin;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Throws a TypeError naming the plugin and the problem. */
export function validatePlugin(plugin: TaxonomistPlugin): void {
  if (!isObject(plugin)) throw new TypeError(`a plugin must be an object, got ${plugin === null ? 'null' : typeof plugin}`);
  if (typeof plugin.name !== 'string' || plugin.name.trim() === '') {
    throw new TypeError(`a plugin needs a non-empty name, got ${JSON.stringify(plugin.name)}`);
  }
  const where = `plugin "${plugin.name}"`;
  if (plugin.version !== undefined && typeof plugin.version !== 'string') throw new TypeError(`${where}: version must be a string`);
  if (plugin.enforce !== undefined && plugin.enforce !== 'pre' && plugin.enforce !== 'post') {
    throw new TypeError(`${where}: enforce must be 'pre' or 'post', got ${JSON.stringify(plugin.enforce)}`);
  }
  if (plugin.setup !== undefined && typeof plugin.setup !== 'function') throw new TypeError(`${where}: setup must be a function`);
  if (plugin.providers !== undefined) {
    if (!Array.isArray(plugin.providers)) throw new TypeError(`${where}: providers must be an array`);
    plugin.providers.forEach((p, i) => {
      if (!isObject(p)) throw new TypeError(`${where}: providers[${i}] must be an object`);
      validateProviderId(p.id, `${where}: providers[${i}]`);
    });
  }
  if (plugin.hooks !== undefined) {
    if (!isObject(plugin.hooks)) throw new TypeError(`${where}: hooks must be an object of functions`);
    for (const [name, fn] of Object.entries(plugin.hooks)) {
      if (!isKnownHook(name)) throw new TypeError(`${where}: ${unknownHookMessage(name)}`);
      if (typeof fn !== 'function') throw new TypeError(`${where}: hook "${name}" must be a function`);
    }
  }
  if (plugin.prompts !== undefined) {
    if (!isObject(plugin.prompts)) throw new TypeError(`${where}: prompts must be an object of functions`);
    for (const [id, fn] of Object.entries(plugin.prompts)) {
      if (typeof fn !== 'function') throw new TypeError(`${where}: prompt override "${id}" must be a function`);
    }
  }
  if (plugin.registries !== undefined) {
    if (!isObject(plugin.registries)) throw new TypeError(`${where}: registries must be an object (kind -> name -> value)`);
    for (const [kind, entries] of Object.entries(plugin.registries)) {
      if (!REGISTRY_KINDS.has(kind)) throw new TypeError(`${where}: ${unknownRegistryKindMessage(kind)}`);
      if (!isObject(entries)) throw new TypeError(`${where}: registries["${kind}"] must be an object (name -> value)`);
    }
  }
}

/** Provider ids prefix model ids (`openai:gpt-4o-mini`), so they must be non-empty and contain no ':'. */
export function validateProviderId(id: unknown, where: string): void {
  if (typeof id !== 'string' || id === '' || id.includes(':') || id.trim() !== id) {
    throw new TypeError(`${where}: provider id must be a non-empty string without ':' or surrounding spaces, got ${JSON.stringify(id)}`);
  }
}
