import type { Kysely } from 'kysely';

/**
 * The embedded database's counters become a journal (`adapters/rate-limits/counter-journal.ts`): the
 * process holds the live counters and appends what changed, one row per key and group commit; the
 * rows are read back, in insertion order, at start. No index by key: nothing reads it by key, and a
 * key's index is what made every new key (a recipient, an address) a write at a random page. The
 * index by expiry serves the sweep of expired rows. PostgreSQL and Redis keep rate-limiter-flexible's
 * layout (`rate_limits`); the table is created on both dialects so that the schema is one. The
 * server moves the live rows of `rate_limits` into the journal at its first start on SQLite.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limit_journal')
    .addColumn('key', 'varchar(255)', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull())
    .addColumn('expire', 'bigint')
    .addColumn('kind', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limit_journal_expire').on('rate_limit_journal').column('expire').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limit_journal').execute();
}
