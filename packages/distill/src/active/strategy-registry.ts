/**
 * Selection strategies by name, like the classifiers' registry: the built-ins are always there; plugins add theirs
 *   { name: 'my-plugin', registries: { selectionStrategies: { 'my-strategy': { name, description, select } } } }
 * through `createSelectionRegistry(host)`, or `register` on a registry.
 */
import type { RegistrySource } from '../registry.js';
import { BUILTIN_STRATEGIES, type SelectionStrategy } from './strategies.js';
import { balancedStrategy, diverseBalancedStrategy } from './balanced.js';

export const SELECTION_REGISTRY_KIND = 'selectionStrategies';

export class SelectionRegistry {
  readonly strategies = new Map<string, SelectionStrategy>();

  constructor() {
    for (const s of BUILTIN_STRATEGIES) this.strategies.set(s.name, s);
    for (const s of [balancedStrategy, diverseBalancedStrategy]) this.strategies.set(s.name, s);
  }

  register(def: SelectionStrategy, name: string = def.name): this {
    if (typeof def?.select !== 'function') throw new TypeError(`selection strategy "${name}" must be an object with select()`);
    if (this.strategies.has(name)) throw new Error(`selection strategy "${name}" is already registered`);
    this.strategies.set(name, def);
    return this;
  }

  get(name: string): SelectionStrategy {
    const def = this.strategies.get(name);
    if (!def) throw new Error(`unknown selection strategy "${name}" (known: ${[...this.strategies.keys()].join(', ')})`);
    return def;
  }

  names(): string[] {
    return [...this.strategies.keys()];
  }
}

export function createSelectionRegistry(host?: RegistrySource): SelectionRegistry {
  const reg = new SelectionRegistry();
  if (host) for (const [name, def] of host.registry(SELECTION_REGISTRY_KIND)) reg.register(def as SelectionStrategy, name);
  return reg;
}

export const defaultSelectionRegistry = new SelectionRegistry();
