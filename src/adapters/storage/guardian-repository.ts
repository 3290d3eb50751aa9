import type { Kysely } from 'kysely';
import type { GuardianRepository, GuardianSettingsRecord } from '../../domain/ports.js';
import { json, text } from './json.js';
import type { Database } from './schema.js';

export function guardianRepository(db: Kysely<Database>): GuardianRepository {
  return {
    async get(tenantId) {
      const r = await db.selectFrom('guardian_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      if (!r) return undefined;
      return {
        factors: json(r.factors),
        messageTypes: json(r.message_types),
        policies: json(r.policies),
        selectedProvider: r.selected_provider as GuardianSettingsRecord['selectedProvider'],
        twilio: json(r.twilio_config),
        twilioAuthTokenSealed: r.twilio_auth_token_sealed,
        enrollmentMessage: r.enrollment_message,
        verificationMessage: r.verification_message,
        updatedAt: r.updated_at,
      };
    },
    async put(tenantId, s) {
      const row = {
        factors: text(s.factors),
        message_types: text(s.messageTypes),
        policies: text(s.policies),
        selected_provider: s.selectedProvider,
        twilio_config: text(s.twilio),
        twilio_auth_token_sealed: s.twilioAuthTokenSealed,
        enrollment_message: s.enrollmentMessage,
        verification_message: s.verificationMessage,
        updated_at: s.updatedAt,
      };
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
