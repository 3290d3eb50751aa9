import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * On the embedded database the fraud guard answers "was this number sent to lately?" from the
 * recent sends it holds in the process (`FraudTrafficMemo`), loaded through the index by age: nothing
 * reads `phone_fraud_sends` by recipient there any more. Its index by recipient only cost every code
 * sent an index write at a random page (numbers come in no order), measured at about 30 µs of CPU per
 * code in commits of 17 (docs/performance.md, "Fifth pass"). PostgreSQL, where every process reads the
 * table, keeps it: this migration changes nothing there. The one schema difference between the two.
 */
export function fraudSendsRecipientIndex(dialect: 'sqlite' | 'postgres'): Migration {
  if (dialect !== 'sqlite') return { up: async () => undefined };
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('phone_fraud_sends_recipient').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.createIndex('phone_fraud_sends_recipient').on('phone_fraud_sends').columns(['tenant_id', 'recipient', 'created_at']).execute();
    },
  };
}
