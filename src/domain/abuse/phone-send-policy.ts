import { getCountries } from 'libphonenumber-js/max';
import { AppError } from '../errors.js';
import { SEND_FLOWS, type SendFlow } from '../notifications/send-flows.js';
import type { DeliveryMethod } from '../ports.js';

/**
 * A tenant's phone send policy: where its messages may go (countries, number types) and, per flow,
 * by which delivery methods. It is the configuration behind the `phone_send_policy` guard
 * (`phone-send-policy-guard.ts`) and `/api/v2/attack-protection/phone-send-policy`; docs/abuse.md
 * explains the rules and the defaults. The shape is the API's (snake_case), stored as one JSON value.
 */

/**
 * `allow_list`: only the listed countries; `deny_list`: every country but the listed ones;
 * `monitor`: nothing is denied, a send to a listed country is recorded (`country_monitored`).
 */
export type CountryMode = 'allow_list' | 'deny_list' | 'monitor';
export const COUNTRY_MODES: readonly CountryMode[] = ['allow_list', 'deny_list', 'monitor'];

/** libphonenumber's region code for numbers of no country (+800, +808, +870, +878, +881, +882, +883, +888, +979). */
export const NON_GEOGRAPHIC = '001';

export interface CountryRule {
  mode: CountryMode;
  /** ISO 3166-1 alpha-2 codes as libphonenumber knows them (and `001`, non-geographic numbers). */
  list: string[];
}

/**
 * The number types libphonenumber's full metadata reports (`ParsedRecipient.numberType`), and
 * `UNKNOWN` for a number it reports none for.
 */
export const NUMBER_TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
  'UNKNOWN',
] as const;
export type NumberType = (typeof NUMBER_TYPES)[number];

/** `enforce`: a blocked type is denied; `monitor`: it is recorded (`number_type_monitored`) and sent. */
export type NumberTypeMode = 'enforce' | 'monitor';
export const NUMBER_TYPE_MODES: readonly NumberTypeMode[] = ['enforce', 'monitor'];

export interface NumberTypeRule {
  mode: NumberTypeMode;
  blocked: NumberType[];
}

/** A flow's own rules; what it leaves out is the tenant's rule (each part replaces it whole). */
export interface FlowOverride {
  countries?: CountryRule;
  number_types?: NumberTypeRule;
  /** The delivery methods the flow may use; both when left out. */
  delivery_methods?: DeliveryMethod[];
}

export interface PhoneSendPolicy {
  countries: CountryRule;
  number_types: NumberTypeRule;
  flows: Partial<Record<SendFlow, FlowOverride>>;
}

export const DELIVERY_METHODS: readonly DeliveryMethod[] = ['text', 'voice'];

/**
 * The types blocked by default: none of them is a phone a person reads a code on, and each is a way
 * to be paid for the traffic sent to it (toll fraud, SMS pumping). See docs/abuse.md.
 */
export const DEFAULT_BLOCKED_TYPES: readonly NumberType[] = ['PREMIUM_RATE', 'SHARED_COST', 'UAN', 'PAGER', 'VOICEMAIL'];

/** A tenant that never set a policy has this one: every country, the risky number types blocked, every method. */
export function defaultPhoneSendPolicy(): PhoneSendPolicy {
  return {
    countries: { mode: 'deny_list', list: [] },
    number_types: { mode: 'enforce', blocked: [...DEFAULT_BLOCKED_TYPES] },
    flows: {},
  };
}

// ---- validation -----------------------------------------------------------------------------

const REGIONS: ReadonlySet<string> = new Set<string>([...getCountries(), NON_GEOGRAPHIC]);
/** Longest list accepted: every region libphonenumber knows. */
export const MAX_COUNTRIES = REGIONS.size;

const bad = (msg: string) => new AppError('invalid_body', `Payload validation error: ${msg}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function onlyKeys(v: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw bad(`Additional properties not allowed: ${k}${where ? ` in ${where}` : ''}`);
}

function required<T>(v: Record<string, unknown>, key: string, where: string): T {
  if (v[key] === undefined) throw bad(`Missing required property: ${where}.${key}`);
  return v[key] as T;
}

function enumValue<T extends string>(v: unknown, allowed: readonly T[], where: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw bad(`${where} must be one of ${allowed.join(', ')}; got ${JSON.stringify(v)}`);
  return v as T;
}

function uniqueList(v: unknown, where: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw bad(`${where} must be an array`);
  if (v.length > max) throw bad(`${where} has more than ${max} items`);
  if (new Set(v).size !== v.length) throw bad(`${where} has duplicate items`);
  return v;
}

function parseCountries(v: unknown, where: string): CountryRule {
  if (!isObject(v)) throw bad(`${where} must be an object`);
  onlyKeys(v, ['mode', 'list'], where);
  const mode = enumValue(required(v, 'mode', where), COUNTRY_MODES, `${where}.mode`);
  const list = uniqueList(required(v, 'list', where), `${where}.list`, MAX_COUNTRIES);
  const unknown = list.filter((c) => typeof c !== 'string' || !REGIONS.has(c));
  if (unknown.length > 0) {
    throw bad(`${where}.list has unknown country codes: ${unknown.map((c) => JSON.stringify(c)).join(', ')} (ISO 3166-1 alpha-2, upper case, or ${NON_GEOGRAPHIC} for non-geographic numbers)`);
  }
  return { mode, list: list as string[] };
}

function parseNumberTypes(v: unknown, where: string): NumberTypeRule {
  if (!isObject(v)) throw bad(`${where} must be an object`);
  onlyKeys(v, ['mode', 'blocked'], where);
  const mode = enumValue(required(v, 'mode', where), NUMBER_TYPE_MODES, `${where}.mode`);
  const blocked = uniqueList(required(v, 'blocked', where), `${where}.blocked`, NUMBER_TYPES.length);
  const unknown = blocked.filter((t) => typeof t !== 'string' || !(NUMBER_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) throw bad(`${where}.blocked has unknown number types: ${unknown.map((t) => JSON.stringify(t)).join(', ')} (known: ${NUMBER_TYPES.join(', ')})`);
  return { mode, blocked: blocked as NumberType[] };
}

function parseMethods(v: unknown, where: string): DeliveryMethod[] {
  const list = uniqueList(v, where, DELIVERY_METHODS.length);
  return list.map((m, i) => enumValue(m, DELIVERY_METHODS, `${where}.${i}`));
}

function parseFlow(v: unknown, where: string): FlowOverride {
  if (!isObject(v)) throw bad(`${where} must be an object`);
  onlyKeys(v, ['countries', 'number_types', 'delivery_methods'], where);
  const out: FlowOverride = {};
  if (v['countries'] !== undefined) out.countries = parseCountries(v['countries'], `${where}.countries`);
  if (v['number_types'] !== undefined) out.number_types = parseNumberTypes(v['number_types'], `${where}.number_types`);
  if (v['delivery_methods'] !== undefined) out.delivery_methods = parseMethods(v['delivery_methods'], `${where}.delivery_methods`);
  return out;
}

/**
 * A whole policy from untrusted JSON (the API after its merge, the CLI's file): every part checked,
 * a missing top-level part is its default. Bad input is 400 `invalid_body`, naming what is wrong.
 */
export function parsePhoneSendPolicy(v: unknown): PhoneSendPolicy {
  if (!isObject(v)) throw bad('the policy must be a JSON object');
  onlyKeys(v, ['countries', 'number_types', 'flows'], '');
  const defaults = defaultPhoneSendPolicy();
  const flows: PhoneSendPolicy['flows'] = {};
  if (v['flows'] !== undefined) {
    if (!isObject(v['flows'])) throw bad('flows must be an object');
    onlyKeys(v['flows'], SEND_FLOWS, 'flows');
    for (const flow of SEND_FLOWS) {
      const o = v['flows'][flow];
      if (o === undefined) continue;
      const parsed = parseFlow(o, `flows.${flow}`);
      if (Object.keys(parsed).length > 0) flows[flow] = parsed;
    }
  }
  return {
    countries: v['countries'] === undefined ? defaults.countries : parseCountries(v['countries'], 'countries'),
    number_types: v['number_types'] === undefined ? defaults.number_types : parseNumberTypes(v['number_types'], 'number_types'),
    flows,
  };
}

/**
 * RFC 7396 JSON merge patch: objects merge key by key, `null` removes a key (back to its default, or
 * no override), anything else replaces. The result is parsed as a whole policy.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
