import type { Kysely, Selectable } from 'kysely';
import type { EnrollmentRecord, EnrollmentRepository } from '../../domain/auth/mfa-ports.js';
import type { MfaEnrollmentsTable } from './auth-tables.js';
import type { Database } from './schema.js';

const toEnrollment = (r: Selectable<MfaEnrollmentsTable>): EnrollmentRecord => ({
  id: r.id,
  userId: r.user_id,
  type: 'phone',
  phoneNumber: r.phone_number ?? '',
  preferredMethod: r.preferred_method === 'voice' ? 'voice' : 'sms',
  status: r.status === 'confirmed' ? 'confirmed' : 'pending',
  createdAt: r.created_at,
  confirmedAt: r.confirmed_at,
  lastAuth: r.last_auth,
});

/** MFA phone enrollments (`mfa_enrollments`). */
export function enrollmentRepository(db: Kysely<Database>): EnrollmentRepository {
  return {
    async insert(tenantId, e) {
      await db
        .insertInto('mfa_enrollments')
        .values({
          id: e.id,
          tenant_id: tenantId,
          user_id: e.userId,
          type: e.type,
          phone_number: e.phoneNumber,
          preferred_method: e.preferredMethod,
          status: e.status,
          created_at: e.createdAt,
          confirmed_at: e.confirmedAt,
          last_auth: e.lastAuth,
        })
        .execute();
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('mfa_enrollments').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r ? toEnrollment(r) : undefined;
    },
    async listForUser(tenantId, userId) {
      const rows = await db
        .selectFrom('mfa_enrollments')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toEnrollment);
    },
    async confirm(tenantId, id, now) {
      const r = await db
        .updateTable('mfa_enrollments')
        .set({ status: 'confirmed', confirmed_at: now, last_auth: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async touch(tenantId, id, now) {
      await db.updateTable('mfa_enrollments').set({ last_auth: now }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
    async delete(tenantId, userId, id) {
      const r = await db.deleteFrom('mfa_enrollments').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async deletePending(tenantId, userId) {
      const r = await db
        .deleteFrom('mfa_enrollments')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async deleteById(tenantId, id) {
      const r = await db.deleteFrom('mfa_enrollments').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async deleteForUser(tenantId, userId) {
      const r = await db.deleteFrom('mfa_enrollments').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
