import type { Repositories } from '../../domain/repositories.js';
import { TtlCache } from '../../domain/ttl-cache.js';

/**
 * A short-lived, per-process cache of reads. A write through any repository wrapped by the same
 * cache, or any transaction, empties it, so this process always reads its own writes; another
 * process's change is seen within `ttlMs`.
 */
export class ReadCache {
  private readonly tables: TtlCache[] = [];

  constructor(private readonly ttlMs = 1_000) {}

  /** A table of its own (a read's), emptied with the cache. */
  private table(): TtlCache {
    const t = new TtlCache(this.ttlMs);
    this.tables.push(t);
    return t;
  }

  clear(): void {
    for (const t of this.tables) t.clear();
  }

  /** `load(key)`, kept under `key`, in a table of its own. */
  cached<T>(load: (key: string) => Promise<T>): (key: string) => Promise<T> {
    const table = this.table();
    return (key) => table.get(key, Date.now(), () => load(key));
  }

  /** Runs a write and empties the cache before and after it. */
  async write<T>(fn: () => Promise<T>): Promise<T> {
    this.clear();
    try {
      return await fn();
    } finally {
      this.clear();
    }
  }

  /**
   * Wraps every method of `target`: reads named in `reads` are cached under their first argument
   * and, for a read given `2`, their second as well, in a table of their own; other reads (`plain`)
   * pass through, and everything else is a write that empties the cache.
   */
  wrap<T extends object>(target: T, reads: Partial<Record<keyof T, 1 | 2>>, plain: Array<keyof T>): T {
    // Each method is wrapped once, on first use (the send path calls several per send).
    const wrapped = new Map<string | symbol, unknown>();
    return new Proxy(target, {
      get: (t, prop, receiver) => {
        const v = Reflect.get(t, prop, receiver) as unknown;
        if (typeof v !== 'function' || plain.includes(prop as keyof T)) return v;
        const hit = wrapped.get(prop);
        if (hit) return hit;
        const fn = v as (...a: unknown[]) => Promise<unknown>;
        const parts = reads[prop as keyof T];
        let w: (...args: unknown[]) => Promise<unknown>;
        if (parts) {
          // Its own table: the method's arguments are the key, whole.
          const table = this.table();
          w = (...args) => table.getPair(args[0], parts === 2 ? args[1] : undefined, Date.now(), () => fn.apply(t, args));
        } else w = (...args) => this.write(() => fn.apply(t, args));
        wrapped.set(prop, w);
        return w;
      },
    });
  }
}

/**
 * The per-tenant configuration every notification and every login reads — the tenant, its provider,
 * its template of a type, its test numbers, its applications, its connections, its send policy — behind one `ReadCache`.
 */
export function withReadCache(repos: Repositories, cache = new ReadCache()): Repositories {
  const testNumbers = repos.testNumbers;
  // The whole list (at most 100 numbers) is kept per tenant: every send asks about another recipient.
  const numbersOf = cache.cached(async (tenantId) => new Map((await testNumbers.list(tenantId)).map((n) => [n.number, n])));
  return {
    ...repos,
    tenants: cache.wrap(repos.tenants, { findById: 1 }, ['findByName', 'findByDomain', 'list', 'domains']),
    phoneProviders: cache.wrap(repos.phoneProviders, { getForTenant: 1 }, ['get', 'listSealed']),
    phoneTemplates: cache.wrap(repos.phoneTemplates, { getByType: 2 }, ['list', 'get']),
    testNumbers: {
      list: (tenantId) => testNumbers.list(tenantId),
      get: async (tenantId, number) => (await numbersOf(tenantId)).get(number),
      replaceAll: (tenantId, numbers, now) => cache.write(() => testNumbers.replaceAll(tenantId, numbers, now)),
    },
    clients: cache.wrap(repos.clients, { get: 2 }, ['list', 'listAll', 'listSealed']),
    // Every MFA send and every passwordless login (the MFA policy) read the Guardian settings.
    guardian: cache.wrap(repos.guardian, { get: 1 }, ['listSealed']),
    // Every login and every passwordless start reads its connection by name.
    connections: cache.wrap(
      repos.connections,
      { get: 2, getByName: 2 },
      ['list', 'listSealed'],
    ),
    // Every send reads its tenant's send policy (the `phone_send_policy` guard).
    phoneSendPolicies: cache.wrap(repos.phoneSendPolicies, { get: 1 }, []),
    // And its velocity limits (the `velocity` guard).
    velocityPolicies: cache.wrap(repos.velocityPolicies, { get: 1 }, []),
    // And every /passwordless/start and phone signup its bot check.
    phoneBotCheck: cache.wrap(repos.phoneBotCheck, { get: 1 }, ['listSealed']),
    // The fraud guard reads its settings, the safe list and the prefix's latest quarantine on every
    // send; the sends it records and the traffic it counts pass through (they change with every send
    // and must not empty the cache). Settings, safe list and quarantine changes empty it.
    phoneFraud: cache.wrap(
      repos.phoneFraud,
      {
        getSettings: 1,
        listSafe: 1,
        latestQuarantine: 2,
      },
      ['recordSend', 'markVerified', 'recentTraffic', 'settledTraffic', 'countryTraffic', 'pruneSends', 'countBlocked', 'getQuarantine', 'listQuarantines'],
    ),
    // The spend cap reads its settings on every send; the charge itself passes through.
    phoneSpend: cache.wrap(repos.phoneSpend, { getSettings: 1 }, ['charge', 'totals']),
    transaction: (fn) => cache.write(() => repos.transaction(fn)),
  };
}
