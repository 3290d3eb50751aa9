import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { LoginFailureRepository } from './ports.js';

/** Auth0's default brute-force threshold (the sms connection has no threshold option of its own). */
export const PASSWORDLESS_BRUTE_FORCE_THRESHOLD = 10;
/** A block is lifted after 30 days, as Auth0's brute-force blocks are. */
const BLOCK_DAYS = 30;
const BLOCKED_MESSAGE = 'Your account has been blocked after multiple consecutive login attempts.';

/**
 * Brute-force protection of the `passwordless/otp` grant, what the sms connection's
 * `brute_force_protection` option turns on: wrong codes are counted per (connection, phone number,
 * IP); the one that reaches the threshold blocks that IP for that number, and every login from it
 * for the number is then 429 `too_many_attempts` (a right code included, and not spent) until the
 * block is 30 days old. A right code forgets the IP's failures. Another IP, or another number, is not
 * affected.
 *
 * The failures live in the `login_failures` rows (shared by every node) under a subject that is no
 * user id (`passwordless|{connection}|{phone}`): the number may have no user yet, since the grant
 * signs the user up. Each code also allows only 3 attempts, consumed by one conditional UPDATE, so
 * concurrent guesses can pass the threshold by a code's attempts at most.
 */
export class PasswordlessGuard {
  constructor(
    private readonly failures: LoginFailureRepository,
    private readonly clock: Clock,
  ) {}

  /** Throws 429 `too_many_attempts` when the IP is blocked for the number. */
  async assertNotBlocked(tenantId: string, connection: string, phone: string, ip: string): Promise<void> {
    const f = await this.failures.get(tenantId, passwordlessSubject(connection, phone), ip);
    if (!f?.blockedAt) return;
    if (Date.parse(f.blockedAt) + BLOCK_DAYS * 86_400_000 > this.clock.now().getTime()) throw blocked();
    // The block has run out: start counting again.
    await this.failures.clear(tenantId, passwordlessSubject(connection, phone), ip);
  }

  /** Counts a wrong code; the one reaching the threshold blocks the IP for the number and throws 429. */
  async failed(tenantId: string, connection: string, phone: string, ip: string): Promise<void> {
    const subject = passwordlessSubject(connection, phone);
    const now = this.clock.now().toISOString();
    const f = await this.failures.increment(tenantId, subject, ip, now);
    if (f.count < PASSWORDLESS_BRUTE_FORCE_THRESHOLD) return;
    if (!f.blockedAt) await this.failures.markBlocked(tenantId, subject, ip, now);
    throw blocked();
  }

  /** A right code: forgets the IP's failures for the number (a block set meanwhile stays, and refuses). */
  async succeeded(tenantId: string, connection: string, phone: string, ip: string): Promise<void> {
    if (await this.failures.clearUnlessBlocked(tenantId, passwordlessSubject(connection, phone), ip)) throw blocked();
  }
}

const blocked = () => new AppError('too_many_attempts', BLOCKED_MESSAGE);

/** Whose failures the `login_failures` rows of a number's passwordless logins are (a number may have no user yet). */
export function passwordlessSubject(connection: string, phone: string): string {
  return `passwordless|${connection}|${phone}`;
}
