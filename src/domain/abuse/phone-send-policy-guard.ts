import type { GuardDecision, SendGuard, SendRequest } from '../notifications/send-policy.js';
import { compilePolicy, decide, type CompiledPolicy, type Destination } from './phone-send-decision.js';
import { defaultPhoneSendPolicy } from './phone-send-policy.js';
import type { PhoneSendPolicyRecord, PhoneSendPolicyRepository } from './ports.js';

const DEFAULT_COMPILED = compilePolicy(defaultPhoneSendPolicy());

/**
 * The tenant's send policy as a guard: countries, number types and, per flow, delivery methods
 * (`phone-send-policy.ts`). It runs before the send limit, which issues the code row: a send it denies
 * issues no code (the user's previous code stays valid) and uses none of the user's send budget.
 *
 * Its only read is the tenant's policy, through the read cache, which hands out one promise per tenant
 * while its entry lives. The policy compiled from a promise is kept against that promise, so for every
 * send but the first after the entry is (re)loaded the guard decides synchronously (no promise for the
 * policy to wait on: see `SendPolicy.evaluate`): a map lookup and a few set lookups.
 */
export class PhoneSendPolicyGuard implements SendGuard {
  readonly name = 'phone_send_policy';
  private readonly compiled = new WeakMap<Promise<PhoneSendPolicyRecord | undefined>, CompiledPolicy>();

  constructor(private readonly repo: Pick<PhoneSendPolicyRepository, 'get'>) {}

  check(r: SendRequest): GuardDecision | Promise<GuardDecision> {
    const read = this.repo.get(r.tenant.id);
    const d: Destination = {
      flow: r.flow,
      deliveryMethod: r.deliveryMethod,
      country: r.recipient.country,
      numberType: r.recipient.numberType,
      testNumber: r.channel === 'test_number',
    };
    const hit = this.compiled.get(read);
    if (hit) return decide(hit, d);
    return read.then((record) => {
      const policy = record ? compilePolicy(record.policy) : DEFAULT_COMPILED;
      this.compiled.set(read, policy);
      return decide(policy, d);
    });
  }
}
