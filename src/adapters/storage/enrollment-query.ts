import type { Kysely } from 'kysely';
import { enrollmentRepository } from './enrollment-repository.js';
import type { Database } from './schema.js';

/** An MFA enrollment as the Management API reads it (rows are written by the MFA flows). */
export interface EnrollmentView {
  id: string;
  userId: string;
  type: string;
  phoneNumber: string | null;
  preferredMethod: string | null;
  status: string;
  createdAt: string;
  confirmedAt: string | null;
  lastAuth: string | null;
}

/**
 * Read and delete access to `mfa_enrollments` for the Management API. The MFA flows own every other
 * write (creation, confirmation, `last_auth`); this side never inserts or updates a row.
 */
export interface EnrollmentQuery {
  listForUser(tenantId: string, userId: string): Promise<EnrollmentView[]>;
  get(tenantId: string, id: string): Promise<EnrollmentView | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Every enrollment of a user (user deletion). Returns how many rows went. */
  deleteForUser(tenantId: string, userId: string): Promise<number>;
}

export function enrollmentQuery(db: Kysely<Database>): EnrollmentQuery {
  // Reads are the MFA flows' own repository's; only the Management API's deletes are added here.
  const enrollments = enrollmentRepository(db);
  return {
    listForUser: (tenantId, userId) => enrollments.listForUser(tenantId, userId),
    get: (tenantId, id) => enrollments.get(tenantId, id),
    async delete(tenantId, id) {
      const r = await db.deleteFrom('mfa_enrollments').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async deleteForUser(tenantId, userId) {
      const r = await db.deleteFrom('mfa_enrollments').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
