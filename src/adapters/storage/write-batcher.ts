import type { Kysely } from 'kysely';
import { featuresFor } from './features.js';
import type { Database } from './schema.js';

interface Pending {
  fn: (trx: Kysely<Database>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for SQLite: writes that arrive while the event loop is busy are applied in one
 * transaction, so a burst of N notifications costs one WAL commit instead of N. Every caller still
 * gets its promise only after its write is committed (nothing is acknowledged before it is durable).
 * If the shared transaction fails, each write is retried alone, so one bad write cannot fail the others.
 */
export class WriteBatcher {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBatch = 256,
  ) {}

  run<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.db.transaction().execute(async (trx) => {
          const out: unknown[] = [];
          for (const item of batch) out.push(await item.fn(trx));
          return out;
        });
        batch.forEach((item, i) => item.resolve(results[i]));
      } catch {
        for (const item of batch) {
          try {
            item.resolve(await this.db.transaction().execute((trx) => item.fn(trx)));
          } catch (e) {
            item.reject(e);
          }
        }
      }
    }
    this.scheduled = false;
  }
}

const shared = new WeakMap<Kysely<Database>, WriteBatcher>();

/**
 * The one group-commit queue of a database handle where its dialect wants group commit
 * (DialectFeatures.groupCommit: SQLite); undefined on PostgreSQL and inside a transaction, where
 * writes go straight to the database. Every repository of the handle shares it, so the writes of a
 * login (the code consumed, the user created, the login recorded) commit together with everyone else's.
 */
export function groupCommitFor(db: Kysely<Database>): WriteBatcher | undefined {
  if (db.isTransaction || !featuresFor(db).groupCommit) return undefined;
  let b = shared.get(db);
  if (!b) shared.set(db, (b = new WriteBatcher(db)));
  return b;
}

/** Runs a single-statement write through the handle's group commit, or directly on `db` where there is none. */
export function groupWrite<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  const b = groupCommitFor(db);
  return b ? b.run(fn) : fn(db);
}

/**
 * Runs several writes as one unit: in the handle's group commit (its shared transaction), else in
 * the transaction `db` already is, else in a transaction of their own.
 */
export function groupTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return groupWrite(db, (trx) => (trx.isTransaction ? fn(trx) : trx.transaction().execute(fn)));
}
