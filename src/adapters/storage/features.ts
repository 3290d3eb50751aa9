import { sql, SqliteAdapter, type Kysely } from 'kysely';
import type { DialectName } from './db.js';

/** What a dialect can do that the portable SQL cannot express; the only dialect switch repositories see. */
export interface DialectFeatures {
  /** `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL). SQLite has one writer at a time and needs none. */
  skipLocked: boolean;
  /**
   * Batch concurrent hot-path writes into one transaction (SQLite: one writer, and a commit costs far
   * more than a row). PostgreSQL keeps one transaction per write: its pool runs them in parallel.
   */
  groupCommit: boolean;
  /**
   * `SELECT ... FOR UPDATE` (PostgreSQL): a read-modify-write in a transaction locks its row. SQLite
   * needs none: a transaction holds the one connection, so transactions never interleave.
   */
  rowLocks: boolean;
}

export function featuresOf(dialect: DialectName): DialectFeatures {
  return { skipLocked: dialect === 'postgres', groupCommit: dialect === 'sqlite', rowLocks: dialect === 'postgres' };
}

/** The features of the dialect behind a handle (or transaction). */
export function featuresFor<DB>(db: Kysely<DB>): DialectFeatures {
  return featuresOf(db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres');
}

/**
 * `query` reading rows to be changed in the same transaction: `FOR UPDATE` where the dialect has row
 * locks (PostgreSQL: the rows stay locked until `trx` ends); as it is on SQLite, where a transaction
 * holds the one writer.
 */
export function forUpdate<DB, Q extends { forUpdate(): Q }>(trx: Kysely<DB>, query: Q): Q {
  return featuresFor(trx).rowLocks ? query.forUpdate() : query;
}

/**
 * Serialises, until `trx` ends, the transactions that lock the same `key`: on PostgreSQL a
 * transaction-scoped advisory lock; SQLite needs none (a transaction holds the one writer).
 */
export async function lockKey<DB>(trx: Kysely<DB>, key: string): Promise<void> {
  if (featuresFor(trx).rowLocks) await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}
