import { randomFillSync } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * CSPRNG bytes drawn in blocks: one refill serves many ids and nonces (a call per character cost 2 %
 * of a send; a `randomBytes` call costs about as much as refilling the whole block).
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** Where in the pool `n` fresh bytes start, refilling it first when fewer are left: no byte is handed out twice. */
function reserve(n: number): number {
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const at = used;
  used += n;
  return at;
}

/** `n` (at most the pool's size) fresh CSPRNG bytes from the pool, as a buffer of their own. */
export function randomBytesPooled(n: number): Buffer {
  if (n > pool.length) throw new RangeError(`at most ${pool.length} bytes at a time`);
  const at = reserve(n);
  return Buffer.from(pool.subarray(at, at + n));
}

/**
 * A random base62 string from a CSPRNG. Unbiased: a byte of 248 or more (248 = 4 × 62) is
 * rejected, so `byte % 62` is uniform.
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = pool[reserve(1)]!;
    if (byte < 248) out += ALPHABET[byte % 62];
  }
  return out;
}

/** Resource ids in Auth0's shape: a prefix, an underscore and 22 base62 characters (e.g. `pro_3UzyS4veHQLMTCt3EzXgTt`). */
export type IdPrefix = 'pro' | 'tem' | 'cgr' | 'ten' | 'key' | 'ntf';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(22)}`;
}

/** Base62 digits in ASCII order, so that a fixed-width number written with them sorts as the number does. */
const ORDERED = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CLOCK_DIGITS = 8;

/**
 * A base62 string of `length` characters that starts with the millisecond clock (8 characters, good
 * for 6 900 years) and goes on with CSPRNG characters: rows written with such keys land at the end of
 * their primary-key index instead of on a random page of it, which keeps the pages a commit dirties
 * few on the tables written on every send and login. Uniqueness and unguessability come from the
 * random part (`length - 8` characters: at least 14, 83 bits); the creation time is readable from it.
 */
export function timeOrderedBase62(length: number, now: number = Date.now()): string {
  if (length < CLOCK_DIGITS + 14) throw new RangeError('a time-ordered id needs at least 22 characters');
  let clock = '';
  for (let t = Math.floor(now), i = 0; i < CLOCK_DIGITS; i++, t = Math.floor(t / 62)) clock = ORDERED[t % 62]! + clock;
  return clock + randomBase62(length - CLOCK_DIGITS);
}

/** A notification id: Auth0's resource id shape, time-ordered (see `timeOrderedBase62`). */
export function newNotificationId(now?: number): string {
  return `ntf_${timeOrderedBase62(22, now)}`;
}

/**
 * A user id in the shape of Auth0's (`sms|` and 24 hex characters: a MongoDB ObjectId, whose first
 * four bytes are the creation time in seconds), here the seconds then eight CSPRNG bytes: time-ordered
 * for the same reason as `timeOrderedBase62`.
 */
export function newUserIdSuffix(now: number = Date.now()): string {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(Math.floor(now / 1000) >>> 0, 0);
  randomBytesPooled(8).copy(b, 4);
  return b.toString('hex');
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
