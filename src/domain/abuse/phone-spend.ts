import { getCountries } from 'libphonenumber-js/max';
import { AppError } from '../errors.js';
import type { DeliveryMethod } from '../ports.js';
import { NON_GEOGRAPHIC } from './phone-send-policy.js';

/**
 * Spend caps (`/api/v2/attack-protection/phone-spend`): what each send costs, by country and delivery
 * method, and a tenant's daily and monthly caps. Amounts in the API are decimal units of `currency`
 * (USD); stored totals are integer micro-units, so that sums are exact. docs/abuse.md ("Spend caps").
 */

export interface Price {
  text: number;
  voice: number;
}

/**
 * Shipped prices per message (text: one SMS segment; voice: one short call), rounded ballpark figures
 * of public list prices for sending from a US account — not any provider's quote. A tenant overrides
 * any of them (`prices`). The high ones (Central Asia, the South Pacific…) are where pumping goes.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = Object.freeze({
  default: { text: 0.1, voice: 0.1 },
  US: { text: 0.0083, voice: 0.014 },
  CA: { text: 0.0083, voice: 0.014 },
  GB: { text: 0.04, voice: 0.02 },
  IE: { text: 0.07, voice: 0.03 },
  DE: { text: 0.09, voice: 0.03 },
  FR: { text: 0.08, voice: 0.03 },
  ES: { text: 0.08, voice: 0.03 },
  IT: { text: 0.08, voice: 0.03 },
  NL: { text: 0.1, voice: 0.03 },
  IN: { text: 0.08, voice: 0.05 },
  BR: { text: 0.05, voice: 0.05 },
  MX: { text: 0.06, voice: 0.04 },
  AU: { text: 0.06, voice: 0.04 },
  UZ: { text: 0.3, voice: 0.35 },
  AZ: { text: 0.3, voice: 0.3 },
  KG: { text: 0.25, voice: 0.3 },
  TJ: { text: 0.3, voice: 0.35 },
  PG: { text: 0.35, voice: 0.6 },
  [NON_GEOGRAPHIC]: { text: 0.5, voice: 2.0 },
});

export interface PhoneSpendSettings {
  /** Caps in `currency` units per UTC day and calendar month (UTC); null: no cap. */
  daily_cap: number | null;
  monthly_cap: number | null;
  /** The tenant's prices, over the shipped ones: a country code (or `default`, or `001`), either method. */
  prices: Record<string, Partial<Price>>;
}

export const CURRENCY = 'USD';
export const MICRO = 1_000_000;
export const toMicro = (x: number): number => Math.round(x * MICRO);
export const fromMicro = (x: number): number => x / MICRO;

export function defaultSpendSettings(): PhoneSpendSettings {
  return { daily_cap: null, monthly_cap: null, prices: {} };
}

/** The price of one send: the tenant's price for the country, the shipped one, the tenant's default, the shipped default. */
export function priceOf(s: PhoneSpendSettings, country: string | undefined, method: DeliveryMethod): number {
  const c = country ?? NON_GEOGRAPHIC;
  return s.prices[c]?.[method] ?? DEFAULT_PRICES[c]?.[method] ?? s.prices['default']?.[method] ?? DEFAULT_PRICES['default']![method];
}

/** The UTC day (`2026-12-04`) and month (`2026-12`) of `now`, and the seconds until each ends. */
export function periodsOf(now: Date): { day: string; month: string; dayEndsIn: number; monthEndsIn: number } {
  // Every send asks; within one second the answer is the same.
  const second = Math.floor(now.getTime() / 1000);
  if (lastPeriods?.second === second) return lastPeriods.periods;
  const periods = computePeriods(now);
  lastPeriods = { second, periods: Object.freeze(periods) };
  return periods;
}

let lastPeriods: { second: number; periods: ReturnType<typeof computePeriods> } | undefined;

function computePeriods(now: Date): { day: string; month: string; dayEndsIn: number; monthEndsIn: number } {
  const iso = now.toISOString();
  const dayEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const secs = (t: number) => Math.max(1, Math.ceil((t - now.getTime()) / 1000));
  return { day: iso.slice(0, 10), month: iso.slice(0, 7), dayEndsIn: secs(dayEnd), monthEndsIn: secs(monthEnd) };
}

// ---- validation -----------------------------------------------------------------------------

const PRICE_KEYS: ReadonlySet<string> = new Set([...getCountries(), NON_GEOGRAPHIC, 'default']);
const MAX_CAP = 1_000_000_000;
const MAX_PRICE = 1000;
const bad = (msg: string) => new AppError('invalid_body', `Payload validation error: ${msg}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function amount(v: unknown, where: string, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) throw bad(`${where} must be a number from 0 to ${max}`);
  return toMicro(v) / MICRO;
}

export function parseSpendSettings(v: unknown): PhoneSpendSettings {
  if (!isObject(v)) throw bad('the settings must be a JSON object');
  for (const k of Object.keys(v)) if (!['daily_cap', 'monthly_cap', 'prices'].includes(k)) throw bad(`Additional properties not allowed: ${k}`);
  const out = defaultSpendSettings();
  for (const k of ['daily_cap', 'monthly_cap'] as const) {
    if (v[k] !== undefined && v[k] !== null) out[k] = amount(v[k], k, MAX_CAP);
  }
  const p = v['prices'];
  if (p !== undefined) {
    if (!isObject(p)) throw bad('prices must be an object');
    for (const [country, price] of Object.entries(p)) {
      if (!PRICE_KEYS.has(country)) throw bad(`prices has an unknown country code: ${JSON.stringify(country)} (ISO 3166-1 alpha-2, ${NON_GEOGRAPHIC} or default)`);
      if (!isObject(price)) throw bad(`prices.${country} must be an object`);
      const entry: Partial<Price> = {};
      for (const [m, x] of Object.entries(price)) {
        if (m !== 'text' && m !== 'voice') throw bad(`Additional properties not allowed: ${m} in prices.${country}`);
        entry[m] = amount(x, `prices.${country}.${m}`, MAX_PRICE);
      }
      if (Object.keys(entry).length > 0) out.prices[country] = entry;
    }
  }
  return out;
}
