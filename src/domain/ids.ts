import { randomFillSync } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** CSPRNG bytes drawn in blocks: one refill serves many ids (a call per character cost 2 % of a send). */
const pool = Buffer.alloc(4096);
let used = pool.length;

/**
 * A random base62 string from a CSPRNG. Unbiased: a byte of 248 or more (248 = 4 × 62) is
 * rejected, so `byte % 62` is uniform.
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    if (used === pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    const byte = pool[used++]!;
    if (byte < 248) out += ALPHABET[byte % 62];
  }
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
