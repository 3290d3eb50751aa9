import type { CounterSpec, RateCounters } from '../abuse/rate-counters.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { EnqueueInput } from '../notifications/notification-service.js';
import type { NotificationContext } from '../notifications/sender.js';
import type { TenantRecord } from '../ports.js';
import type { DatabaseConnectionOptions, LoginFailureRecord, LoginFailureRepository, UserRecord } from './ports.js';

const BLOCKED_MESSAGE = 'Your account has been blocked after multiple consecutive login attempts.';
const blockedError = () => new AppError('too_many_attempts', BLOCKED_MESSAGE);

/**
 * The per-user throttle across addresses: wrong passwords for one user, from any address, per window.
 * The per-(user, IP) block alone lets an attacker who rotates addresses (an IPv6 /64 has 2^64 of them)
 * test `threshold - 1` passwords per address without end; this caps the guesses per user. Past it,
 * password checks of the user are refused (429, `Retry-After`) until the window ends, from every
 * address: a user can be kept out by someone guessing for them, for at most the window, which is
 * why the limit is far above what a person mistypes (docs/api.md, "Passwords").
 */
export const USER_FAILURE_LIMIT = { limit: 100, windowSeconds: 3600 } as const;

/** The part of NotificationService the directory needs (blocked_account and password_breach sends). */
export interface NotificationPort {
  enqueue(tenant: TenantRecord, input: EnqueueInput): Promise<unknown>;
}

/** Where an IP address is, when a data set is configured; none ships by default (docs/api.md). */
export interface GeoIpLookup {
  lookup(ip: string): { city?: string; country?: string } | undefined;
}

export interface GuardLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** What the flows know about the request behind a login, passed on to the notifications. */
export type LoginContext = Pick<NotificationContext, 'client' | 'request' | 'transaction' | 'ui_locales'>;

/**
 * The `login_failures` row that records "the password_breach notice was sent for the current
 * password": `increment` returns 1 exactly once, so one notice per password whatever the concurrency;
 * a password change clears it with the user's other rows. Never blocked, so no user-block lists it.
 */
export const BREACH_NOTICE_KEY = 'password_breach_notified';

/** How long a check in flight is counted at most (a process that died in a check stops counting then). */
const IN_FLIGHT_WINDOW_SECONDS = 60;
/** How often a check that waits for one in flight looks again, and for how long in all. */
const WAIT_POLL_MS = 20;
const WAIT_MAX_MS = 15_000;

/**
 * Brute-force protection and breached-password notices (Auth0's attack protection, per connection).
 * Failures are counted per (user, IP) in storage, so every node sees the same counts.
 */
export class LoginGuard {
  constructor(
    private readonly failures: LoginFailureRepository,
    private readonly clock: Clock,
    private readonly notifications: NotificationPort,
    private readonly profile: (u: UserRecord) => NonNullable<NotificationContext['user']>,
    private readonly geoip: GeoIpLookup | undefined,
    private readonly log: GuardLogger | undefined,
    /** The counters every process shares: the checks in flight and the failures per user are counted there. */
    private readonly counters: RateCounters,
    private readonly perUser: { limit: number; windowSeconds: number } = USER_FAILURE_LIMIT,
  ) {}

  /**
   * A counter store that fails (Redis unreachable) must not stop every login: the gate then decides on
   * the recorded failures alone (in the database), as if nothing were in flight, and says so in the log.
   */
  private async orUnavailable<T>(p: Promise<T>, tenantId: string): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      this.log?.warn({ tenantId, err: (e as Error).message }, 'brute-force gate: the counter store failed; deciding on the recorded failures alone');
      return undefined;
    }
  }

  private userSpec(): CounterSpec {
    return { name: 'bf.user', limit: this.perUser.limit, windowSeconds: this.perUser.windowSeconds };
  }

  /** Throws 429 `too_many_attempts` (with `Retry-After`) while the user's failures across all addresses are past the limit. */
  private async throttled(tenant: TenantRecord, user: UserRecord): Promise<void> {
    const s = await this.orUnavailable(this.counters.get(this.userSpec(), `${tenant.id}\0${user.userId}`), tenant.id);
    if (!s || s.consumed < this.perUser.limit) return;
    const e = new AppError('too_many_attempts', 'Too many failed login attempts for this account. Try again later.');
    e.headers = { 'retry-after': String(Math.max(1, Math.ceil(s.msBeforeNext / 1000))), 'x-ratelimit-limit': String(this.perUser.limit) };
    throw e;
  }

  /**
   * Admits a password check for (user, IP), to be ended with the returned `release` once its outcome
   * is recorded. Throws 429 `too_many_attempts` when the IP is blocked for the user. Checks in flight
   * count against the threshold with the recorded failures: past it, a check waits until one in
   * flight ends, then looks again. So a burst of concurrent guesses cannot test more passwords than
   * the threshold allows (the rest find the IP blocked), while a burst of right passwords is only
   * delayed, never refused (unless it waits longer than 15 s).
   *
   * The checks in flight are counted in the shared counters (`bf.inflight`), not in this process:
   * N processes together admit the threshold, not N × the threshold. The count is taken before the
   * failures are read: a check that ended before it has recorded its failure before the read; one
   * that ends after it is still counted as in flight (a failure counted twice only makes a check wait).
   */
  async attempt(tenant: TenantRecord, user: UserRecord, ip: string, threshold: number): Promise<() => void> {
    const key = `${tenant.id}\0${user.userId}\0${ip}`;
    const spec: CounterSpec = { name: 'bf.inflight', limit: threshold, windowSeconds: IN_FLIGHT_WINDOW_SECONDS };
    await this.throttled(tenant, user);
    const deadline = Date.now() + WAIT_MAX_MS;
    for (;;) {
      const inFlight = await this.orUnavailable(this.counters.consume(spec, key), tenant.id);
      // The window that counted this check; once it is over, the point went with it, and taking it back
      // would count the next window below zero (admitting extra checks).
      const windowEnds = Date.now() + (inFlight?.msBeforeNext ?? 0);
      const giveBack = () => (Date.now() < windowEnds ? this.counters.reward(spec, key) : Promise.resolve());
      let admitted = false;
      try {
        const f = await this.failures.get(tenant.id, user.userId, ip);
        if (f?.blockedAt) throw blockedError();
        const failed = f?.count ?? 0;
        // The recorded failures alone reach the threshold: nothing in flight can change that.
        if (failed >= threshold) throw blockedError();
        if (!inFlight) return () => undefined;
        if (failed + inFlight.consumed <= threshold) {
          admitted = true;
          let released = false;
          return () => {
            if (released) return;
            released = true;
            void giveBack().catch((e: Error) => this.log?.warn({ tenantId: tenant.id, err: e.message }, 'brute-force gate: a check could not be ended'));
          };
        }
      } finally {
        if (!admitted && inFlight) await this.orUnavailable(giveBack(), tenant.id);
      }
      if (Date.now() > deadline) throw blockedError();
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
    }
  }

  /**
   * Counts a wrong password. The failure that reaches the threshold blocks the IP for the user, sends
   * `blocked_account` to the user's verified phone, and throws `too_many_attempts`.
   */
  async failed(tenant: TenantRecord, user: UserRecord, ip: string, threshold: number, context: LoginContext): Promise<void> {
    const [f] = await Promise.all([
      this.failures.increment(tenant.id, user.userId, ip, this.clock.now().toISOString()),
      this.orUnavailable(this.counters.consume(this.userSpec(), `${tenant.id}\0${user.userId}`), tenant.id),
    ]);
    if (f.count < threshold) return;
    if (f.count > threshold || f.blockedAt) throw blockedError();
    // False when a right password, checked meanwhile, cleared the count: no block then.
    if (!(await this.failures.markBlocked(tenant.id, user.userId, ip, this.clock.now().toISOString()))) return;
    this.log?.info({ tenantId: tenant.id, userId: user.userId, ip }, 'brute-force protection blocked an IP for a user');
    const geo = this.geoip?.lookup(ip);
    await this.notify(tenant, user, 'blocked_account', 'brute_force', {
      ...context,
      user: {
        ...this.profile(user),
        source_ip: ip,
        ...(geo?.city ? { city: geo.city } : {}),
        ...(geo?.country ? { country: geo.country } : {}),
      },
    });
    throw blockedError();
  }

  /**
   * A right password forgets the failures from that IP, unless a concurrent attempt blocked it
   * meanwhile: then the login is refused like any other from a blocked IP (a right password never
   * lifts a block; a reset or the user-blocks endpoint does).
   */
  async succeeded(tenant: TenantRecord, user: UserRecord, ip: string): Promise<void> {
    if (await this.failures.clearUnlessBlocked(tenant.id, user.userId, ip)) throw blockedError();
  }

  /**
   * A correct but breached password: one `password_breach` notice per password, then (action
   * `block`) 403 `password_leaked` on every login until the password is changed.
   */
  async breached(tenant: TenantRecord, user: UserRecord, action: DatabaseConnectionOptions['breached_password_action'], context: LoginContext): Promise<void> {
    const now = this.clock.now().toISOString();
    const marker = await this.failures.increment(tenant.id, user.userId, BREACH_NOTICE_KEY, now);
    if (marker.count === 1) {
      this.log?.info({ tenantId: tenant.id, userId: user.userId }, 'login with a breached password');
      await this.notify(tenant, user, 'password_breach', 'breach', { ...context, user: this.profile(user) });
    }
    if (action === 'block') throw new AppError('password_leaked');
  }

  /** IP blocks of a user (the breach marker is never blocked, so it is not among them). */
  async blocks(tenantId: string, userId: string): Promise<LoginFailureRecord[]> {
    return this.failures.listBlocked(tenantId, userId);
  }

  /** Lifts the blocks (all IPs, or one) and forgets the failures; returns how many rows went. */
  async unblock(tenantId: string, userId: string, ip?: string): Promise<number> {
    if (ip !== undefined) return this.failures.clear(tenantId, userId, ip);
    // Everything but the breach marker: unblocking is not a password change. The per-user throttle goes too.
    await this.orUnavailable(this.counters.delete(this.userSpec(), `${tenantId}\0${userId}`), tenantId);
    let n = 0;
    for (const f of await this.failures.listBlocked(tenantId, userId)) n += await this.failures.clear(tenantId, userId, f.ip);
    return n;
  }

  /** After a password change: every failure, block and breach notice of the user goes. */
  async reset(tenantId: string, userId: string): Promise<void> {
    await this.failures.clear(tenantId, userId);
    await this.orUnavailable(this.counters.delete(this.userSpec(), `${tenantId}\0${userId}`), tenantId);
  }

  /** Sends to the verified phone only; a send that cannot be queued is logged, never fails the login. */
  private async notify(
    tenant: TenantRecord,
    user: UserRecord,
    type: 'blocked_account' | 'password_breach',
    source: 'brute_force' | 'breach',
    context: NotificationContext,
  ): Promise<void> {
    if (!user.phoneNumber || !user.phoneVerified) {
      this.log?.info({ tenantId: tenant.id, userId: user.userId, type }, 'no verified phone: notification not sent');
      return;
    }
    try {
      await this.notifications.enqueue(tenant, { type, deliveryMethod: 'text', recipient: user.phoneNumber, source, context });
    } catch (e) {
      this.log?.warn({ tenantId: tenant.id, userId: user.userId, type, err: (e as Error).message }, 'notification could not be queued');
    }
  }
}
