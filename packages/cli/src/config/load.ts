import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError, UsageError } from '../errors.js';
import { aliasesOf, camelToKebab, kebabToCamel, type OptionTable } from '../args/options.js';
import { closest } from '../args/suggest.js';
import { CONFIG_KEYS, type LoadedConfig, type TaxonomistConfig } from './schema.js';

/** Looked up in the current directory, in this order, when --config is not given. */
export const CONFIG_FILE_NAMES = ['taxonomist.config.ts', 'taxonomist.config.mts', 'taxonomist.config.js', 'taxonomist.config.mjs', 'taxonomist.config.json'];

export function findConfigFile(cwd: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const p = resolve(cwd, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Load a config file. TypeScript configs go through tsx's ESM API (`tsImport`), imported only here so that
 * runs without a .ts config never load it. JSON configs may name plugins as module specifiers (resolved from the
 * config file's directory) whose default export is a plugin or a no-argument plugin factory.
 */
export async function loadConfig(file: string | undefined, cwd: string, knownOptions: OptionTable): Promise<LoadedConfig> {
  const path = file === undefined ? findConfigFile(cwd) : resolve(cwd, file);
  if (path === undefined) return { plugins: [], defaults: {} };
  if (!existsSync(path)) throw new UsageError(`config file not found: ${file}`, { hint: 'check the --config path' });
  const ext = extname(path);
  let raw: unknown;
  try {
    if (ext === '.json') raw = JSON.parse(readFileSync(path, 'utf8'));
    else if (ext === '.ts' || ext === '.mts' || ext === '.cts') {
      const { tsImport } = await import('tsx/esm/api');
      raw = await tsImport(pathToFileURL(path).href, import.meta.url);
    } else raw = await import(pathToFileURL(path).href);
  } catch (err) {
    throw new InputError(`cannot load config: ${(err as Error).message}`, { location: { file: path }, cause: err });
  }
  const mod = raw as Record<string, unknown>;
  // ES modules: `export default {...}` or named `plugins`/`defaults` exports; JSON: the object itself.
  let config = (ext === '.json' ? mod : (mod.default ?? mod)) as TaxonomistConfig & Record<string, unknown>;
  // A .ts file outside an ESM package is compiled as CommonJS, and its `export default` arrives wrapped once more.
  if (ext !== '.json' && config && typeof config === 'object' && 'default' in config && !('plugins' in config) && !('defaults' in config)) {
    config = config.default as typeof config;
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new InputError(`a config must be an object { ${CONFIG_KEYS.map((k) => `${k}?`).join(', ')} }`, { location: { file: path } });
  }
  checkKeys(config, path);
  const plugins = await loadPlugins(config.plugins, path);
  const defaults = normalizeDefaults(config.defaults, path, knownOptions);
  if (config.prices !== undefined && (typeof config.prices !== 'object' || config.prices === null)) {
    throw new InputError('"prices" must be an object { "<model>": { "input": usdPerMTok, "output": usdPerMTok } }', { location: { file: path, field: 'prices' } });
  }
  return { path, plugins, defaults, prices: config.prices };
}

async function loadPlugins(value: unknown, path: string): Promise<LoadedConfig['plugins']> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InputError('"plugins" must be an array', { location: { file: path, field: 'plugins' } });
  const out: LoadedConfig['plugins'] = [];
  for (const [i, entry] of value.entries()) {
    let plugin: unknown = entry;
    if (typeof entry === 'string') {
      const spec = entry.startsWith('.') || isAbsolute(entry) ? pathToFileURL(resolve(dirname(path), entry)).href : entry;
      try {
        const mod = (await import(spec)) as Record<string, unknown>;
        plugin = mod.default ?? mod.plugin;
      } catch (err) {
        throw new InputError(`cannot import plugin "${entry}": ${(err as Error).message}`, { location: { file: path, field: `plugins[${i}]` }, hint: 'is the package installed?' });
      }
      if (typeof plugin === 'function') plugin = await (plugin as () => unknown)();
    }
    if (typeof plugin !== 'object' || plugin === null || typeof (plugin as { name?: unknown }).name !== 'string') {
      throw new InputError('a plugin must be an object with a "name" (see definePlugin in @taxonomist/core)', { location: { file: path, field: `plugins[${i}]` } });
    }
    out.push(plugin as LoadedConfig['plugins'][number]);
  }
  return out;
}

/** A misspelled key would otherwise be ignored silently (and the setting with it). */
function checkKeys(config: Record<string, unknown>, path: string): void {
  for (const key of Object.keys(config)) {
    if ((CONFIG_KEYS as readonly string[]).includes(key)) continue;
    const guess = closest(key, CONFIG_KEYS);
    throw new InputError(`unknown config key "${key}"`, {
      location: { file: path, field: key },
      hint: guess ? `did you mean "${guess}"? (keys: ${CONFIG_KEYS.join(', ')})` : `a config has only these keys: ${CONFIG_KEYS.join(', ')}`,
    });
  }
}

const NOT_CONFIGURABLE = new Set(['help', 'config', 'no-config']);

function normalizeDefaults(value: unknown, path: string, known: OptionTable): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('"defaults" must be an object of flag values', { location: { file: path, field: 'defaults' } });
  }
  const out: Record<string, unknown> = {};
  const aliases = aliasesOf(known);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const given = key.includes('-') ? key : camelToKebab(key);
    // Old flag names work here too, as on the command line.
    const kebab = aliases.get(given) ?? given;
    const spec = known[kebab];
    if (!spec || NOT_CONFIGURABLE.has(kebab)) {
      throw new InputError(`unknown default "${key}"`, { location: { file: path, field: `defaults.${key}` }, hint: 'defaults take flag names, e.g. "model", "concurrency", "textField"' });
    }
    const ok =
      spec.type === 'boolean' ? typeof v === 'boolean'
      : spec.type === 'string' ? (spec.multiple ? Array.isArray(v) && v.every((x) => typeof x === 'string') : typeof v === 'string')
      : typeof v === 'number' && Number.isFinite(v) && (spec.type !== 'integer' || Number.isInteger(v));
    if (!ok) {
      throw new InputError(`default "${key}" must be ${spec.multiple ? 'a list of strings' : spec.type === 'integer' ? 'an integer' : `a ${spec.type}`}, got ${JSON.stringify(v)}`, {
        location: { file: path, field: `defaults.${key}` },
      });
    }
    if (spec.choices && typeof v === 'string' && !spec.choices.includes(v)) {
      throw new InputError(`default "${key}" must be one of ${spec.choices.join(', ')}`, { location: { file: path, field: `defaults.${key}` } });
    }
    out[kebabToCamel(kebab)] = v;
  }
  return out;
}
