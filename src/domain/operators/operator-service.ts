import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hashPassword, verifyDummy, verifyPassword } from '../auth/passwords.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { isValidTenantName } from '../tenants/tenant-service.js';
import type { OperatorRecord, OperatorRepository, OperatorRole, SessionRecord, SessionRepository, SignInAttemptRepository } from './ports.js';

/** Session lifetimes and sign-in throttling; the defaults are the documented ones (docs/dashboard.md). */
export interface OperatorPolicy {
  /** A session unused this long ends (ms). */
  idleMs: number;
  /** A session ends this long after sign-in, however busy (ms). */
  absoluteMs: number;
  /** Failed sign-ins allowed per email, and per client address, in one window. */
  maxFailuresPerEmail: number;
  maxFailuresPerIp: number;
  windowMs: number;
}

export const DEFAULT_OPERATOR_POLICY: OperatorPolicy = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
  maxFailuresPerEmail: 5,
  maxFailuresPerIp: 20,
  windowMs: 15 * 60_000,
};

/** `lastSeenAt` is written at most this often: a dashboard makes many calls a minute. */
const TOUCH_EVERY_MS = 60_000;
const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export interface NewOperator {
  email: string;
  role: OperatorRole;
  tenants: readonly string[] | '*';
}

export interface SignedIn {
  /** The session id for the cookie: shown to the browser only, stored as a hash. */
  sessionId: string;
  csrfToken: string;
  operator: OperatorRecord;
  session: SessionRecord;
}

export interface ActiveSession {
  operator: OperatorRecord;
  session: SessionRecord;
  csrfToken: string;
}

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/**
 * The CSRF token of a session: an HMAC of the session id, so it needs no storage, differs per session
 * and cannot be computed without the cookie (which page scripts of other origins never see).
 */
export function csrfTokenFor(sessionId: string): string {
  return createHmac('sha256', sessionId).update('unifone-dashboard-csrf').digest('base64url');
}

/**
 * Dashboard operators: creation with a generated password, sign-in with throttling, server-side
 * sessions with idle and absolute expiry, and the CSRF token that goes with each session.
 */
export class OperatorService {
  constructor(
    private readonly operators: OperatorRepository,
    private readonly sessions: SessionRepository,
    private readonly attempts: SignInAttemptRepository,
    private readonly clock: Clock,
    readonly policy: OperatorPolicy = DEFAULT_OPERATOR_POLICY,
  ) {}

  /** Creates an operator with a generated password, returned once (only its hash is kept). */
  async create(input: NewOperator): Promise<{ operator: OperatorRecord; password: string }> {
    const email = normalizeEmail(input.email);
    if (!EMAIL_RE.test(email)) throw new AppError('invalid_body', `not an email address: ${input.email}`);
    if (input.tenants !== '*') {
      if (input.tenants.length === 0) throw new AppError('invalid_body', 'an operator needs at least one tenant, or all of them');
      for (const t of input.tenants) if (!isValidTenantName(t)) throw new AppError('invalid_body', `invalid tenant name: ${t}`);
    }
    if (await this.operators.findByEmail(email)) throw new AppError('invalid_body', `an operator ${email} already exists`);
    const password = randomBytes(18).toString('base64url');
    const now = this.clock.now().toISOString();
    const operator: OperatorRecord = {
      id: `op_${randomBytes(12).toString('hex')}`,
      email,
      passwordHash: await hashPassword(password),
      role: input.role,
      tenants: input.tenants === '*' ? '*' : [...new Set(input.tenants)],
      createdAt: now,
      updatedAt: now,
    };
    await this.operators.insert(operator);
    return { operator, password };
  }

  count(): Promise<number> {
    return this.operators.count();
  }

  list(): Promise<OperatorRecord[]> {
    return this.operators.list();
  }

  private windowKey(kind: 'email' | 'ip', value: string, now: number): { key: string; endsAt: string } {
    const start = Math.floor(now / this.policy.windowMs) * this.policy.windowMs;
    return { key: `${kind}:${sha256(value)}:${start}`, endsAt: new Date(start + this.policy.windowMs).toISOString() };
  }

  /**
   * Signs in. A wrong password and an unknown email answer alike (same error, same time spent);
   * after too many failures for the email or from the address, 429 until the window ends, right
   * password or not.
   */
  async signIn(emailIn: string, password: string, ip: string): Promise<SignedIn> {
    const email = normalizeEmail(emailIn);
    const nowMs = this.clock.now().getTime();
    const byEmail = this.windowKey('email', email, nowMs);
    const byIp = this.windowKey('ip', ip, nowMs);
    // Every attempt is counted before the password is checked, atomically: a burst of parallel
    // guesses cannot all pass a check made before any of them was counted. A success takes its
    // attempt back, so only failures use up the allowance.
    const [emailCount, ipCount] = await Promise.all([this.attempts.increment(byEmail.key, byEmail.endsAt), this.attempts.increment(byIp.key, byIp.endsAt)]);
    const takeBack = () => Promise.all([this.attempts.decrement(byEmail.key), this.attempts.decrement(byIp.key)]);
    if (emailCount > this.policy.maxFailuresPerEmail || ipCount > this.policy.maxFailuresPerIp) {
      // A refused attempt is not a guess: it does not push the window's count further.
      await takeBack();
      const until = emailCount > this.policy.maxFailuresPerEmail ? byEmail.endsAt : byIp.endsAt;
      const e = new AppError('too_many_attempts', 'Too many failed sign-ins; try again later');
      e.headers = { 'retry-after': String(Math.max(1, Math.ceil((Date.parse(until) - nowMs) / 1000))) };
      throw e;
    }
    const operator = await this.operators.findByEmail(email);
    const ok = operator ? await verifyPassword(password, operator.passwordHash) : await verifyDummy(password);
    if (!operator || !ok) {
      await this.attempts.purge(new Date(nowMs).toISOString());
      throw new AppError('invalid_credentials');
    }
    await takeBack();
    const sessionId = randomBytes(32).toString('base64url');
    const now = new Date(nowMs).toISOString();
    const session: SessionRecord = {
      idHash: sha256(sessionId),
      operatorId: operator.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(nowMs + this.policy.absoluteMs).toISOString(),
    };
    await this.sessions.insert(session);
    // Sessions that ended are removed as new ones begin: no background job needed.
    await this.sessions.deleteEnded(now, new Date(nowMs - this.policy.idleMs).toISOString());
    return { sessionId, csrfToken: csrfTokenFor(sessionId), operator, session };
  }

  /** The live session of `sessionId` (renewing its idle timer), or undefined when it is unknown or ended. */
  async authenticate(sessionId: string | undefined): Promise<ActiveSession | undefined> {
    if (!sessionId || sessionId.length > 100) return undefined;
    const idHash = sha256(sessionId);
    const session = await this.sessions.get(idHash);
    if (!session) return undefined;
    const now = this.clock.now().getTime();
    const ended = Date.parse(session.expiresAt) <= now || Date.parse(session.lastSeenAt) + this.policy.idleMs <= now;
    if (ended) {
      await this.sessions.delete(idHash);
      return undefined;
    }
    const operator = await this.operators.findById(session.operatorId);
    if (!operator) return undefined;
    if (now - Date.parse(session.lastSeenAt) >= TOUCH_EVERY_MS) {
      session.lastSeenAt = new Date(now).toISOString();
      await this.sessions.touch(idHash, session.lastSeenAt);
    }
    return { operator, session, csrfToken: csrfTokenFor(sessionId) };
  }

  /** True when `presented` is the CSRF token of `sessionId` (constant-time). */
  checkCsrf(sessionId: string, presented: string | undefined): boolean {
    if (!presented) return false;
    const a = Buffer.from(csrfTokenFor(sessionId));
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async signOut(sessionId: string): Promise<void> {
    await this.sessions.delete(sha256(sessionId));
  }
}
