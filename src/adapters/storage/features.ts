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
