import { sql, type Kysely, type Selectable } from 'kysely';
import type { LoginFailureRecord, LoginFailureRepository } from '../../domain/auth/ports.js';
import type { LoginFailuresTable } from './auth-tables.js';
import { preparedQuery } from './compiled-queries.js';
import { FailedUsers } from './login-failure-memo.js';
import type { Database } from './schema.js';
import { groupCommitFor } from './write-batcher.js';

const toRecord = (r: Selectable<LoginFailuresTable>): LoginFailureRecord => ({
  userId: r.user_id,
  ip: r.ip,
  count: Number(r.count),
  blockedAt: r.blocked_at,
  updatedAt: r.updated_at,
});

/**
 * Failed logins per (user, IP). `increment` is one upsert (`INSERT … ON CONFLICT DO UPDATE …
 * RETURNING`, on SQLite ≥ 3.35 and PostgreSQL alike), so concurrent failures each count once and
 * each caller sees a distinct count: exactly one of them sees the threshold.
 */
export function loginFailureRepository(db: Kysely<Database>): LoginFailureRepository {
  /** The user's rows (every IP, and the breach marker). */
  const rowsOf = (tenantId: string, userId: string) => db.selectFrom('login_failures').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId);
  // The embedded database (one process owns the file): the users that may have rows, in the process.
  const failed = groupCommitFor(db) ? new FailedUsers(db) : undefined;
  // Read on every login (the gate before it, the reset after a right password or code): built once per dialect.
  const get = async (tenantId: string, userId: string, ip: string) => {
    if (failed?.hasNone(tenantId, userId)) return undefined;
    const { rows } = await preparedQuery(db, 'loginFailures.get', { tenantId, userId, ip }, (q, p) =>
      q.selectFrom('login_failures').selectAll().where('tenant_id', '=', p.tenantId).where('user_id', '=', p.userId).where('ip', '=', p.ip),
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  };
  return {
    async increment(tenantId, userId, ip, now) {
      failed?.mayHave(tenantId, userId);
      const r = await db
        .insertInto('login_failures')
        .values({ tenant_id: tenantId, user_id: userId, ip, count: 1, blocked_at: null, updated_at: now })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'user_id', 'ip']).doUpdateSet({ count: sql<number>`login_failures.count + 1`, updated_at: now }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(r);
    },
    async markBlocked(tenantId, userId, ip, now) {
      const r = await db
        .updateTable('login_failures')
        .set({ blocked_at: now, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('ip', '=', ip)
        .where('blocked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    get,
    async listBlocked(tenantId, userId) {
      const rows = await rowsOf(tenantId, userId).where('blocked_at', 'is not', null).orderBy('blocked_at').orderBy('ip').execute();
      return rows.map(toRecord);
    },
    async clearUnlessBlocked(tenantId, userId, ip) {
      // A read first: most right passwords come with no failures recorded, and then nothing is written.
      const row = await get(tenantId, userId, ip);
      if (!row) return false;
      if (row.blockedAt) return true;
      const r = await db
        .deleteFrom('login_failures')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('ip', '=', ip)
        .where('blocked_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) > 0) return false;
      // Blocked between the read and the delete, or cleared by another login meanwhile.
      return (await get(tenantId, userId, ip))?.blockedAt != null;
    },
    async clear(tenantId, userId, ip) {
      let q = db.deleteFrom('login_failures').where('tenant_id', '=', tenantId).where('user_id', '=', userId);
      if (ip !== undefined) q = q.where('ip', '=', ip);
      const r = await q.executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
