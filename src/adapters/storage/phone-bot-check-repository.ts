import type { Kysely } from 'kysely';
import type { PhoneBotCheckRepository } from '../../domain/abuse/phone-bot-check-ports.js';
import type { PhoneBotCheckSettings } from '../../domain/abuse/phone-bot-check.js';
import { json, text } from './json.js';
import type { Database } from './schema.js';

export function phoneBotCheckRepository(db: Kysely<Database>): PhoneBotCheckRepository {
  return {
    async get(tenantId) {
      const r = await db.selectFrom('phone_bot_check_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      return r ? { settings: json<PhoneBotCheckSettings>(r.settings), secretSealed: r.secret_sealed, updatedAt: r.updated_at } : undefined;
    },
    async put(tenantId, record) {
      const row = { settings: text(record.settings), secret_sealed: record.secretSealed, updated_at: record.updatedAt };
      await db
        .insertInto('phone_bot_check_settings')
        .values({ tenant_id: tenantId, ...row })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet(row))
        .execute();
    },
    async listSealed() {
      const rows = await db.selectFrom('phone_bot_check_settings').select(['tenant_id', 'secret_sealed']).where('secret_sealed', 'is not', null).execute();
      return rows.map((r) => ({ tenantId: r.tenant_id, sealed: r.secret_sealed! }));
    },
    async updateSealed(tenantId, from, to) {
      const r = await db.updateTable('phone_bot_check_settings').set({ secret_sealed: to }).where('tenant_id', '=', tenantId).where('secret_sealed', '=', from).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
