import type { Kysely } from 'kysely';

/**
 * The shared counters of the velocity limits and of the brute-force gate (`rate_limits`, in the
 * layout rate-limiter-flexible's PostgreSQL and SQLite stores use: key, points, expiry in epoch ms;
 * created here so that no process creates it concurrently at start), and one row per tenant that set
 * its velocity limits (`phone_velocity_policies`, the policy as one JSON value; docs/abuse.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
  await db.schema.createIndex('rate_limits_expire').on('rate_limits').column('expire').execute();
  await db.schema
    .createTable('phone_velocity_policies')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('phone_velocity_policies').execute();
  await db.schema.dropTable('rate_limits').execute();
}
