import type { TenantRecord } from '../ports.js';
import type { EnrollmentRecord, EnrollmentRepository } from './mfa-ports.js';

/**
 * The Management API's side of MFA enrollments: read and delete (users' authentication methods,
 * Guardian enrollments). The MFA flows own every other write (creation, confirmation, `last_auth`).
 */
export class EnrollmentAdmin {
  constructor(private readonly repo: Pick<EnrollmentRepository, 'listForUser' | 'get' | 'deleteById'>) {}

  listForUser(tenant: TenantRecord, userId: string): Promise<EnrollmentRecord[]> {
    return this.repo.listForUser(tenant.id, userId);
  }

  get(tenant: TenantRecord, id: string): Promise<EnrollmentRecord | undefined> {
    return this.repo.get(tenant.id, id);
  }

  delete(tenant: TenantRecord, id: string): Promise<boolean> {
    return this.repo.deleteById(tenant.id, id);
  }
}
