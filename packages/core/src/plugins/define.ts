import type { TaxonomistPlugin } from './types.js';

/** Identity with type checking and early validation of the plugin's shape (so mistakes fail at definition). */
export function definePlugin<T extends TaxonomistPlugin>(plugin: T): T {
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
