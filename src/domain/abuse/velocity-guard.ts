import type { Clock } from '../clock.js';
import { ALLOW, type GuardDecision, type SendGuard, type SendRequest } from '../notifications/send-policy.js';
import { whenSettled } from '../settled.js';
import { scopedKey, type CounterSpec, type CounterState, type RateCounters } from './rate-counters.js';
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

  /**
   * Synchronous when it can be: with the tenant's policy already read (the read cache's promise, seen
   * resolved) and a store that answers at once (`consumeNow`, the embedded database), a send is
   * decided without a promise; otherwise, or for the backoff of a breach, it waits.
   */
  check(r: SendRequest): GuardDecision | Promise<GuardDecision> {
    if (r.channel === 'test_number') return ALLOW;
    return whenSettled(this.policies.get(r.tenant.id), (record) => this.decide(r, record?.policy ?? DEFAULT));
  }

  private decide(r: SendRequest, policy: VelocityPolicy): GuardDecision | Promise<GuardDecision> {
    const outcomes: Array<RuleOutcome | Promise<RuleOutcome>> = [];
    let waiting = false;
    for (const rule of VELOCITY_KEYS) {
      const settings = policy.rules[rule];
      const value = velocityKeyOf(rule, r);
      if (settings.mode === 'off' || value === undefined) continue;
      const o = this.count(r.tenant.id, rule, settings, value, policy);
      if (o instanceof Promise) waiting = true;
      outcomes.push(o);
    }
    return waiting ? Promise.all(outcomes).then((all) => this.verdict(all)) : this.verdict(outcomes as RuleOutcome[]);
  }

  private verdict(outcomes: readonly RuleOutcome[]): GuardDecision {
    // The longest wait decides (a client retrying earlier would be refused again).
    let worst: Extract<RuleOutcome, { kind: 'over' }> | undefined;
    let remark: string | undefined;
    for (const o of outcomes) {
      if (o.kind === 'over' && (!worst || o.retryAfterSeconds > worst.retryAfterSeconds)) worst = o;
      if (o.kind === 'monitored') remark ??= `velocity_${o.rule}_monitored`;
      if (o.kind === 'unavailable') remark = 'velocity_unavailable';
    }
    if (!worst) return remark ? { verdict: 'allow', reason: remark } : ALLOW;
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

  /** Counts one point against one rule: at once where the store answers at once. */
  private count(tenantId: string, rule: VelocityKey, settings: VelocityRule, value: string, policy: VelocityPolicy): RuleOutcome | Promise<RuleOutcome> {
    const spec = specOf(policy, rule);
    if (this.counters.consumeNow) {
      let s: CounterState;
      try {
        s = this.counters.consumeNow(spec, tenantId, value);
      } catch (e) {
        return this.unavailable(e, tenantId, rule);
      }
      return s.allowed ? OK : this.over(s, tenantId, rule, settings, spec, scopedKey(tenantId, value), policy);
    }
    const key = scopedKey(tenantId, value);
    return this.counters.consume(spec, key).then(
      (s) => (s.allowed ? OK : this.over(s, tenantId, rule, settings, spec, key, policy)),
      (e: unknown) => this.unavailable(e, tenantId, rule),
    );
  }

  private unavailable(e: unknown, tenantId: string, rule: VelocityKey): RuleOutcome {
    this.onFailure?.(e as Error, tenantId);
    return { kind: 'unavailable', rule };
  }

  /** A rule went over: monitored, or refused with the window's rest (or, for a repeated breach, a block). */
  private over(s: CounterState, tenantId: string, rule: VelocityKey, settings: VelocityRule, spec: CounterSpec, key: string, policy: VelocityPolicy): RuleOutcome | Promise<RuleOutcome> {
    if (settings.mode === 'monitor') return { kind: 'monitored', rule };
    const refused = (retryMs: number, backoff: boolean): RuleOutcome => ({ kind: 'over', rule, limit: settings.limit, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)), backoff });
    // The send that went over first records the breach; those after it are refused with the window's (or the block's) rest.
    if (policy.backoff.type !== 'exponential' || s.consumed !== settings.limit + 1) return refused(s.msBeforeNext, false);
    return (async () => {
      const breaches = await this.counters.consume({ name: `v.${rule}.breaches`, limit: Number.MAX_SAFE_INTEGER, windowSeconds: BREACH_MEMORY_SECONDS }, key);
      if (breaches.consumed <= 1) return refused(s.msBeforeNext, false);
      const seconds = Math.min(settings.window_seconds * 2 ** Math.min(breaches.consumed - 1, 30), policy.backoff.max_seconds);
      await this.counters.block(spec, key, seconds);
      return refused(seconds * 1000, true);
    })().catch((e: unknown) => this.unavailable(e, tenantId, rule));
  }
}

const OK: RuleOutcome = Object.freeze({ kind: 'ok' });

/** A rule's counter, built once per policy object (a policy stays the same object while it is cached). */
const specs = new WeakMap<VelocityPolicy, Partial<Record<VelocityKey, CounterSpec>>>();
function specOf(policy: VelocityPolicy, rule: VelocityKey): CounterSpec {
  let of = specs.get(policy);
  if (!of) specs.set(policy, (of = {}));
  const settings = policy.rules[rule];
  let spec = of[rule];
  // A policy changed in place (tests do) gets its spec again.
  if (!spec || spec.limit !== settings.limit || spec.windowSeconds !== settings.window_seconds) {
    of[rule] = spec = Object.freeze({ name: `v.${rule}`, limit: settings.limit, windowSeconds: settings.window_seconds });
  }
  return spec;
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
