import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A recipient as the send policy sees it: E.164, its country and its number type. */
export interface ParsedRecipient {
  e164: string;
  /** ISO 3166-1 alpha-2 (`US`, `GB`), when the number belongs to one region. */
  country: string | undefined;
  /**
   * libphonenumber's type from its full metadata: `MOBILE`, `FIXED_LINE`, `FIXED_LINE_OR_MOBILE`,
   * `PREMIUM_RATE`, `SHARED_COST`, `TOLL_FREE`, `VOIP`, `PERSONAL_NUMBER`, `PAGER`, `UAN`,
   * `VOICEMAIL`; undefined when the metadata cannot tell.
   */
  numberType: string | undefined;
  /** The country calling code (`1`, `44`), from the same parse. */
  callingCode?: string;
}

/** Parsed numbers by E.164 text (undefined: not valid). Full-metadata parsing is the costliest step of an enqueue; numbers recur (MFA, retries). */
const parsed = new Map<string, ParsedRecipient | undefined>();

function parseE164(value: string): ParsedRecipient | undefined {
  if (!/^\+[1-9]\d{6,14}$/.test(value)) return undefined;
  if (parsed.has(value)) return parsed.get(value);
  const p = parsePhoneNumberFromString(value);
  // With the full metadata a number is valid exactly when it has a type (libphonenumber's isValid
  // computes the type itself); isValid runs only when there is none, so the type is computed once.
  const numberType = p?.getType();
  const result = p && (numberType !== undefined || p.isValid()) && p.number === value ? { e164: value, country: p.country, numberType, callingCode: p.countryCallingCode } : undefined;
  if (parsed.size >= 10_000) parsed.delete(parsed.keys().next().value!);
  parsed.set(value, result);
  return result;
}

/**
 * True when `value` is a valid phone number written in E.164 (`+` and 8-15 digits) according to
 * libphonenumber's full metadata (the "max" set; the default "min" set accepts invalid numbers).
 */
export function isE164(value: string): boolean {
  return parseE164(value) !== undefined;
}

/**
 * Normalises a recipient and parses it. Accepts `+`-prefixed numbers and, as Auth0's `/try`
 * endpoints do, digits with the country code but without the `+` (`911234567890`). Undefined when not valid.
 */
export function parseRecipient(value: string): ParsedRecipient | undefined {
  const trimmed = value.trim().replace(/[\s().-]/g, '');
  return parseE164(trimmed.startsWith('+') ? trimmed : `+${trimmed}`);
}

/** `parseRecipient(value)?.e164`. */
export function toE164(value: string): string | undefined {
  return parseRecipient(value)?.e164;
}
