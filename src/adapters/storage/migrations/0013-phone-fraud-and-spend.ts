import type { Kysely } from 'kysely';

/**
 * The fraud guard and the spend caps (docs/abuse.md, "Fraud guard" and "Spend caps"):
 * - `phone_fraud_sends`: every one-time code sent through a provider, with its destination prefix and
 *   country and, once its code is verified, when (the conversion the rules read). Kept 8 days.
 * - `phone_fraud_quarantines`: each quarantine of a prefix with the rule that fired and its evidence;
 *   a release or the end of the cooling period ends it, the row stays as the record.
 * - `phone_fraud_safe_prefixes`: prefixes the operator vouches for (never quarantined).
 * - `phone_fraud_settings`, `phone_spend_settings`: a tenant's settings as one JSON value (no row: defaults).
 * - `phone_spend_totals`: money spent per tenant and UTC day (`2026-12-04`) or month (`2026-12`), in
 *   micro-units of the price table's currency.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('phone_fraud_sends')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('otp_id', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text')
    .execute();
  await db.schema.createIndex('phone_fraud_sends_prefix').on('phone_fraud_sends').columns(['tenant_id', 'prefix', 'created_at']).execute();
  await db.schema.createIndex('phone_fraud_sends_country').on('phone_fraud_sends').columns(['tenant_id', 'country', 'created_at']).execute();
  await db.schema.createIndex('phone_fraud_sends_otp').on('phone_fraud_sends').columns(['tenant_id', 'otp_id']).execute();
  await db.schema.createIndex('phone_fraud_sends_age').on('phone_fraud_sends').columns(['created_at']).execute();

  await db.schema
    .createTable('phone_fraud_quarantines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('blocked_sends', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('until', 'text', (c) => c.notNull())
    .addColumn('released_at', 'text')
    .execute();
  await db.schema.createIndex('phone_fraud_quarantines_prefix').on('phone_fraud_quarantines').columns(['tenant_id', 'prefix', 'created_at']).execute();
  await db.schema.createIndex('phone_fraud_quarantines_list').on('phone_fraud_quarantines').columns(['tenant_id', 'created_at']).execute();

  await db.schema
    .createTable('phone_fraud_safe_prefixes')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('phone_fraud_safe_prefixes_pk', ['tenant_id', 'prefix'])
    .execute();

  for (const table of ['phone_fraud_settings', 'phone_spend_settings']) {
    await db.schema
      .createTable(table)
      .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  }

  await db.schema
    .createTable('phone_spend_totals')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('phone_spend_totals_pk', ['tenant_id', 'period'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['phone_spend_totals', 'phone_spend_settings', 'phone_fraud_settings', 'phone_fraud_safe_prefixes', 'phone_fraud_quarantines', 'phone_fraud_sends']) {
    await db.schema.dropTable(t).execute();
  }
}
