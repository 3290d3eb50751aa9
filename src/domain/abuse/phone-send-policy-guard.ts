import type { GuardDecision, SendGuard, SendRequest } from '../notifications/send-policy.js';
import { compilePolicy, decide, type CompiledPolicy } from './phone-send-decision.js';
import { defaultPhoneSendPolicy, type PhoneSendPolicy } from './phone-send-policy.js';
import type { PhoneSendPolicyRecord, PhoneSendPolicyRepository } from './ports.js';

const DEFAULT_COMPILED = compilePolicy(defaultPhoneSendPolicy());

/**
 * The tenant's send policy as a guard: countries, number types and, per flow, delivery methods
 * (`phone-send-policy.ts`). Its only read is the tenant's policy through the read cache (one entry per
 * tenant, shared by every send); the compiled form is kept per cached record, so a send costs a map
 * lookup and a few set lookups. It runs before the send limit, which issues the code row: a send it
 * denies issues no code (the user's previous code stays valid) and uses none of the user's budget.
 */
export class PhoneSendPolicyGuard implements SendGuard {
  readonly name = 'phone_send_policy';
  private readonly compiled = new WeakMap<PhoneSendPolicy, CompiledPolicy>();

  constructor(private readonly repo: Pick<PhoneSendPolicyRepository, 'get'>) {}

  async check(r: SendRequest): Promise<GuardDecision> {
    const policy = this.compile(await this.repo.get(r.tenant.id));
    return decide(policy, {
      flow: r.flow,
      deliveryMethod: r.deliveryMethod,
      country: r.recipient.country,
      numberType: r.recipient.numberType,
      testNumber: r.channel === 'test_number',
    });
  }

  private compile(record: PhoneSendPolicyRecord | undefined): CompiledPolicy {
    if (!record) return DEFAULT_COMPILED;
    let c = this.compiled.get(record.policy);
    if (!c) {
      c = compilePolicy(record.policy);
      this.compiled.set(record.policy, c);
    }
    return c;
  }
}
