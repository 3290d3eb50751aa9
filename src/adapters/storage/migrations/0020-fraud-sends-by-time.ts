import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * On the embedded database, `phone_fraud_sends` is kept in time order: a table without row ids whose
 * key is (`created_at`, `id`). Everything SQLite reads of it reads by time (the recipients sent to
 * since a moment, the pruning), and a send's row lands at the end of the one tree. Before, each send
 * wrote three: the table, the index of its text key `id`, and the index by age, each a page the
 * commit wrote out. PostgreSQL, whose processes read the table by recipient, keeps its shape.
 */
export function fraudSendsByTime(dialect: 'sqlite' | 'postgres'): Migration {
  if (dialect !== 'sqlite') return { up: async () => undefined };
  return {
    async up(db: Kysely<unknown>) {
      await rebuild(db, true);
    },
    async down(db: Kysely<unknown>) {
      await rebuild(db, false);
      await db.schema.createIndex('phone_fraud_sends_age').on('phone_fraud_sends').columns(['created_at']).execute();
    },
  };
}

/** The sends copied into a table of the other shape (in time order, or keyed by `id` with row ids), which takes the name. */
async function rebuild(db: Kysely<unknown>, byTime: boolean): Promise<void> {
  const columns = 'id, tenant_id, otp_id, prefix, country, recipient, created_at';
  let t = db.schema
    .createTable('phone_fraud_sends_next')
    .addColumn('id', 'text', (c) => (byTime ? c.notNull() : c.primaryKey()))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('otp_id', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull());
  if (byTime) t = t.addPrimaryKeyConstraint('phone_fraud_sends_pk', ['created_at', 'id']).modifyEnd(sql`without rowid`);
  await t.execute();
  await sql`insert into phone_fraud_sends_next (${sql.raw(columns)}) select ${sql.raw(columns)} from phone_fraud_sends`.execute(db);
  await db.schema.dropTable('phone_fraud_sends').execute();
  await db.schema.alterTable('phone_fraud_sends_next').renameTo('phone_fraud_sends').execute();
}
