import type { DialectName } from './db.js';

/** What a dialect can do that the portable SQL cannot express; the only dialect switch repositories see. */
export interface DialectFeatures {
  /** `SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL). SQLite has one writer at a time and needs none. */
  skipLocked: boolean;
}

export function featuresOf(dialect: DialectName): DialectFeatures {
  return { skipLocked: dialect === 'postgres' };
}
