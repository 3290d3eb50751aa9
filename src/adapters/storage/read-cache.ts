import type { Repositories } from '../../domain/ports.js';

/**
 * A short-lived, per-process cache of the per-tenant configuration every notification reads (the
 * tenant, its provider, its template of a type, its test numbers). Any write through these
 * repositories, or any transaction, empties it, so this process always reads its own writes; another
 * process's change is seen within `ttlMs`.
 */
export function withReadCache(repos: Repositories, ttlMs = 1_000): Repositories {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  const clear = () => entries.clear();
  const cached = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const now = Date.now();
    const hit = entries.get(key);
    if (hit && now - hit.at < ttlMs) return hit.value as Promise<T>;
    const value = load();
    entries.set(key, { at: now, value });
    // A failed read is not remembered.
    value.catch(() => entries.delete(key));
    if (entries.size > 10_000) entries.delete(entries.keys().next().value!);
    return value;
  };
  /**
   * Wraps every method of `target`: reads named in `reads` are cached, other reads (`plain`) pass
   * through, and everything else is a write that clears the cache.
   */
  const wrap = <T extends object>(target: T, reads: Partial<Record<keyof T, (...args: never[]) => string>>, plain: Array<keyof T>): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const v = Reflect.get(t, prop, receiver) as unknown;
        if (typeof v !== 'function' || plain.includes(prop as keyof T)) return v;
        const keyOf = reads[prop as keyof T] as ((...args: unknown[]) => string) | undefined;
        if (keyOf) return (...args: unknown[]) => cached(keyOf(...args), () => (v as (...a: unknown[]) => Promise<unknown>).apply(t, args));
        return async (...args: unknown[]) => {
          clear();
          try {
            return await (v as (...a: unknown[]) => Promise<unknown>).apply(t, args);
          } finally {
            clear();
          }
        };
      },
    });

  return {
    ...repos,
    tenants: wrap(repos.tenants, { findById: (id: string) => `t:${id}` }, ['findByName', 'findByDomain', 'list', 'domains']),
    phoneProviders: wrap(repos.phoneProviders, { getForTenant: (id: string) => `p:${id}` }, ['get', 'listSealed']),
    phoneTemplates: wrap(repos.phoneTemplates, { getByType: (id: string, type: string) => `tt:${id}:${type}` }, ['list', 'get']),
    testNumbers: wrap(repos.testNumbers, { get: (id: string, n: string) => `n:${id}:${n}` }, ['list']),
    guardian: wrap(repos.guardian, {}, ['get', 'listSealed']),
    async transaction(fn) {
      clear();
      try {
        return await repos.transaction(fn);
      } finally {
        clear();
      }
    },
  };
}
