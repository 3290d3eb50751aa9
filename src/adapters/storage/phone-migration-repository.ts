import type { Kysely } from 'kysely';
import type { PhoneMigrationRepository } from '../../domain/migration/ports.js';
import { isUniqueViolation, json, text } from './json.js';
import type { Database } from './schema.js';

export function phoneMigrationRepository(db: Kysely<Database>): PhoneMigrationRepository {
  return {
    async get(tenantId) {
      const r = await db.selectFrom('phone_migrations').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      return r ? { planHash: r.plan_hash, snapshotSealed: r.snapshot_sealed, created: json(r.created), appliedAt: r.applied_at } : undefined;
    },
    async insert(tenantId, m) {
      try {
        await db
          .insertInto('phone_migrations')
          .values({ tenant_id: tenantId, plan_hash: m.planHash, snapshot_sealed: m.snapshotSealed, created: text(m.created), applied_at: m.appliedAt })
          .execute();
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    },
    async delete(tenantId) {
      const r = await db.deleteFrom('phone_migrations').where('tenant_id', '=', tenantId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async listSealed() {
      const rows = await db.selectFrom('phone_migrations').select(['tenant_id', 'snapshot_sealed']).execute();
      return rows.map((r) => ({ tenantId: r.tenant_id, sealed: r.snapshot_sealed }));
    },
    async updateSealed(tenantId, from, to) {
      const r = await db.updateTable('phone_migrations').set({ snapshot_sealed: to }).where('tenant_id', '=', tenantId).where('snapshot_sealed', '=', from).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
