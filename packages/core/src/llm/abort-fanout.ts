/**
 * Many waiters on one AbortSignal (every call of a run shares the run's signal) must not each add an 'abort'
 * listener: past 10, Node warns "MaxListenersExceededWarning: Possible EventTarget memory leak". One real listener
 * per signal fans out to every registered callback; a callback is removed when its waiter is done, and the real
 * listener when no callback is left.
 */
const callbacks = new WeakMap<AbortSignal, { set: Set<() => void>; fire: () => void }>();

/** Call `fn` once when `signal` aborts (at once if it already has). Returns the function that unregisters it. */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  if (signal.aborted) {
    fn();
    return () => undefined;
  }
  let entry = callbacks.get(signal);
  if (entry === undefined) {
    const set = new Set<() => void>();
    const fire = (): void => {
      callbacks.delete(signal);
      for (const f of [...set]) f();
      set.clear();
    };
    entry = { set, fire };
    callbacks.set(signal, entry);
    signal.addEventListener('abort', fire, { once: true });
  }
  // A wrapper per registration, so the same function registered twice is two registrations.
  const once = (): void => fn();
  entry.set.add(once);
  const e = entry;
  return () => {
    if (!e.set.delete(once)) return;
    if (e.set.size === 0 && callbacks.get(signal) === e) {
      callbacks.delete(signal);
      signal.removeEventListener('abort', e.fire);
    }
  };
}
