import type { PhoneSendPolicy } from './phone-send-policy.js';

/** A tenant's stored send policy (tenants that never set one have none: the defaults apply). */
export interface PhoneSendPolicyRecord {
  policy: PhoneSendPolicy;
  updatedAt: string;
}

export interface PhoneSendPolicyRepository {
  /** Read on every send: served through the read cache. */
  get(tenantId: string): Promise<PhoneSendPolicyRecord | undefined>;
  /** In a transaction: serialises the read-modify-writes of one tenant's policy until it ends, and reads it. */
  lock(tenantId: string): Promise<PhoneSendPolicyRecord | undefined>;
  put(tenantId: string, record: PhoneSendPolicyRecord): Promise<void>;
}
