import type { Kysely } from 'kysely';

/**
 * One row per tenant that set a phone send policy (`/api/v2/attack-protection/phone-send-policy`):
 * the policy as one JSON value. A tenant without a row has the defaults (docs/abuse.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('phone_send_policies')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('phone_send_policies').execute();
}
