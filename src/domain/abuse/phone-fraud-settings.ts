import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { AppError } from '../errors.js';

/**
 * A tenant's fraud guard settings (`/api/v2/attack-protection/phone-fraud-guard`): the mode, the
 * cooling period of a quarantine and the thresholds of the rules (`phone-fraud-rules.ts`). The shape
 * is the API's (snake_case), stored as one JSON value. docs/abuse.md ("Fraud guard") gives the
 * reasoning behind each default.
 */

/** `enforce`: quarantined prefixes are refused; `monitor`: quarantines are recorded, nothing is refused; `off`: nothing is judged. */
export type FraudGuardMode = 'enforce' | 'monitor' | 'off';
export const FRAUD_GUARD_MODES: readonly FraudGuardMode[] = ['enforce', 'monitor', 'off'];

export interface FraudThresholds {
  /** The burst rule's window. */
  burst_window_seconds: number;
  /** Distinct numbers of one prefix sent to within the burst window that make a burst (before the baseline). */
  burst_min_numbers: number;
  /** The same while the prefix's country is under alarm (its conversion collapsed). */
  burst_min_numbers_under_alarm: number;
  /** A prefix with history may burst to this many times its usual numbers per burst window. */
  burst_baseline_factor: number;
  /** Below this share of verified codes, a burst or a settled window is pumping (legitimate traffic: ~0.7). */
  max_conversion: number;
  /** A code not verified this long after its send counts as unverified (before: pending). */
  settle_seconds: number;
  /** The low-conversion rule's window. */
  conversion_window_seconds: number;
  /** Settled sends in that window needed before the low-conversion rule judges. */
  conversion_min_sends: number;
  /** Sends to a prefix in one hour that make a volume spike (before the baseline). */
  volume_min_sends: number;
  /** A prefix with history may send this many times its usual hourly volume. */
  volume_baseline_factor: number;
  /** A spike is pumping only when this share of its sends, or less, is verified. */
  volume_max_conversion: number;
  /** Settled sends to one country in the last hour before its conversion can raise the alarm. */
  country_min_sends: number;
}

export interface PhoneFraudSettings {
  mode: FraudGuardMode;
  cooling_period_seconds: number;
  thresholds: FraudThresholds;
}

export const DEFAULT_THRESHOLDS: Readonly<FraudThresholds> = Object.freeze({
  burst_window_seconds: 600,
  burst_min_numbers: 8,
  burst_min_numbers_under_alarm: 3,
  burst_baseline_factor: 4,
  max_conversion: 0.2,
  settle_seconds: 300,
  conversion_window_seconds: 86_400,
  conversion_min_sends: 20,
  volume_min_sends: 30,
  volume_baseline_factor: 5,
  volume_max_conversion: 0.35,
  country_min_sends: 50,
});

/** The settings of a tenant that never set any; `mode` is the server's default (`PHONE_FRAUD_GUARD_DEFAULT_MODE`). */
export function defaultFraudSettings(mode: FraudGuardMode = 'enforce'): PhoneFraudSettings {
  return { mode, cooling_period_seconds: 86_400, thresholds: { ...DEFAULT_THRESHOLDS } };
}

/** The limits of each threshold: [min, max, integer]. */
const LIMITS: Record<keyof FraudThresholds, [number, number, boolean]> = {
  burst_window_seconds: [60, 86_400, true],
  burst_min_numbers: [2, 100_000, true],
  burst_min_numbers_under_alarm: [2, 100_000, true],
  burst_baseline_factor: [1, 1000, false],
  max_conversion: [0, 1, false],
  settle_seconds: [30, 86_400, true],
  conversion_window_seconds: [3600, 7 * 86_400, true],
  conversion_min_sends: [1, 1_000_000, true],
  volume_min_sends: [1, 1_000_000, true],
  volume_baseline_factor: [1, 1000, false],
  volume_max_conversion: [0, 1, false],
  country_min_sends: [1, 1_000_000, true],
};
export const THRESHOLD_NAMES = Object.keys(LIMITS) as Array<keyof FraudThresholds>;
export const THRESHOLD_LIMITS = LIMITS;
export const COOLING_LIMITS = { min: 60, max: 30 * 86_400 } as const;

const bad = (msg: string) => new AppError('invalid_body', `Payload validation error: ${msg}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function number(v: unknown, where: string, [min, max, integer]: [number, number, boolean]): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) throw bad(`${where} must be ${integer ? 'an integer' : 'a number'}`);
  if (v < min || v > max) throw bad(`${where} must be between ${min} and ${max}`);
  return v;
}

/** Whole settings from untrusted JSON (the API after its merge): every part checked; what is missing is its default. */
export function parseFraudSettings(v: unknown, defaultMode: FraudGuardMode = 'enforce'): PhoneFraudSettings {
  if (!isObject(v)) throw bad('the settings must be a JSON object');
  for (const k of Object.keys(v)) if (!['mode', 'cooling_period_seconds', 'thresholds'].includes(k)) throw bad(`Additional properties not allowed: ${k}`);
  const out = defaultFraudSettings(defaultMode);
  if (v['mode'] !== undefined) {
    if (!FRAUD_GUARD_MODES.includes(v['mode'] as FraudGuardMode)) throw bad(`mode must be one of ${FRAUD_GUARD_MODES.join(', ')}`);
    out.mode = v['mode'] as FraudGuardMode;
  }
  if (v['cooling_period_seconds'] !== undefined) out.cooling_period_seconds = number(v['cooling_period_seconds'], 'cooling_period_seconds', [COOLING_LIMITS.min, COOLING_LIMITS.max, true]);
  const t = v['thresholds'];
  if (t !== undefined) {
    if (!isObject(t)) throw bad('thresholds must be an object');
    for (const [k, x] of Object.entries(t)) {
      const limits = LIMITS[k as keyof FraudThresholds];
      if (!limits) throw bad(`Additional properties not allowed: ${k} in thresholds`);
      out.thresholds[k as keyof FraudThresholds] = number(x, `thresholds.${k}`, limits);
    }
  }
  return out;
}

/** Digits dropped from a number to make its prefix: one prefix is a block of 10,000 numbers. */
export const PREFIX_DROPPED_DIGITS = 4;

/**
 * The destination prefix of an E.164 number: the number without its last four digits, but never
 * shorter than its country calling code and one digit (a short national number keeps that much).
 * `callingCode`, when the caller parsed the number already, saves parsing it again.
 * Why four: see docs/abuse.md ("The prefix").
 */
export function prefixOf(e164: string, callingCode?: string): string {
  const cc = callingCode ?? parsePhoneNumberFromString(e164)?.countryCallingCode ?? '';
  const keep = Math.max(e164.length - PREFIX_DROPPED_DIGITS, 1 + cc.length + 1);
  return e164.slice(0, Math.min(keep, e164.length));
}

/** A prefix as an operator may give it (`+4479111`, or digits): `+` and 1–15 digits. */
export function parsePrefix(v: string): string | undefined {
  const s = v.trim();
  const withPlus = s.startsWith('+') ? s : `+${s}`;
  return /^\+[1-9]\d{0,14}$/.test(withPlus) ? withPlus : undefined;
}
