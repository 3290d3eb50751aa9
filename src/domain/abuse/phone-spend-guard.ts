import type { Clock } from '../clock.js';
import { ALLOW, type GuardDecision, type SendGuard, type SendRequest } from '../notifications/send-policy.js';
import type { PhoneSpendRepository } from './phone-spend-ports.js';
import { whenSettled } from '../settled.js';
import { defaultSpendSettings, periodsOf, priceOf, toMicro, type PhoneSpendSettings } from './phone-spend.js';

/**
 * Spend caps: every send through a provider is charged its price (country and delivery method) to
 * the tenant's UTC day and month; a send that would pass a cap is refused (429
 * `phone_spend_cap_reached`, `Retry-After` the end of the period), logged as `phone_send_denied` and
 * counted in `unifone_phone_sends_denied_total{guard="phone_spend_cap"}`. The last guard: a send
 * refused by an earlier one costs nothing. Test numbers cost nothing. A send that then fails at the
 * provider stays charged (the cap is a ceiling on what may be spent, not a bill).
 */
export class PhoneSpendGuard implements SendGuard {
  readonly name = 'phone_spend_cap';

  constructor(
    private readonly repo: PhoneSpendRepository,
    private readonly clock: Clock,
  ) {}

  /** Synchronous once the tenant's settings are read (the read cache's promise, seen resolved) and no cap is set. */
  check(r: SendRequest): GuardDecision | Promise<GuardDecision> {
    if (r.channel === 'test_number') return ALLOW;
    return whenSettled(this.repo.getSettings(r.tenant.id), (record) => this.decide(r, record?.settings ?? defaultSpendSettings()));
  }

  private decide(r: SendRequest, settings: PhoneSpendSettings): GuardDecision | Promise<GuardDecision> {
    const now = this.clock.now();
    const p = periodsOf(now);
    const cap = (x: number | null) => (x === null ? null : toMicro(x));
    const cost = toMicro(priceOf(settings, r.recipient.country, r.deliveryMethod));
    const charge = { day: p.day, month: p.month, cost, dailyCap: cap(settings.daily_cap), monthlyCap: cap(settings.monthly_cap) };
    // With no cap to hold, the charge decides nothing: it is written with the send.
    if (charge.dailyCap === null && charge.monthlyCap === null) return { verdict: 'allow', record: () => this.repo.charge(r.tenant.id, charge) };
    return this.repo.charge(r.tenant.id, charge).then((result) => this.capped(result, p));
  }

  private capped(result: 'ok' | 'daily' | 'monthly', p: ReturnType<typeof periodsOf>): GuardDecision {
    if (result === 'ok') return ALLOW;
    const daily = result === 'daily';
    return {
      verdict: 'deny',
      error: 'phone_spend_cap_reached',
      reason: daily ? 'spend_cap_daily' : 'spend_cap_monthly',
      message: `The tenant's ${daily ? 'daily' : 'monthly'} phone spend cap is reached; try again later`,
      retryAfterSeconds: daily ? p.dayEndsIn : p.monthEndsIn,
      details: { period: daily ? p.day : p.month },
    };
  }
}
