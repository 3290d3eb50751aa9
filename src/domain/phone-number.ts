import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * True when `value` is a valid phone number written in E.164 (`+` and 8-15 digits) according to
 * libphonenumber's full metadata (the "max" set; the default "min" set accepts invalid numbers).
 */
export function isE164(value: string): boolean {
  if (!/^\+[1-9]\d{6,14}$/.test(value)) return false;
  const known = validity.get(value);
  if (known !== undefined) return known;
  const parsed = parsePhoneNumberFromString(value);
  const valid = Boolean(parsed?.isValid() && parsed.number === value);
  // Full-metadata validation is the costliest step of an enqueue; numbers recur (MFA, retries).
  if (validity.size >= 10_000) validity.delete(validity.keys().next().value!);
  validity.set(value, valid);
  return valid;
}

const validity = new Map<string, boolean>();

/**
 * Normalises a recipient to E.164. Accepts `+`-prefixed numbers and, as Auth0's `/try` endpoints do,
 * digits with the country code but without the `+` (`911234567890`). Undefined when not valid.
 */
export function toE164(value: string): string | undefined {
  const trimmed = value.trim().replace(/[\s().-]/g, '');
  const candidate = trimmed.startsWith('+') ? trimmed : `+${trimmed}`;
  return isE164(candidate) ? candidate : undefined;
}
