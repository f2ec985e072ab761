import { closestName } from '../util/suggest.js';

/**
 * Which hook names are transforms (run in order, value threaded through); every other name is an observer
 * (run in parallel). Packages that add a transform hook by module augmentation register its name here.
 */
export const TRANSFORM_HOOKS: Set<string> = new Set(['prompt:messages']);

/**
 * Observer hook names Taxonomist's packages emit (core: llm:*, taxonomy:*; labeler: label:*). Listed here rather than
 * registered when the emitting package loads, so a plugin in a config file is checked before the labeler is imported.
 * A package adding observer hooks by module augmentation registers their names with registerObserverHook.
 */
export const OBSERVER_HOOKS: Set<string> = new Set([
  'llm:request',
  'llm:response',
  'llm:retry',
  'llm:error',
  'taxonomy:generated',
  'taxonomy:updated',
  'taxonomy:reviewed',
  'label:record',
  'label:progress',
  'label:done',
]);

export function registerTransformHook(name: string): void {
  TRANSFORM_HOOKS.add(name);
}

/** Make an observer hook name known (a package that emits it, declared by module augmentation of ObserverHooks). */
export function registerObserverHook(name: string): void {
  OBSERVER_HOOKS.add(name);
}

export function isTransformHook(name: string): boolean {
  return TRANSFORM_HOOKS.has(name);
}

export function isKnownHook(name: string): boolean {
  return OBSERVER_HOOKS.has(name) || TRANSFORM_HOOKS.has(name);
}

/** Why a hook name is refused: a "did you mean" when one is close, else the known names. */
export function unknownHookMessage(name: string): string {
  const known = [...OBSERVER_HOOKS, ...TRANSFORM_HOOKS];
  const guess = closestName(name, known);
  return (
    `unknown hook "${name}"` +
    (guess ? `; did you mean "${guess}"?` : `; known hooks: ${known.join(', ')}`) +
    ' (a package that adds hooks registers their names with registerObserverHook / registerTransformHook)'
  );
}
