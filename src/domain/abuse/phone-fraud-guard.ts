import type { Clock } from '../clock.js';
import { sortableId } from '../ids.js';
import { settledValue } from '../settled.js';
import { TtlCache } from '../ttl-cache.js';
import { ALLOW, type GuardDecision, type SendGuard, type SendRequest } from '../notifications/send-policy.js';
import { NON_GEOGRAPHIC } from './phone-send-policy.js';
import type { PhoneFraudRepository, QuarantineRecord, TrafficWindows } from './phone-fraud-ports.js';
import { judge } from './phone-fraud-rules.js';
import { defaultFraudSettings, prefixOf, type FraudGuardMode, type PhoneFraudSettings } from './phone-fraud-settings.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How long the settled window, the baseline and the country's counts are reused. */
export const SLOW_TTL_MS = 60_000;
/** How long sends are kept: the conversion window's longest setting plus the 7-day baseline before it. */
export const FRAUD_SEND_RETENTION_MS = 14 * DAY;

/**
 * The fraud guard (SMS pumping): watches every one-time code sent through a provider, per tenant and
 * destination prefix (`prefixOf`), and quarantines a prefix whose traffic breaks a rule
 * (`phone-fraud-rules.ts`) for the cooling period. A send to a quarantined prefix is refused
 * (`phone_destination_quarantined`) — in monitor mode allowed and recorded as
 * `prefix_quarantine_monitored`. Test numbers never reach a provider and are not judged;
 * safe-listed prefixes are recorded but never quarantined.
 *
 * It runs after the per-user send limit, which issues the code row: only codes that are really sent
 * are recorded, and their verification (`CodeConversions.verified`) is what the rules read.
 */
export class PhoneFraudGuard implements SendGuard {
  readonly name = 'phone_fraud_guard';
  private lastPrune = 0;
  /** The slowly changing counts, per tenant and prefix (and release), and per tenant and country, for `SLOW_TTL_MS`. */
  private readonly slowPrefix = new TtlCache(SLOW_TTL_MS);
  private readonly slowCountry = new TtlCache(SLOW_TTL_MS);
  /** The windows of the last second judged (`windowsAt`). */
  private lastWindows?: { second: number; resetAt: string | undefined; burst: number; conversion: number; settle: number; w: TrafficWindows };

  constructor(
    private readonly repo: PhoneFraudRepository,
    private readonly clock: Clock,
    private readonly defaultMode: FraudGuardMode = 'enforce',
  ) {}

  check(r: SendRequest): GuardDecision | Promise<GuardDecision> {
    return this.atOnce(r) ?? this.decide(r);
  }

  /**
   * The decision without a promise, when it needs no more than the cached reads, already resolved
   * (settings, safe list, the prefix's latest quarantine): a test number, the guard off, or a send
   * that delivers no code to a prefix that is not quarantined. Anything else: undefined.
   */
  private atOnce(r: SendRequest): GuardDecision | undefined {
    if (r.channel === 'test_number') return ALLOW;
    const tenantId = r.tenant.id;
    const settings = settledValue(this.repo.getSettings(tenantId));
    if (!settings) return undefined;
    if ((settings.value?.settings ?? defaultFraudSettings(this.defaultMode)).mode === 'off') return ALLOW;
    if (r.otp) return undefined;
    // Both asked before either answer is used, so that both are watched from the first send.
    const safe = settledValue(this.repo.listSafe(tenantId));
    const last = settledValue(this.repo.latestQuarantine(tenantId, prefixOf(r.recipient.e164, r.recipient.callingCode)));
    if (!safe || !last) return undefined;
    if (longestSafePrefix(safe.value, r.recipient.e164)) return ALLOW;
    return last.value && isActive(last.value, this.clock.now()) ? undefined : ALLOW;
  }

  /** The rest (`atOnce` has answered test numbers). */
  private async decide(r: SendRequest): Promise<GuardDecision> {
    const tenantId = r.tenant.id;
    const settings = (await this.repo.getSettings(tenantId))?.settings ?? defaultFraudSettings(this.defaultMode);
    if (settings.mode === 'off') return ALLOW;
    const now = this.clock.now();
    this.maybePrune(now);
    const e164 = r.recipient.e164;
    const prefix = prefixOf(e164, r.recipient.callingCode);
    const country = r.recipient.country ?? NON_GEOGRAPHIC;
    const safe = longestSafePrefix(await this.repo.listSafe(tenantId), e164);
    const last = safe ? undefined : await this.repo.latestQuarantine(tenantId, prefix);
    if (last && isActive(last, now)) {
      await this.repo.countBlocked(tenantId, last.id);
      if (settings.mode === 'enforce') return quarantined(last);
      return { verdict: 'allow', reason: 'prefix_quarantine_monitored', ...this.record(r, prefix, country, now, settings) };
    }
    if (!r.otp) return ALLOW;
    if (!safe) {
      const found = await this.judge(tenantId, prefix, country, settings, now, last ? (last.releasedAt ?? last.until) : undefined);
      if (found) {
        const q = await this.repo.quarantine(
          tenantId,
          {
            id: `fq_${sortableId(now)}`,
            prefix,
            country,
            mode: settings.mode,
            rule: found.rule,
            evidence: found.evidence,
            blockedSends: 1,
            createdAt: now.toISOString(),
            until: new Date(now.getTime() + settings.cooling_period_seconds * 1000).toISOString(),
            releasedAt: null,
          },
          now.toISOString(),
        );
        if (settings.mode === 'enforce') return quarantined(q);
        return { verdict: 'allow', reason: 'prefix_quarantine_monitored', ...this.record(r, prefix, country, now, settings) };
      }
    }
    return { verdict: 'allow', ...this.record(r, prefix, country, now, settings) };
  }

  private async judge(tenantId: string, prefix: string, country: string, s: PhoneFraudSettings, now: Date, resetAt: string | undefined) {
    const t = s.thresholds;
    const at = now.getTime();
    const w = this.windowsAt(t, resetAt, at);
    // The burst window and the hour are read on every send (a burst must be seen as it happens); the
    // settled window, the baseline and the country change slowly and are read at most once a minute
    // per prefix (and per release) and country in this process.
    const [recent, settled, countryTraffic] = await Promise.all([
      this.repo.recentTraffic(tenantId, prefix, w),
      this.slowPrefix.getPair(tenantId, resetAt ? `${prefix}\0${resetAt}` : prefix, at, () => this.repo.settledTraffic(tenantId, prefix, w)),
      this.slowCountry.getPair(tenantId, country, at, () => this.repo.countryTraffic(tenantId, country, w.hourSince, w.settledBefore)),
    ]);
    return judge({ ...recent, ...settled }, countryTraffic, t);
  }

  /**
   * The windows of the rules at `at`, to the second: the repository counts whole minutes, and every
   * window is a whole number of seconds, so a window's minute is the same for every millisecond of a
   * second. Kept for the last second asked (and the same thresholds and release): the sends of one
   * second share them instead of formatting six timestamps each.
   */
  private windowsAt(t: PhoneFraudSettings['thresholds'], resetAt: string | undefined, at: number): TrafficWindows {
    const second = Math.floor(at / 1000) * 1000;
    const m = this.lastWindows;
    if (m && m.second === second && m.resetAt === resetAt && m.burst === t.burst_window_seconds && m.conversion === t.conversion_window_seconds && m.settle === t.settle_seconds) return m.w;
    // A release (or the end of a cooling period) starts the prefix's windows afresh, from the next
    // whole minute (traffic is counted per minute: the minute of the release held sends before it).
    const restart = resetAt && new Date(Math.ceil(Date.parse(resetAt) / 60_000) * 60_000).toISOString();
    const iso = (ms: number) => new Date(second - ms).toISOString();
    const since = (ms: number) => {
      const from = iso(ms);
      return restart && restart > from ? restart : from;
    };
    const w: TrafficWindows = {
      burstSince: since(t.burst_window_seconds * 1000),
      hourSince: since(HOUR),
      windowSince: since(t.conversion_window_seconds * 1000),
      settledBefore: iso(t.settle_seconds * 1000),
      baselineSince: iso(t.conversion_window_seconds * 1000 + 7 * DAY),
      baselineUntil: iso(t.conversion_window_seconds * 1000),
    };
    this.lastWindows = { second, resetAt, burst: t.burst_window_seconds, conversion: t.conversion_window_seconds, settle: t.settle_seconds, w };
    return w;
  }

  /** The code's record (sent, not yet verified), written with the send once every guard allowed it: only codes sent are counted. */
  private record(r: SendRequest, prefix: string, country: string, now: Date, s: PhoneFraudSettings): { record?: () => Promise<void> } {
    const otp = r.otp;
    if (!otp) return {};
    const repeatSince = new Date(now.getTime() - s.thresholds.burst_window_seconds * 1000).toISOString();
    return {
      // The code's time, not the guard's: its verification is counted in the minute of `otp.createdAt`.
      record: () => this.repo.recordSend(r.tenant.id, { id: sortableId(now), otpId: otp.id, prefix, country, recipient: r.recipient.e164, createdAt: otp.createdAt }, repeatSince),
    };
  }

  /** At most once an hour per process, sends past the retention are deleted (in the background). */
  private maybePrune(now: Date): void {
    if (now.getTime() - this.lastPrune < HOUR) return;
    this.lastPrune = now.getTime();
    this.repo.pruneSends(new Date(now.getTime() - FRAUD_SEND_RETENTION_MS).toISOString()).catch(() => {
      this.lastPrune = 0;
    });
  }
}

/** The longest safe-listed prefix `e164` starts with, if any. */
export function longestSafePrefix(list: ReadonlyArray<{ prefix: string }>, e164: string): string | undefined {
  let best: string | undefined;
  for (const { prefix } of list) if (e164.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  return best;
}

export function isActive(q: QuarantineRecord, now: Date): boolean {
  return q.releasedAt === null && q.until > now.toISOString();
}

function quarantined(q: QuarantineRecord): GuardDecision {
  return {
    verdict: 'deny',
    error: 'phone_destination_quarantined',
    reason: 'prefix_quarantined',
    message: 'Messages to this phone number range are suspended for now: its traffic looked like SMS pumping. Use another phone number or try again later.',
    details: { prefix: q.prefix, quarantine_id: q.id },
  };
}
