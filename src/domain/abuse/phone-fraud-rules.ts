import type { FraudThresholds } from './phone-fraud-settings.js';

/**
 * The fraud guard's rules, without I/O: from the recent traffic of one destination prefix and of its
 * country, whether the prefix looks pumped. The reasoning behind each rule and default is in
 * docs/abuse.md ("Fraud guard").
 */

/** Sends and verified codes in one window. */
export interface Tally {
  sends: number;
  verified: number;
}

/** A prefix's traffic as the repository counts it (windows start no earlier than the prefix's last release). */
export interface PrefixTraffic {
  /** In the burst window: sends, distinct numbers, verified. */
  burst: Tally & { numbers: number };
  /** In the last hour. */
  hour: Tally;
  /** In the conversion window, sends older than the settle time only. */
  settled: Tally;
  /** Sends in the seven days before the conversion window (the prefix's usual traffic). */
  baselineSends: number;
}

/** The country's settled sends in the last hour. */
export type CountryTraffic = Tally;

export type FraudRule = 'adjacent_burst' | 'low_conversion' | 'volume_spike';

export interface FraudFinding {
  rule: FraudRule;
  /** The figures behind it, kept with the quarantine. */
  evidence: Record<string, unknown>;
}

export const BASELINE_HOURS = 7 * 24;
const share = (t: Tally) => (t.sends === 0 ? 1 : t.verified / t.sends);
const round = (x: number) => Math.round(x * 1000) / 1000;

/** True when the country's codes stopped being verified: its prefixes get the stricter burst threshold. */
export function countryAlarm(country: CountryTraffic, t: FraudThresholds): boolean {
  return country.sends >= t.country_min_sends && share(country) < t.max_conversion;
}

/** The first rule the traffic breaks, or undefined. */
export function judge(p: PrefixTraffic, country: CountryTraffic, t: FraudThresholds): FraudFinding | undefined {
  const alarm = countryAlarm(country, t);
  const hourly = p.baselineSends / BASELINE_HOURS;
  const perBurstWindow = hourly * (t.burst_window_seconds / 3600);
  const common = {
    baseline_sends_per_hour: round(hourly),
    country: { settled_sends_last_hour: country.sends, verified: country.verified, alarm },
  };

  const burstNeed = Math.max(alarm ? t.burst_min_numbers_under_alarm : t.burst_min_numbers, Math.ceil(t.burst_baseline_factor * perBurstWindow));
  if (p.burst.numbers >= burstNeed && share(p.burst) < t.max_conversion) {
    return {
      rule: 'adjacent_burst',
      evidence: {
        ...common,
        window_seconds: t.burst_window_seconds,
        numbers: p.burst.numbers,
        sends: p.burst.sends,
        verified: p.burst.verified,
        conversion: round(share(p.burst)),
        threshold_numbers: burstNeed,
        threshold_conversion: t.max_conversion,
      },
    };
  }
  if (p.settled.sends >= t.conversion_min_sends && share(p.settled) < t.max_conversion) {
    return {
      rule: 'low_conversion',
      evidence: {
        ...common,
        window_seconds: t.conversion_window_seconds,
        settled_sends: p.settled.sends,
        verified: p.settled.verified,
        conversion: round(share(p.settled)),
        threshold_sends: t.conversion_min_sends,
        threshold_conversion: t.max_conversion,
      },
    };
  }
  const volumeNeed = Math.max(t.volume_min_sends, Math.ceil(t.volume_baseline_factor * hourly));
  if (p.hour.sends >= volumeNeed && share(p.hour) <= t.volume_max_conversion) {
    return {
      rule: 'volume_spike',
      evidence: {
        ...common,
        window_seconds: 3600,
        sends: p.hour.sends,
        verified: p.hour.verified,
        conversion: round(share(p.hour)),
        threshold_sends: volumeNeed,
        threshold_conversion: t.volume_max_conversion,
      },
    };
  }
  return undefined;
}
