import { MANAGEMENT_SCOPES, type ManagementScope } from '../scopes.js';
import type { OperatorRecord, OperatorRole } from './ports.js';

/** A viewer's tokens carry the `read:` scopes only, so every write route refuses them (403). */
export function scopesForRole(role: OperatorRole): ManagementScope[] {
  return role === 'admin' ? [...MANAGEMENT_SCOPES] : MANAGEMENT_SCOPES.filter((s) => s.startsWith('read:'));
}

export function mayManage(op: Pick<OperatorRecord, 'tenants'>, tenantName: string): boolean {
  return op.tenants === '*' || op.tenants.includes(tenantName);
}

export const isOperatorRole = (v: string): v is OperatorRole => v === 'admin' || v === 'viewer';
