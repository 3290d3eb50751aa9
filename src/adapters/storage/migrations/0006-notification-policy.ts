import type { Kysely } from 'kysely';

/** The send policy's decisions on each notification (JSON text; null on rows written before it). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('policy', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notifications').dropColumn('policy').execute();
}
