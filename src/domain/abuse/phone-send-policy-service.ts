import type { Clock } from '../clock.js';
import type { Repositories } from '../repositories.js';
import { defaultPhoneSendPolicy, mergePatch, parsePhoneSendPolicy, type PhoneSendPolicy } from './phone-send-policy.js';

/** A tenant's policy as the API and the CLI show it: the effective policy, and when it was last set (null: the defaults). */
export interface PhoneSendPolicyView extends PhoneSendPolicy {
  updated_at: string | null;
}

/** Reads and changes a tenant's phone send policy (`/api/v2/attack-protection/phone-send-policy`, `unifone send-policy`). */
export class PhoneSendPolicyService {
  constructor(
    private readonly repos: Pick<Repositories, 'phoneSendPolicies' | 'transaction'>,
    private readonly clock: Clock,
  ) {}

  async get(tenantId: string): Promise<PhoneSendPolicyView> {
    const r = await this.repos.phoneSendPolicies.get(tenantId);
    return r ? { ...r.policy, updated_at: r.updatedAt } : { ...defaultPhoneSendPolicy(), updated_at: null };
  }

  /** A JSON merge patch (RFC 7396) over the current policy: `null` puts a part back to its default. */
  update(tenantId: string, patch: unknown): Promise<PhoneSendPolicyView> {
    return this.write(tenantId, (current) => parsePhoneSendPolicy(mergePatch(current, patch)));
  }

  /** Replaces the whole policy (what is left out is its default). */
  replace(tenantId: string, policy: unknown): Promise<PhoneSendPolicyView> {
    const parsed = parsePhoneSendPolicy(policy);
    return this.write(tenantId, () => parsed);
  }

  private write(tenantId: string, next: (current: PhoneSendPolicy) => PhoneSendPolicy): Promise<PhoneSendPolicyView> {
    return this.repos.transaction(async (repos) => {
      const current = (await repos.phoneSendPolicies.lock(tenantId))?.policy ?? defaultPhoneSendPolicy();
      const policy = next(current);
      const updatedAt = this.clock.now().toISOString();
      await repos.phoneSendPolicies.put(tenantId, { policy, updatedAt });
      return { ...policy, updated_at: updatedAt };
    });
  }
}
