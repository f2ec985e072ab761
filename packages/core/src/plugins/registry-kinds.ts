import { closestName } from '../util/suggest.js';

/**
 * Registry kinds plugins may fill (`registries: { classifiers: { name: definition } }` or ctx.register(kind, ...)):
 * distill's classifiers and featurizers, and active-learning selection strategies. Their value types come from the
 * packages that define them (see RegistryValueTypes). Another package adding a kind registers it here.
 */
export const REGISTRY_KINDS: Set<string> = new Set(['classifiers', 'featurizers', 'selectionStrategies']);

export function registerRegistryKind(kind: string): void {
  REGISTRY_KINDS.add(kind);
}

export function unknownRegistryKindMessage(kind: string): string {
  const guess = closestName(kind, REGISTRY_KINDS);
  return `unknown registry kind "${kind}"` + (guess ? `; did you mean "${guess}"?` : `; known kinds: ${[...REGISTRY_KINDS].join(', ')}`);
}
