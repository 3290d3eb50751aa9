import type { Kysely } from 'kysely';

/**
 * Refresh tokens by user: a password change revokes them all, deleting a connection deletes its
 * users' tokens. Without the index both scanned every token of every tenant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('refresh_tokens_user').on('refresh_tokens').columns(['tenant_id', 'user_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('refresh_tokens_user').ifExists().execute();
}
