/**
 * A store object of its own over `store` (the query layer caches per store object), every method
 * bound to the real one; `onCall`, when given, hears each call's method name and arguments first.
 * For tests that count what a query or a pass reads.
 */
export function watchedStore<S extends object>(store: S, onCall?: (method: string, args: readonly unknown[]) => void): S {
  return new Proxy(store, {
    get(target, key) {
      const v: unknown = Reflect.get(target, key, target);
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => unknown).bind(target);
      if (!onCall || typeof key !== 'string') return fn;
      return (...args: unknown[]) => {
        onCall(key, args);
        return fn(...args);
      };
    },
  });
}
