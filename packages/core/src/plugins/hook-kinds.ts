/**
 * Which hook names are transforms (run in order, value threaded through); every other name is an observer
 * (run in parallel). Packages that add a transform hook by module augmentation register its name here.
 */
export const TRANSFORM_HOOKS: Set<string> = new Set(['prompt:messages']);

export function registerTransformHook(name: string): void {
  TRANSFORM_HOOKS.add(name);
}

export function isTransformHook(name: string): boolean {
  return TRANSFORM_HOOKS.has(name);
}
