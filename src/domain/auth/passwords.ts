import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Password hashing with scrypt (memory-hard; in Node's crypto, so no native dependency).
 *
 * Parameters: N = 2^15, r = 8, p = 1 (≈ 32 MiB and, on a current core, some tens of milliseconds per
 * hash), a 16-byte random salt, a 32-byte derived key. The stored form carries its parameters, so they
 * can be raised later without invalidating existing hashes (`needsRehash`):
 *
 *     scrypt$<N>$<r>$<p>$<salt, base64>$<key, base64>
 *
 * Hashing and verifying run on libuv's thread pool (the async `crypto.scrypt`), never on the event
 * loop. Comparison is constant-time. A stored value with unknown or out-of-range parameters never
 * verifies (and is never computed: a crafted N cannot make the server allocate gigabytes).
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;

const scrypt = promisify(scryptCb) as (password: string | Buffer, salt: Buffer, keylen: number, options: ScryptOptions) => Promise<Buffer>;

/** scrypt needs 128·N·r bytes; OpenSSL refuses at exactly its limit, so leave headroom. */
const maxmemFor = (N: number, r: number) => 128 * N * r * 2;

/** Bounds a stored hash's parameters must fall in to be computed at all. */
const MAX_N = 2 ** 20;
const MAX_R = 16;
const MAX_P = 4;

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, saltBytes, keyBytes } = SCRYPT_PARAMS;
  const salt = randomBytes(saltBytes);
  const key = await scrypt(password.normalize('NFKC'), salt, keyBytes, { N, r, p, maxmem: maxmemFor(N, r) });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface Parsed {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parse(encoded: string): Parsed | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((v) => (/^\d{1,8}$/.test(v!) ? Number(v) : NaN)) as [number, number, number];
  if (!(N >= 2 && N <= MAX_N && (N & (N - 1)) === 0)) return undefined;
  if (!(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P)) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 64) return undefined;
  return { N, r, p, salt, key };
}

/** True when `password` matches the stored hash. Malformed stored values never match. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const h = parse(encoded);
  if (!h) return false;
  const key = await scrypt(password.normalize('NFKC'), h.salt, h.key.length, { N: h.N, r: h.r, p: h.p, maxmem: maxmemFor(h.N, h.r) });
  return timingSafeEqual(key, h.key);
}

/** True when the stored hash was made with other parameters than today's (rehash after a successful login). */
export function needsRehash(encoded: string): boolean {
  const h = parse(encoded);
  const { N, r, p, keyBytes } = SCRYPT_PARAMS;
  return !h || h.N !== N || h.r !== r || h.p !== p || h.key.length !== keyBytes;
}

let dummy: Promise<string> | undefined;
/**
 * Spends the time of one verification against a throwaway hash: for logins of unknown users, so the
 * answer time does not tell whether an account exists.
 */
export async function verifyDummy(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummy);
  return false;
}
