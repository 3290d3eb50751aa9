import { hash } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, RateLimiterSQLite, type RateLimiterStoreAbstract } from 'rate-limiter-flexible';
import { counterState, scopedKey, type CounterSpec, type CounterState, type RateCounters } from '../../domain/abuse/rate-counters.js';
import type { StorageHandle } from '../storage/db.js';
import { CounterJournal, type CounterJournalOptions, type JournalRow, type JournalStatements } from './counter-journal.js';

type SQLiteDatabase = Extract<StorageHandle, { dialect: 'sqlite' }>['database'];

/** The table migration 0011 creates, in rate-limiter-flexible's layout. */
const TABLE = 'rate_limits';
/** The embedded database's journal of counter changes (migration 0017). */
const JOURNAL = 'rate_limit_journal';
/** Expired rows of the SQL stores are removed this often (rate-limiter-flexible's `clearExpired`). */
const SWEEP_MS = 5 * 60_000;

export interface RateCountersOptions {
  /** The database the process uses: its counters go there unless `redisUrl` is set. */
  storage: StorageHandle;
  /** `redis://…`: the counters live in Redis, shared by every process that names the same server. */
  redisUrl?: string | undefined;
  /** Prepended to every key (Redis: to share one server between deployments or test runs). */
  keyPrefix?: string;
  /**
   * SQLite: the counters are held in this process and journaled (`CounterJournal`), their rows
   * appended inside the database's group commit (`groupWrite`), with the writes of the sends and
   * logins that counted them. Without it, rate-limiter-flexible's SQLite store (one row per key).
   */
  groupCommit?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The journal's bound on the counters it holds, and its report of those it let go. */
  journal?: CounterJournalOptions;
}

/**
 * `RateCounters` over rate-limiter-flexible: one limiter per (name, limit, window), all on one store.
 * The SQL stores share the `rate_limits` table (created by migration 0011, so no limiter creates it at
 * start); keys are hashed, so the table and Redis hold no phone number, user id or address in clear.
 */
/**
 * The SQLite handle as rate-limiter-flexible sees it: statements prepared once (it prepares one per
 * call, which cost as much as running it), and no transaction around its single upsert, which
 * SQLite runs atomically on its own (`INSERT … ON CONFLICT DO UPDATE … RETURNING`).
 */
function preparedOnce(db: SQLiteDatabase): SQLiteDatabase {
  const statements = new Map<string, ReturnType<SQLiteDatabase['prepare']>>();
  const handle = {
    prepare(sql: string) {
      let st = statements.get(sql);
      if (!st) statements.set(sql, (st = db.prepare(sql)));
      return st;
    },
    transaction: <F extends (...args: never[]) => unknown>(fn: F) => fn,
  };
  return handle as unknown as SQLiteDatabase;
}

/**
 * The journal's statements, prepared once. On first use after an upgrade, the live rows of
 * rate-limiter-flexible's table move into the journal (as whole states), in one transaction.
 */
export function journalStatements(db: SQLiteDatabase): JournalStatements {
  if (db.prepare(`SELECT 1 FROM ${TABLE} LIMIT 1`).get() !== undefined) {
    db.transaction(() => {
      db.prepare(`INSERT INTO ${JOURNAL} (key, points, expire, kind) SELECT key, points, expire, 1 FROM ${TABLE} WHERE expire IS NULL OR expire > ? ORDER BY rowid`).run(Date.now());
      db.prepare(`DELETE FROM ${TABLE}`).run();
    })();
  }
  const live = db.prepare(`SELECT key, points, expire, kind FROM ${JOURNAL} WHERE expire IS NULL OR expire > ? ORDER BY rowid`);
  const append = db.prepare(`INSERT INTO ${JOURNAL} (key, points, expire, kind) VALUES (?, ?, ?, ?)`);
  const sweep = db.prepare(`DELETE FROM ${JOURNAL} WHERE expire <= ?`);
  return {
    live: (now) => live.iterate(now) as Iterable<JournalRow>,
    append: (r) => void append.run(r.key, r.points, r.expire, r.kind),
    sweep: (before) => void sweep.run(before),
  };
}

export function createRateCounters(o: RateCountersOptions): RateCounters {
  const prefix = o.keyPrefix ?? 'unifone';
  let redis: Redis | undefined;
  let make: (spec: CounterSpec) => RateLimiterStoreAbstract;
  let store: string;
  if (o.redisUrl) {
    const client = new Redis(o.redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: 2, lazyConnect: false });
    // A lost connection is retried by ioredis; each command that fails meanwhile is an error of its own.
    client.on('error', () => undefined);
    redis = client;
    store = 'redis';
    make = (spec) => new RateLimiterRedis({ storeClient: client, keyPrefix: `${prefix}:${spec.name}`, points: spec.limit, duration: spec.windowSeconds });
  } else if (o.storage.dialect === 'postgres') {
    const pool = o.storage.pool;
    store = 'postgres';
    make = (spec) =>
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: TABLE,
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix: `${prefix}:${spec.name}`,
        points: spec.limit,
        duration: spec.windowSeconds,
      });
  } else {
    const database = preparedOnce(o.storage.database);
    store = 'sqlite';
    make = (spec) =>
      new RateLimiterSQLite({
        storeClient: database,
        storeType: 'better-sqlite3',
        tableName: TABLE,
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix: `${prefix}:${spec.name}`,
        points: spec.limit,
        duration: spec.windowSeconds,
      });
  }
  const limiters = new Map<string, RateLimiterStoreAbstract>();
  const limiter = (spec: CounterSpec) => {
    const id = `${spec.name}\0${spec.limit}\0${spec.windowSeconds}`;
    let l = limiters.get(id);
    if (!l) {
      if (limiters.size > 10_000) limiters.clear();
      limiters.set(id, (l = make(spec)));
    }
    return l;
  };
  const hashed = (key: string) => hash('sha256', key, 'base64url');

  // The SQL stores keep expired rows until they are swept (Redis expires its keys itself).
  let sweeper: ReturnType<typeof setInterval> | undefined;
  if (!redis) {
    const any = make({ name: 'sweep', limit: 1, windowSeconds: 1 }) as RateLimiterStoreAbstract & { clearExpired(before: number): Promise<void> };
    sweeper = setInterval(() => void any.clearExpired(Date.now() - 60_000).catch(() => undefined), SWEEP_MS);
    sweeper.unref();
  }

  // SQLite writes join the database's group commit; the other stores write at once.
  const grouped = store === 'sqlite' ? o.groupCommit : undefined;
  const group = grouped ?? (<T>(fn: () => Promise<T>) => fn());
  /** A counter's key as stored (as rate-limiter-flexible stores it: prefix, name, hash of the key). */
  const storedOf = (name: string, scope: string | undefined, value: string) => `${prefix}:${name}:${hashed(scope === undefined ? value : scopedKey(scope, value))}`;
  const local = grouped && o.storage.dialect === 'sqlite' ? new CounterJournal(journalStatements(o.storage.database), storedOf, grouped, o.journal) : undefined;
  const consumeAtOnce = local && ((spec: CounterSpec, scope: string, value: string, points = 1) => local.consumeIn(spec, scope, value, points));
  const consumeNow = async (spec: CounterSpec, key: string, points: number) => {
    try {
      return await limiter(spec).consume(hashed(key), points);
    } catch (e) {
      // Over the limit, rate-limiter-flexible rejects with the counter's state; anything else is a store failure.
      if (e instanceof RateLimiterRes) return e;
      throw e;
    }
  };

  /*
   * Consumes that arrive together are applied together: the points of every request that counts
   * against one key (the tenant's, the client's, the country's counter: the same key for every send
   * of a burst) are added in one store operation, and each request is told the total as it stood
   * after its own points. That is exactly what one operation per request, in that order, would have
   * answered, at one write per distinct key instead of one per request and rule. A batch goes to the
   * store after the current turn of the event loop (PostgreSQL and Redis: one round trip per distinct
   * key). SQLite with the group commit counts in `CounterJournal` instead.
   */
  interface Waiter {
    points: number;
    resolve: (s: CounterState) => void;
    reject: (e: unknown) => void;
  }
  type Pending = { spec: CounterSpec; key: string; waiters: Waiter[] };
  let pending = new Map<string, Pending>();
  let scheduled = false;
  const take = () => {
    const batch = [...pending.values()];
    pending = new Map();
    scheduled = false;
    return batch;
  };
  const answer = (p: Pending, r: RateLimiterRes) => {
    // The last waiter saw the total; each one before it, the total less the points that came after it.
    let consumed = r.consumedPoints;
    for (let i = p.waiters.length - 1; i >= 0; i--) {
      const w = p.waiters[i]!;
      w.resolve(counterState(p.spec, consumed, r.msBeforeNext));
      consumed -= w.points;
    }
  };
  const applyPending = async () => {
    const batch = take();
    const results = await Promise.all(batch.map((p) => consumeNow(p.spec, p.key, p.waiters.reduce((sum, w) => sum + w.points, 0)).then((r) => ({ r }), (e: unknown) => ({ e }))));
    results.forEach((x, i) => ('r' in x ? answer(batch[i]!, x.r) : batch[i]!.waiters.forEach((w) => w.reject(x.e))));
  };
  const consume = (spec: CounterSpec, key: string, points: number) =>
    new Promise<CounterState>((resolve, reject) => {
      const id = `${spec.name}\0${spec.limit}\0${spec.windowSeconds}\0${key}`;
      let p = pending.get(id);
      if (!p) pending.set(id, (p = { spec, key, waiters: [] }));
      p.waiters.push({ points, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => void applyPending());
      }
    });

  return {
    store,
    consume(spec, key, points = 1) {
      if (!local) return consume(spec, key, points);
      try {
        return Promise.resolve(local.consume(spec, key, points));
      } catch (e) {
        return Promise.reject(e as Error);
      }
    },
    ...(consumeAtOnce ? { consumeNow: consumeAtOnce } : {}),
    async reward(spec, key, points = 1) {
      if (local) return local.reward(spec, key, points);
      await group(async () => void (await limiter(spec).reward(hashed(key), points)));
    },
    async block(spec, key, seconds) {
      if (local) return local.block(spec, key, seconds);
      await group(async () => void (await limiter(spec).block(hashed(key), seconds)));
    },
    async get(spec, key) {
      if (local) return local.get(spec, key);
      const r = await limiter(spec).get(hashed(key));
      return r ? counterState(spec, r.consumedPoints, r.msBeforeNext) : undefined;
    },
    async delete(spec, key) {
      if (local) return local.delete(spec, key);
      await group(async () => void (await limiter(spec).delete(hashed(key))));
    },
    async close() {
      if (sweeper) clearInterval(sweeper);
      local?.close();
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
