import { sql, type Kysely } from 'kysely';

/**
 * The fraud guard's traffic per minute (docs/abuse.md, "Fraud guard"): `phone_fraud_minutes` holds,
 * per tenant, destination prefix and UTC minute (`2026-12-04T20:41`), the codes sent, how many of
 * them were later verified, and how many went to a number that had no send in the burst window
 * before (`numbers`, the burst rule's distinct numbers). The rules sum at most a window's minutes
 * instead of counting every send, so judging a send costs the same for a quiet prefix and for one
 * that takes thousands of codes an hour. `phone_fraud_sends` keeps one row per code (the link from a
 * verified code to its minute, and the question "was this number sent to lately?", answered by the
 * new index on the recipient). Existing sends are summed into their minutes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('phone_fraud_minutes')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('minute', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('sends', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('numbers', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('phone_fraud_minutes_pk', ['tenant_id', 'prefix', 'minute'])
    .execute();
  await db.schema.createIndex('phone_fraud_minutes_country').on('phone_fraud_minutes').columns(['tenant_id', 'country', 'minute']).execute();
  await db.schema.createIndex('phone_fraud_minutes_age').on('phone_fraud_minutes').columns(['minute']).execute();
  await db.schema.createIndex('phone_fraud_sends_recipient').on('phone_fraud_sends').columns(['tenant_id', 'recipient', 'created_at']).execute();
  await sql`
    insert into phone_fraud_minutes (tenant_id, prefix, minute, country, sends, verified, numbers)
    select tenant_id, prefix, substr(created_at, 1, 16), min(country), count(*),
           sum(case when verified_at is not null then 1 else 0 end), count(distinct recipient)
    from phone_fraud_sends
    group by tenant_id, prefix, substr(created_at, 1, 16)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('phone_fraud_sends_recipient').execute();
  await db.schema.dropTable('phone_fraud_minutes').execute();
}
