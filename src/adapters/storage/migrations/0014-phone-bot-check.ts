import type { Kysely } from 'kysely';

/**
 * The bot check (docs/abuse.md, "Bot check"): `phone_bot_check_settings`, one row per tenant that
 * set it — the settings as JSON, the CAPTCHA provider's secret key sealed (purpose
 * `phone_bot_check_secret`), `updated_at`. No row: the check is off.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('phone_bot_check_settings')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('phone_bot_check_settings').execute();
}
