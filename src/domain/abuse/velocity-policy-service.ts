import type { Clock } from '../clock.js';
import type { Repositories } from '../repositories.js';
import { mergePatch } from './phone-send-policy.js';
import { defaultVelocityPolicy, parseVelocityPolicy, type BackoffType, type VelocityPolicy } from './velocity-policy.js';

/** A tenant's velocity limits as the API shows them: the effective policy, and when last set (null: the defaults). */
export interface VelocityPolicyView extends VelocityPolicy {
  updated_at: string | null;
}

/**
 * Reads and changes a tenant's velocity limits: `/api/v2/attack-protection/phone-velocity-limits`
 * (the whole policy) and Auth0's `/api/v2/attack-protection/phone-provider-protection` (its
 * `backoff.type` only).
 */
export class VelocityPolicyService {
  constructor(
    private readonly repos: Pick<Repositories, 'velocityPolicies' | 'transaction'>,
    private readonly clock: Clock,
  ) {}

  async get(tenantId: string): Promise<VelocityPolicyView> {
    const r = await this.repos.velocityPolicies.get(tenantId);
    return r ? { ...r.policy, updated_at: r.updatedAt } : { ...defaultVelocityPolicy(), updated_at: null };
  }

  /** A JSON merge patch (RFC 7396) over the current policy: `null` puts a part back to its default. */
  update(tenantId: string, patch: unknown): Promise<VelocityPolicyView> {
    return this.write(tenantId, (current) => parseVelocityPolicy(mergePatch(current, patch)));
  }

  /** Replaces the whole policy (what is left out is its default). */
  replace(tenantId: string, policy: unknown): Promise<VelocityPolicyView> {
    const parsed = parseVelocityPolicy(policy);
    return this.write(tenantId, () => parsed);
  }

  /** Auth0's phone provider protection: `{ type: 'exponential' | 'none' }`. */
  async providerProtection(tenantId: string): Promise<{ type: BackoffType }> {
    return { type: (await this.get(tenantId)).backoff.type };
  }

  async setProviderProtection(tenantId: string, type: BackoffType): Promise<{ type: BackoffType }> {
    const v = await this.update(tenantId, { backoff: { type } });
    return { type: v.backoff.type };
  }

  private write(tenantId: string, next: (current: VelocityPolicy) => VelocityPolicy): Promise<VelocityPolicyView> {
    return this.repos.transaction(async (repos) => {
      const current = (await repos.velocityPolicies.lock(tenantId))?.policy ?? defaultVelocityPolicy();
      const policy = next(current);
      const updatedAt = this.clock.now().toISOString();
      await repos.velocityPolicies.put(tenantId, { policy, updatedAt });
      return { ...policy, updated_at: updatedAt };
    });
  }
}
