import type { Kysely } from 'kysely';

/**
 * Since migration 0015 the fraud guard sums `phone_fraud_minutes`; nothing reads `phone_fraud_sends`
 * by prefix or by country any more. Its two indexes on them only cost every code sent two more index
 * writes. What still reads the table has its own index: a verified code by its otp id, "was this
 * number sent to lately?" by the recipient, and the pruning by age.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('phone_fraud_sends_prefix').execute();
  await db.schema.dropIndex('phone_fraud_sends_country').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('phone_fraud_sends_prefix').on('phone_fraud_sends').columns(['tenant_id', 'prefix', 'created_at']).execute();
  await db.schema.createIndex('phone_fraud_sends_country').on('phone_fraud_sends').columns(['tenant_id', 'country', 'created_at']).execute();
}
