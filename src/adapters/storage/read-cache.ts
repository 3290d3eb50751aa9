import type { Repositories } from '../../domain/repositories.js';
import { TtlCache } from '../../domain/ttl-cache.js';

/**
 * A short-lived, per-process cache of reads. A write through any repository wrapped by the same
 * cache, or any transaction, empties it, so this process always reads its own writes; another
 * process's change is seen within `ttlMs`.
 */
export class ReadCache {
  private readonly entries: TtlCache;

  constructor(ttlMs = 1_000) {
    this.entries = new TtlCache(ttlMs);
  }

  clear(): void {
    this.entries.clear();
  }

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.entries.get(key, Date.now(), load);
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
   * Wraps every method of `target`: reads named in `reads` are cached under the key they return,
   * other reads (`plain`) pass through, and everything else is a write that empties the cache.
   */
  wrap<T extends object>(target: T, reads: Partial<Record<keyof T, (...args: never[]) => string>>, plain: Array<keyof T>): T {
    // Each method is wrapped once, on first use (the send path calls several per send).
    const wrapped = new Map<string | symbol, unknown>();
    return new Proxy(target, {
      get: (t, prop, receiver) => {
        const v = Reflect.get(t, prop, receiver) as unknown;
        if (typeof v !== 'function' || plain.includes(prop as keyof T)) return v;
        const hit = wrapped.get(prop);
        if (hit) return hit;
        const fn = v as (...a: unknown[]) => Promise<unknown>;
        const keyOf = reads[prop as keyof T] as ((...args: unknown[]) => string) | undefined;
        const w = keyOf ? (...args: unknown[]) => this.get(keyOf(...args), () => fn.apply(t, args)) : (...args: unknown[]) => this.write(() => fn.apply(t, args));
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
  const numbersOf = (tenantId: string) =>
    cache.get(`nl:${tenantId}`, async () => new Map((await testNumbers.list(tenantId)).map((n) => [n.number, n])));
  return {
    ...repos,
    tenants: cache.wrap(repos.tenants, { findById: (id: string) => `t:${id}` }, ['findByName', 'findByDomain', 'list', 'domains']),
    phoneProviders: cache.wrap(repos.phoneProviders, { getForTenant: (id: string) => `p:${id}` }, ['get', 'listSealed']),
    phoneTemplates: cache.wrap(repos.phoneTemplates, { getByType: (id: string, type: string) => `tt:${id}:${type}` }, ['list', 'get']),
    testNumbers: {
      list: (tenantId) => testNumbers.list(tenantId),
      get: async (tenantId, number) => (await numbersOf(tenantId)).get(number),
      replaceAll: (tenantId, numbers, now) => cache.write(() => testNumbers.replaceAll(tenantId, numbers, now)),
    },
    clients: cache.wrap(repos.clients, { get: (tenantId: string, clientId: string) => `c:${tenantId}:${clientId}` }, ['list', 'listAll', 'listSealed']),
    // Every MFA send and every passwordless login (the MFA policy) read the Guardian settings.
    guardian: cache.wrap(repos.guardian, { get: (tenantId: string) => `g:${tenantId}` }, ['listSealed']),
    // Every login and every passwordless start reads its connection by name.
    connections: cache.wrap(
      repos.connections,
      { get: (tenantId: string, id: string) => `cn:${tenantId}:${id}`, getByName: (tenantId: string, name: string) => `cnn:${tenantId}:${name}` },
      ['list', 'listSealed'],
    ),
    // Every send reads its tenant's send policy (the `phone_send_policy` guard).
    phoneSendPolicies: cache.wrap(repos.phoneSendPolicies, { get: (tenantId: string) => `sp:${tenantId}` }, []),
    // And its velocity limits (the `velocity` guard).
    velocityPolicies: cache.wrap(repos.velocityPolicies, { get: (tenantId: string) => `vp:${tenantId}` }, []),
    // And every /passwordless/start and phone signup its bot check.
    phoneBotCheck: cache.wrap(repos.phoneBotCheck, { get: (tenantId: string) => `bc:${tenantId}` }, ['listSealed']),
    // The fraud guard reads its settings, the safe list and the prefix's latest quarantine on every
    // send; the sends it records and the traffic it counts pass through (they change with every send
    // and must not empty the cache). Settings, safe list and quarantine changes empty it.
    phoneFraud: cache.wrap(
      repos.phoneFraud,
      {
        getSettings: (tenantId: string) => `fs:${tenantId}`,
        listSafe: (tenantId: string) => `fsl:${tenantId}`,
        latestQuarantine: (tenantId: string, prefix: string) => `fq:${tenantId}:${prefix}`,
      },
      ['recordSend', 'markVerified', 'recentTraffic', 'settledTraffic', 'countryTraffic', 'pruneSends', 'countBlocked', 'getQuarantine', 'listQuarantines'],
    ),
    // The spend cap reads its settings on every send; the charge itself passes through.
    phoneSpend: cache.wrap(repos.phoneSpend, { getSettings: (tenantId: string) => `ss:${tenantId}` }, ['charge', 'totals']),
    transaction: (fn) => cache.write(() => repos.transaction(fn)),
  };
}
