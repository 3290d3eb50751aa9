import { sql, type Kysely } from 'kysely';

/**
 * A code's fraud record moves onto the code's own row. `otp_codes.fraud_prefix` and `fraud_country`
 * say that the fraud guard counted the code's send, and where to (its destination prefix and
 * country); the send's minute is the code's `created_at`. A verified code then counts as converted
 * from the row the login read anyway. Before, the verify looked its send up in `phone_fraud_sends`
 * by code (an index every send wrote) and set `verified_at` there.
 *
 * `phone_fraud_sends` keeps one row per send, for the recipients the burst rule counts. Its index by
 * code and its `verified_at` column go. Codes that can still be verified (not consumed) get their
 * send's prefix and country here; the others' conversions are counted already or never will be.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One column per statement: SQLite adds one at a time.
  await db.schema.alterTable('otp_codes').addColumn('fraud_prefix', 'text').execute();
  await db.schema.alterTable('otp_codes').addColumn('fraud_country', 'text').execute();
  await sql`
    update otp_codes
    set fraud_prefix = (select s.prefix from phone_fraud_sends s where s.tenant_id = otp_codes.tenant_id and s.otp_id = otp_codes.id),
        fraud_country = (select s.country from phone_fraud_sends s where s.tenant_id = otp_codes.tenant_id and s.otp_id = otp_codes.id)
    where consumed_at is null
      and exists (select 1 from phone_fraud_sends s where s.tenant_id = otp_codes.tenant_id and s.otp_id = otp_codes.id and s.verified_at is null)`.execute(db);
  await db.schema.dropIndex('phone_fraud_sends_otp').execute();
  await db.schema.alterTable('phone_fraud_sends').dropColumn('verified_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('phone_fraud_sends').addColumn('verified_at', 'text').execute();
  await db.schema.createIndex('phone_fraud_sends_otp').on('phone_fraud_sends').columns(['tenant_id', 'otp_id']).execute();
  await db.schema.alterTable('otp_codes').dropColumn('fraud_country').execute();
  await db.schema.alterTable('otp_codes').dropColumn('fraud_prefix').execute();
}
