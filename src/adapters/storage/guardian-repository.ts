import type { Kysely, Selectable } from 'kysely';
import type { GuardianRepository, GuardianSettingsRecord } from '../../domain/ports.js';
import { forUpdate } from './features.js';
import { json, text } from './json.js';
import type { Database } from './schema.js';

const toRecord = (r: Selectable<Database['guardian_settings']>): GuardianSettingsRecord => ({
  factors: json(r.factors),
  messageTypes: json(r.message_types),
  policies: json(r.policies),
  selectedProvider: r.selected_provider as GuardianSettingsRecord['selectedProvider'],
  twilio: json(r.twilio_config),
  twilioAuthTokenSealed: r.twilio_auth_token_sealed,
  enrollmentMessage: r.enrollment_message,
  verificationMessage: r.verification_message,
  updatedAt: r.updated_at,
});

const toRow = (s: GuardianSettingsRecord) => ({
  factors: text(s.factors),
  message_types: text(s.messageTypes),
  policies: text(s.policies),
  selected_provider: s.selectedProvider,
  twilio_config: text(s.twilio),
  twilio_auth_token_sealed: s.twilioAuthTokenSealed,
  enrollment_message: s.enrollmentMessage,
  verification_message: s.verificationMessage,
  updated_at: s.updatedAt,
});

export function guardianRepository(db: Kysely<Database>): GuardianRepository {
  const select = () => db.selectFrom('guardian_settings').selectAll();
  return {
    async get(tenantId) {
      const r = await select().where('tenant_id', '=', tenantId).executeTakeFirst();
      return r ? toRecord(r) : undefined;
    },
    async lock(tenantId, defaults) {
      await db
        .insertInto('guardian_settings')
        .values({ tenant_id: tenantId, ...toRow(defaults) })
        .onConflict((oc) => oc.column('tenant_id').doNothing())
        .execute();
      return toRecord(await forUpdate(db, select().where('tenant_id', '=', tenantId)).executeTakeFirstOrThrow());
    },
    async put(tenantId, s) {
      const row = toRow(s);
      await db
        .insertInto('guardian_settings')
        .values({ tenant_id: tenantId, ...row })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet(row))
        .execute();
    },
    async listSealed() {
      const rows = await db
        .selectFrom('guardian_settings')
        .select(['tenant_id', 'twilio_auth_token_sealed'])
        .where('twilio_auth_token_sealed', 'is not', null)
        .execute();
      return rows.map((r) => ({ tenantId: r.tenant_id, sealed: r.twilio_auth_token_sealed! }));
    },
    async updateSealed(tenantId, from, to) {
      const r = await db
        .updateTable('guardian_settings')
        .set({ twilio_auth_token_sealed: to })
        .where('tenant_id', '=', tenantId)
        .where('twilio_auth_token_sealed', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
