import type { VelocityPolicy } from './velocity-policy.js';

/** A tenant's stored velocity limits (tenants that never set them have none: the defaults apply). */
export interface VelocityPolicyRecord {
  policy: VelocityPolicy;
  updatedAt: string;
}

export interface VelocityPolicyRepository {
  /** Read on every send: served through the read cache. */
  get(tenantId: string): Promise<VelocityPolicyRecord | undefined>;
  /** In a transaction: serialises the read-modify-writes of one tenant's limits until it ends, and reads them. */
  lock(tenantId: string): Promise<VelocityPolicyRecord | undefined>;
  put(tenantId: string, record: VelocityPolicyRecord): Promise<void>;
}
