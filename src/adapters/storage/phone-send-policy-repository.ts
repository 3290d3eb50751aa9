import type { Kysely } from 'kysely';
import type { PhoneSendPolicy } from '../../domain/abuse/phone-send-policy.js';
import type { PhoneSendPolicyRepository } from '../../domain/abuse/ports.js';
import { lockKey } from './features.js';
import { json, text } from './json.js';
import type { Database } from './schema.js';

export function phoneSendPolicyRepository(db: Kysely<Database>): PhoneSendPolicyRepository {
  const get = async (tenantId: string) => {
    const r = await db.selectFrom('phone_send_policies').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    return r ? { policy: json<PhoneSendPolicy>(r.policy), updatedAt: r.updated_at } : undefined;
  };
  return {
    get,
    async lock(tenantId) {
      // The row may not exist yet: a key lock serialises the first write as well.
      await lockKey(db, `phone_send_policy:${tenantId}`);
      return get(tenantId);
    },
    async put(tenantId, r) {
      const row = { policy: text(r.policy), updated_at: r.updatedAt };
      await db
        .insertInto('phone_send_policies')
        .values({ tenant_id: tenantId, ...row })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet(row))
        .execute();
    },
  };
}
