import type { Kysely } from 'kysely';

/**
 * One row per tenant migrated to the Unified Phone Experience by `POST /api/v2/phone-migration`: the
 * sealed snapshot of the legacy configuration it replaced and what it created, for the rollback.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('phone_migrations')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('plan_hash', 'text', (c) => c.notNull())
    .addColumn('snapshot_sealed', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('phone_migrations').execute();
}
