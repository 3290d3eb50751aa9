import type { Kysely } from 'kysely';
import type { VelocityPolicy } from '../../domain/abuse/velocity-policy.js';
import type { VelocityPolicyRepository } from '../../domain/abuse/velocity-ports.js';
import { lockKey } from './features.js';
import { json, text } from './json.js';
import type { Database } from './schema.js';

export function velocityPolicyRepository(db: Kysely<Database>): VelocityPolicyRepository {
  const get = async (tenantId: string) => {
    const r = await db.selectFrom('phone_velocity_policies').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    return r ? { policy: json<VelocityPolicy>(r.policy), updatedAt: r.updated_at } : undefined;
  };
  return {
    get,
    async lock(tenantId) {
      // The row may not exist yet: a key lock serialises the first write as well.
      await lockKey(db, `phone_velocity_policy:${tenantId}`);
      return get(tenantId);
    },
    async put(tenantId, r) {
      const row = { policy: text(r.policy), updated_at: r.updatedAt };
      await db
        .insertInto('phone_velocity_policies')
        .values({ tenant_id: tenantId, ...row })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet(row))
        .execute();
    },
  };
}
