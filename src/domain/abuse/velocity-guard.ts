import type { Clock } from '../clock.js';
import type { GuardDecision, SendGuard, SendRequest } from '../notifications/send-policy.js';
import type { CounterSpec, RateCounters } from './rate-counters.js';
import { velocityKeyOf } from './velocity-keys.js';
import { BREACH_MEMORY_SECONDS, defaultVelocityPolicy, VELOCITY_KEYS, type VelocityKey, type VelocityPolicy, type VelocityRule } from './velocity-policy.js';
import type { VelocityPolicyRepository } from './velocity-ports.js';

const DEFAULT = defaultVelocityPolicy();

/** What one rule said about one send. */
type RuleOutcome =
  | { kind: 'ok' }
  | { kind: 'monitored'; rule: VelocityKey }
  | { kind: 'over'; rule: VelocityKey; limit: number; retryAfterSeconds: number; backoff: boolean }
  | { kind: 'unavailable'; rule: VelocityKey };

/** Logs a store failure (the send goes on: see `check`). */
export type VelocityFailureLog = (err: Error, tenantId: string) => void;

/**
 * The velocity limits (`velocity`): every send counts one point against each rule of the tenant's
 * policy that has a key for it — the recipient, the user (across every address it comes from), the
 * IP (IPv4 address, IPv6 /64), the client, the tenant, the destination prefix, the country — in
 * counters every process shares (`RateCounters`). A send over a rule's limit in its window is denied:
 * 429 `too_many_requests` with `Retry-After` and `x-ratelimit-*` headers, reason `velocity_<rule>`.
 *
 * Backoff (`exponential`, Auth0's phone provider protection): the first breach of a rule by a key
 * waits out the window; the n-th breach within a day blocks the key for window × 2^(n-1) (at most
 * `max_seconds`) from that moment. The breaches are counted once per window, by the send that went
 * over first; the sends refused during a block neither extend it nor reset the count, and neither
 * does a send that succeeds after it: only a day without breaches forgets them.
 *
 * Test numbers never reach a provider and are not counted. A send that a rule counted keeps its point
 * when another rule (or a later guard) refuses it, as a consumed rate-limit point stays consumed.
 * When the counter store fails, the send is allowed and the decision says so (`velocity_unavailable`):
 * an unreachable Redis must not stop every login of every tenant.
 */
export class VelocityGuard implements SendGuard {
  readonly name = 'velocity';

  constructor(
    private readonly policies: Pick<VelocityPolicyRepository, 'get'>,
    private readonly counters: RateCounters,
    private readonly clock: Clock,
    private readonly onFailure?: VelocityFailureLog,
  ) {}

  async check(r: SendRequest): Promise<GuardDecision> {
    if (r.channel === 'test_number') return { verdict: 'allow' };
    const policy = (await this.policies.get(r.tenant.id))?.policy ?? DEFAULT;
    const outcomes = await Promise.all(
      VELOCITY_KEYS.map((rule) => {
        const settings = policy.rules[rule];
        const value = velocityKeyOf(rule, r);
        return settings.mode === 'off' || value === undefined ? ({ kind: 'ok' } as const) : this.count(r.tenant.id, rule, settings, value, policy);
      }),
    );
    // The longest wait decides (a client retrying earlier would be refused again).
    let worst: Extract<RuleOutcome, { kind: 'over' }> | undefined;
    let remark: string | undefined;
    for (const o of outcomes) {
      if (o.kind === 'over' && (!worst || o.retryAfterSeconds > worst.retryAfterSeconds)) worst = o;
      if (o.kind === 'monitored') remark ??= `velocity_${o.rule}_monitored`;
      if (o.kind === 'unavailable') remark = 'velocity_unavailable';
    }
    if (!worst) return remark ? { verdict: 'allow', reason: remark } : { verdict: 'allow' };
    const reset = Math.ceil(this.clock.now().getTime() / 1000) + worst.retryAfterSeconds;
    return {
      verdict: 'deny',
      error: 'too_many_requests',
      reason: `velocity_${worst.rule}`,
      message: `Too many messages were sent ${DESCRIBE[worst.rule]}${worst.backoff ? ' (repeatedly)' : ''}. Try again in ${worst.retryAfterSeconds} seconds.`,
      retryAfterSeconds: worst.retryAfterSeconds,
      headers: { 'x-ratelimit-limit': String(worst.limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    };
  }

  private async count(tenantId: string, rule: VelocityKey, settings: VelocityRule, value: string, policy: VelocityPolicy): Promise<RuleOutcome> {
    const spec: CounterSpec = { name: `v.${rule}`, limit: settings.limit, windowSeconds: settings.window_seconds };
    const key = `${tenantId}\0${value}`;
    try {
      const s = await this.counters.consume(spec, key);
      if (s.allowed) return { kind: 'ok' };
      if (settings.mode === 'monitor') return { kind: 'monitored', rule };
      let retryMs = s.msBeforeNext;
      let backoff = false;
      // The send that went over first records the breach; those after it are refused with the window's (or the block's) rest.
      if (policy.backoff.type === 'exponential' && s.consumed === settings.limit + 1) {
        const breaches = await this.counters.consume({ name: `v.${rule}.breaches`, limit: Number.MAX_SAFE_INTEGER, windowSeconds: BREACH_MEMORY_SECONDS }, key);
        if (breaches.consumed > 1) {
          const seconds = Math.min(settings.window_seconds * 2 ** Math.min(breaches.consumed - 1, 30), policy.backoff.max_seconds);
          await this.counters.block(spec, key, seconds);
          retryMs = seconds * 1000;
          backoff = true;
        }
      }
      return { kind: 'over', rule, limit: settings.limit, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)), backoff };
    } catch (e) {
      this.onFailure?.(e as Error, tenantId);
      return { kind: 'unavailable', rule };
    }
  }
}

const DESCRIBE: Record<VelocityKey, string> = {
  recipient: 'to this phone number',
  user: 'for this user',
  ip: 'from this address',
  client: 'by this application',
  tenant: 'by this tenant',
  prefix: 'to this range of phone numbers',
  country: 'to this country',
};
