import type { GuardDecision, SendGuard, SendRequest } from '../notifications/send-policy.js';
import { whenSettled } from '../settled.js';
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
 * while its entry lives (`whenSettled`), and the policy compiled from a record is kept against that
 * record, so for every send but the first after the entry is (re)loaded the guard decides
 * synchronously (no promise for the policy to wait on: see `SendPolicy.evaluate`): a map lookup and a
 * few set lookups.
 */
export class PhoneSendPolicyGuard implements SendGuard {
  readonly name = 'phone_send_policy';
  private readonly compiled = new WeakMap<PhoneSendPolicyRecord, CompiledPolicy>();

  constructor(private readonly repo: Pick<PhoneSendPolicyRepository, 'get'>) {}

  check(r: SendRequest): GuardDecision | Promise<GuardDecision> {
    const d: Destination = {
      flow: r.flow,
      deliveryMethod: r.deliveryMethod,
      country: r.recipient.country,
      numberType: r.recipient.numberType,
      testNumber: r.channel === 'test_number',
    };
    return whenSettled(this.repo.get(r.tenant.id), (record) => decide(this.compiledOf(record), d));
  }

  private compiledOf(record: PhoneSendPolicyRecord | undefined): CompiledPolicy {
    if (!record) return DEFAULT_COMPILED;
    let policy = this.compiled.get(record);
    if (!policy) this.compiled.set(record, (policy = compilePolicy(record.policy)));
    return policy;
  }
}
