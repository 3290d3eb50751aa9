import type { Kysely } from 'kysely';
import type { RecoveryCodeRepository } from '../../domain/auth/mfa-ports.js';
import type { Database } from './schema.js';

/** One MFA recovery code per user, stored only as a keyed hash (`recovery_codes`). */
export function recoveryCodeRepository(db: Kysely<Database>): RecoveryCodeRepository {
  return {
    async get(tenantId, userId) {
      const r = await db
        .selectFrom('recovery_codes')
        .select(['code_hash', 'created_at'])
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r ? { codeHash: r.code_hash, createdAt: r.created_at } : undefined;
    },
    async put(tenantId, userId, codeHash, now) {
      await db
        .insertInto('recovery_codes')
        .values({ tenant_id: tenantId, user_id: userId, code_hash: codeHash, created_at: now })
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ code_hash: codeHash, created_at: now }))
        .execute();
    },
    async swap(tenantId, userId, from, to, now) {
      const r = await db
        .updateTable('recovery_codes')
        .set({ code_hash: to, created_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('code_hash', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async delete(tenantId, userId) {
      const r = await db.deleteFrom('recovery_codes').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
