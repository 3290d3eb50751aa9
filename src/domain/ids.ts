import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random base62 string from a CSPRNG (unbiased: randomInt rejects out-of-range draws). */
export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** Resource ids in Auth0's shape: a prefix, an underscore and 22 base62 characters (e.g. `pro_3UzyS4veHQLMTCt3EzXgTt`). */
export type IdPrefix = 'pro' | 'tem' | 'cgr' | 'ten' | 'key' | 'ntf';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(22)}`;
}

const ID_RE = /^[a-z]{3}_[A-Za-z0-9]{22}$/;

export function isId(prefix: IdPrefix, value: string): boolean {
  return ID_RE.test(value) && value.startsWith(`${prefix}_`);
}

/** Client ids are 32 base62 characters, as Auth0's. */
export function newClientId(): string {
  return randomBase62(32);
}

export function newClientSecret(): string {
  return randomBase62(64);
}

let seq = 0;
/**
 * An id that sorts by creation time (millisecond timestamp, a per-process sequence, then randomness),
 * for log entries and timeline events whose order matters even within one millisecond.
 */
export function sortableId(now: Date = new Date()): string {
  seq = (seq + 1) % 1_000_000;
  return `${now.getTime().toString().padStart(14, '0')}${seq.toString().padStart(6, '0')}${randomBase62(6)}`;
}
