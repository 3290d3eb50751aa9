import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { newUserIdSuffix } from '../ids.js';
import type { NotificationContext } from '../notifications/sender.js';
import { toE164 } from '../phone-number.js';
import type { TenantRecord } from '../ports.js';
import { isBreached } from './breached-passwords.js';
import { ConnectionCatalog, DEFAULT_DATABASE_CONNECTION, type ClientLister, type DefaultsProvisioner, type LegacySmsDeps } from './connection-catalog.js';
import type { HashQueue } from './hash-queue.js';
import type { RateCounters } from '../abuse/rate-counters.js';
import { passwordlessSubject } from './passwordless-guard.js';
import { LoginGuard, type GeoIpLookup, type GuardLogger, type LoginContext, type NotificationPort } from './login-guard.js';
import { hashPassword, needsRehash, verifyDummy, verifyPassword } from './passwords.js';
import type {
  ConnectionRecord,
  ConnectionRepository,
  DatabaseConnectionOptions,
  LoginFailureRepository,
  SmsConnectionOptions,
  UserPatch,
  UserRecord,
  UserRepository,
  UserSort,
} from './ports.js';

export type { GeoIpLookup, LoginContext, NotificationPort } from './login-guard.js';

export interface IdentityRepos {
  users: UserRepository;
  connections: ConnectionRepository;
  loginFailures: LoginFailureRepository;
  /** The tenant's clients (the default connections are enabled for all of them). */
  clients: ClientLister;
  provisionDefaults: DefaultsProvisioner;
  /** Removes a deleted user's MFA enrollments. */
  deleteEnrollments(tenantId: string, userId: string): Promise<number>;
}

export interface UserDirectoryOptions {
  /** The counters every process shares (the brute-force gate counts the checks in flight there). */
  counters: RateCounters;
  geoip?: GeoIpLookup;
  logger?: GuardLogger;
  /** Seals the legacy secrets of `sms` connections (and checks a gateway with its provider kind). */
  legacySms?: LegacySmsDeps;
  /** Every password hash waits here for its turn (bounded and fair between tenants); none: hash at once. */
  hashing?: HashQueue;
}

export type Identifier = 'email' | 'phone_number' | 'username';

export interface NewUser {
  connection: string;
  email?: string | undefined;
  phone_number?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  email_verified?: boolean | undefined;
  phone_verified?: boolean | undefined;
  name?: string | undefined;
  nickname?: string | undefined;
  given_name?: string | undefined;
  family_name?: string | undefined;
  picture?: string | undefined;
  locale?: string | undefined;
  blocked?: boolean | undefined;
  app_metadata?: Record<string, unknown> | undefined;
  user_metadata?: Record<string, unknown> | undefined;
}

export type UserUpdate = Omit<Partial<NewUser>, 'connection'>;

/** The outcome of a password check that did not throw. */
export type PasswordCheck = { ok: true; user: UserRecord } | { ok: false; reason: 'wrong_password' | 'unknown_user' };

const USERNAME_RE = /^[A-Za-z0-9_.-]{1,128}$/;
const PHONE_LIKE_RE = /^\+?[0-9 ().-]{4,24}$/;
const bad = (msg: string) => new AppError('invalid_body', `Payload validation error: ${msg}`);

/** The connection's password rules: its minimum length, and not in the breached-password list. */
function checkPasswordRules(opts: DatabaseConnectionOptions | SmsConnectionOptions, password: string): void {
  const min = 'password_min_length' in opts ? opts.password_min_length : 8;
  if ([...password].length < min) throw new AppError('invalid_password', `PasswordStrengthError: Password is too weak (at least ${min} characters)`);
  if (isBreached(password)) throw new AppError('password_breached');
}

/** `auth0|…` / `sms|…` + 24 hex characters, the shape of Auth0's own user ids. */
const newUserId = (strategy: ConnectionRecord['strategy']) => `${strategy}|${newUserIdSuffix()}`;

/**
 * The identity service: users, connections, passwords and attack protection. The Authentication
 * API flows and the Management API both go through it; it never hands out a password hash.
 */
export class UserDirectory {
  readonly connections: ConnectionCatalog;
  private readonly guard: LoginGuard;
  private readonly hashQueue: HashQueue | undefined;

  constructor(
    private readonly repos: IdentityRepos,
    private readonly clock: Clock,
    notifications: NotificationPort,
    options: UserDirectoryOptions,
  ) {
    this.connections = new ConnectionCatalog(repos.connections, repos.clients, repos.provisionDefaults, clock, options.legacySms);
    this.hashQueue = options.hashing;
    this.guard = new LoginGuard(repos.loginFailures, clock, notifications, (u) => this.profile(u), options.geoip, options.logger, options.counters);
  }

  /**
   * Runs a password hash in its turn: the tenant's, then the source's (the caller's IP; '' for
   * administrators). Throws 429 `too_many_requests` with Retry-After when the queue is full.
   */
  private hashing<T>(tenantId: string, source: string, fn: () => Promise<T>): Promise<T> {
    return this.hashQueue ? this.hashQueue.run(tenantId, source, fn) : fn();
  }

  ensureDefaultConnections(tenant: Pick<TenantRecord, 'id'>): Promise<void> {
    return this.connections.ensureDefaultConnections(tenant);
  }

  /** The connection by name, or 400 when there is none. */
  async connectionNamed(tenant: Pick<TenantRecord, 'id'>, name: string): Promise<ConnectionRecord> {
    const c = await this.connections.byName(tenant, name);
    if (!c) throw bad('the connection does not exist');
    return c;
  }

  /** The database connection a `password` grant without a realm uses (`Username-Password-Authentication`, else the first). */
  async defaultDatabaseConnection(tenant: Pick<TenantRecord, 'id'>): Promise<ConnectionRecord | undefined> {
    const all = await this.connections.list(tenant, { strategy: 'auth0' });
    return all.find((c) => c.name === DEFAULT_DATABASE_CONNECTION) ?? all[0];
  }

  /** The phone number was proven (a code sent to it came back). */
  async markPhoneVerified(tenant: Pick<TenantRecord, 'id'>, userId: string): Promise<UserRecord | undefined> {
    return this.repos.users.update(tenant.id, userId, { phoneVerified: true, updatedAt: this.clock.now().toISOString() });
  }

  /** `source`: the caller's IP for a public signup (its turn in the hashing queue); '' for administrators. */
  async createUser(tenant: Pick<TenantRecord, 'id'>, input: NewUser, source = ''): Promise<UserRecord> {
    const conn = await this.connectionNamed(tenant, input.connection);
    const ids = this.identifiers(conn, input);
    let passwordHash: string | null = null;
    if (conn.strategy === 'sms') {
      if (input.password !== undefined) throw bad('passwords are not supported by sms connections');
      if (!ids.phone_number) throw bad('Missing required property: phone_number');
    } else {
      if (input.password === undefined) throw bad('Missing required property: password');
      if (!ids.email && !ids.phone_number && !ids.username) throw bad('an email, phone_number or username is required');
      checkPasswordRules(conn.options as DatabaseConnectionOptions, input.password);
      const password = input.password;
      passwordHash = await this.hashing(tenant.id, source, () => hashPassword(password));
    }
    const now = this.clock.now().toISOString();
    const user: UserRecord = {
      userId: newUserId(conn.strategy),
      connection: conn.name,
      email: ids.email ?? null,
      emailVerified: input.email_verified ?? false,
      phoneNumber: ids.phone_number ?? null,
      phoneVerified: input.phone_verified ?? false,
      username: ids.username ?? null,
      name: input.name ?? ids.email ?? ids.phone_number ?? ids.username ?? null,
      nickname: input.nickname ?? (ids.email ? ids.email.split('@')[0]! : (ids.username ?? null)),
      givenName: input.given_name ?? null,
      familyName: input.family_name ?? null,
      picture: input.picture ?? null,
      locale: input.locale ?? null,
      passwordHash,
      appMetadata: input.app_metadata ?? {},
      userMetadata: input.user_metadata ?? {},
      blocked: input.blocked ?? false,
      loginCount: 0,
      lastLogin: null,
      lastIp: null,
      lastPasswordReset: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.repos.users.insert(tenant.id, user);
    return user;
  }

  async getUser(tenant: Pick<TenantRecord, 'id'>, userId: string): Promise<UserRecord> {
    const u = await this.repos.users.get(tenant.id, userId);
    if (!u) throw new AppError('inexistent_user');
    return u;
  }

  findUser(tenant: Pick<TenantRecord, 'id'>, userId: string): Promise<UserRecord | undefined> {
    return this.repos.users.get(tenant.id, userId);
  }

  listUsers(tenant: Pick<TenantRecord, 'id'>, q: { q?: string; connection?: string; sort?: UserSort; page: number; perPage: number }) {
    return this.repos.users.list(
      tenant.id,
      { ...(q.q ? { q: q.q } : {}), ...(q.connection ? { connection: q.connection } : {}), ...(q.sort ? { sort: q.sort } : {}) },
      { offset: q.page * q.perPage, limit: q.perPage },
    );
  }

  /**
   * Profile fields, flags, metadata (merged one level deep, `null` removes a key, as Auth0) and the
   * password, written together: a change that fails (say, an email another user has) changes nothing,
   * the password included. The merge reads the user in the same locked unit as the write.
   */
  async updateUser(tenant: Pick<TenantRecord, 'id'>, userId: string, input: UserUpdate): Promise<UserRecord> {
    const user = await this.getUser(tenant, userId);
    const conn = await this.connectionNamed(tenant, user.connection);
    const ids = this.identifiers(conn, input);
    const passwordHash = input.password === undefined ? undefined : await this.newPasswordHash(tenant, user.connection, input.password);
    const merge = (base: Record<string, unknown>, patch: Record<string, unknown> | undefined) => {
      if (!patch) return undefined;
      const out = { ...base };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete out[k];
        else out[k] = v;
      }
      return out;
    };
    const patch: UserPatch = {
      ...(ids.email !== undefined ? { email: ids.email, emailVerified: input.email_verified ?? false } : {}),
      ...(ids.phone_number !== undefined ? { phoneNumber: ids.phone_number, phoneVerified: input.phone_verified ?? false } : {}),
      ...(ids.username !== undefined ? { username: ids.username } : {}),
      ...(input.email_verified !== undefined ? { emailVerified: input.email_verified } : {}),
      ...(input.phone_verified !== undefined ? { phoneVerified: input.phone_verified } : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.nickname !== undefined ? { nickname: input.nickname } : {}),
      ...(input.given_name !== undefined ? { givenName: input.given_name } : {}),
      ...(input.family_name !== undefined ? { familyName: input.family_name } : {}),
      ...(input.picture !== undefined ? { picture: input.picture } : {}),
      ...(input.locale !== undefined ? { locale: input.locale } : {}),
      ...(input.blocked !== undefined ? { blocked: input.blocked } : {}),
    };
    const now = this.clock.now().toISOString();
    patch.updatedAt = now;
    if (passwordHash !== undefined) Object.assign(patch, { passwordHash, lastPasswordReset: now });
    const updated = await this.repos.users.updateWith(tenant.id, userId, (current) => {
      const app = merge(current.appMetadata, input.app_metadata);
      const usr = merge(current.userMetadata, input.user_metadata);
      return { ...patch, ...(app ? { appMetadata: app } : {}), ...(usr ? { userMetadata: usr } : {}) };
    });
    if (!updated) throw new AppError('inexistent_user');
    // As setPassword: a new password lifts the user's blocks and forgets their failures.
    if (passwordHash !== undefined) await this.guard.reset(tenant.id, userId);
    return updated;
  }

  /** Deletes the user with their login failures, blocks and MFA enrollments. */
  async deleteUser(tenant: Pick<TenantRecord, 'id'>, userId: string): Promise<void> {
    if (!(await this.repos.users.delete(tenant.id, userId))) throw new AppError('inexistent_user');
    await this.guard.reset(tenant.id, userId);
    await this.repos.deleteEnrollments(tenant.id, userId);
  }

  /**
   * The user a login identifier names in a connection: an email (has `@`), a phone number (E.164 or
   * digits with the country code), or a username, each only if the connection accepts that identifier.
   */
  async findForLogin(tenant: Pick<TenantRecord, 'id'>, connection: string, identifier: string): Promise<UserRecord | undefined> {
    const conn = await this.connections.byName(tenant, connection);
    if (!conn) return undefined;
    const allowed = conn.strategy === 'sms' ? ['phone_number'] : (conn.options as DatabaseConnectionOptions).identifiers;
    const id = identifier.trim();
    let field: Identifier = 'username';
    let value = id;
    if (id.includes('@')) [field, value] = ['email', id.toLowerCase()];
    else if (PHONE_LIKE_RE.test(id) && toE164(id) && allowed.includes('phone_number')) [field, value] = ['phone_number', toE164(id)!];
    if (!allowed.includes(field)) return undefined;
    return this.repos.users.findByIdentifier(tenant.id, conn.name, field, value);
  }

  /**
   * Checks a password with the connection's attack protection:
   * - an IP blocked for the user: 429 `too_many_attempts` (the password is not even checked);
   * - a wrong password counts a failure; the one reaching `brute_force_threshold` blocks the IP for the
   *   user, sends `blocked_account` to the verified phone and throws 429 `too_many_attempts`;
   * - a right one clears the IP's failures; if it is breached, `password_breach` goes to the verified
   *   phone (once per password) and, with `breached_password_action: block`, 403 `password_leaked`;
   * - a user blocked by an administrator: 401 `unauthorized` ("user is blocked").
   * `user` undefined (unknown identifier) spends the same hashing time and answers `unknown_user`.
   */
  async verifyPassword(tenant: TenantRecord, user: UserRecord | undefined, password: string, ip: string, context: LoginContext = {}): Promise<PasswordCheck> {
    if (!user) return this.hashing(tenant.id, ip, () => verifyDummy(password)).then(() => ({ ok: false, reason: 'unknown_user' }));
    const conn = await this.connections.byName(tenant, user.connection);
    const opts = conn?.strategy === 'auth0' ? (conn.options as DatabaseConnectionOptions) : undefined;
    const protect = opts?.brute_force_protection ?? true;
    const threshold = opts?.brute_force_threshold ?? 10;
    const release = protect ? await this.guard.attempt(tenant, user, ip, threshold) : undefined;
    try {
      const stored = user.passwordHash;
      const ok = await this.hashing(tenant.id, ip, () => (stored ? verifyPassword(password, stored) : verifyDummy(password)));
      if (!ok) {
        if (protect) await this.guard.failed(tenant, user, ip, threshold, context);
        return { ok: false, reason: 'wrong_password' };
      }
      if (protect) await this.guard.succeeded(tenant, user, ip);
    } finally {
      // After the outcome is recorded: a check waiting for this one then sees the new count.
      release?.();
    }
    if (isBreached(password)) await this.guard.breached(tenant, user, opts?.breached_password_action ?? 'block', context);
    if (user.blocked) throw new AppError('unauthorized');
    if (needsRehash(user.passwordHash!)) {
      await this.repos.users.update(tenant.id, user.userId, { passwordHash: await this.hashing(tenant.id, ip, () => hashPassword(password)) });
    }
    return { ok: true, user };
  }

  /** `findForLogin` + `verifyPassword` (for the password grants). */
  async authenticate(tenant: TenantRecord, connection: string, identifier: string, password: string, ip: string, context: LoginContext = {}): Promise<PasswordCheck> {
    return this.verifyPassword(tenant, await this.findForLogin(tenant, connection, identifier), password, ip, context);
  }

  /** Refuses (400 `invalid_password` / `password_breached`) a password the connection would not accept, without hashing it. */
  async checkNewPassword(tenant: Pick<TenantRecord, 'id'>, connection: string, password: string): Promise<void> {
    const conn = await this.connectionNamed(tenant, connection);
    if (conn.strategy !== 'auth0') throw bad('passwords are not supported by sms connections');
    checkPasswordRules(conn.options as DatabaseConnectionOptions, password);
  }

  /** The hash of a new password for a user of `connection`, refused as `checkNewPassword` refuses. */
  private async newPasswordHash(tenant: Pick<TenantRecord, 'id'>, connection: string, password: string): Promise<string> {
    await this.checkNewPassword(tenant, connection, password);
    return this.hashing(tenant.id, '', () => hashPassword(password));
  }

  /** A new password (reset or administrator): checked like at signup; clears every block and failure of the user. */
  async setPassword(tenant: Pick<TenantRecord, 'id'>, userId: string, newPassword: string): Promise<UserRecord> {
    const user = await this.getUser(tenant, userId);
    const passwordHash = await this.newPasswordHash(tenant, user.connection, newPassword);
    const now = this.clock.now().toISOString();
    const updated = await this.repos.users.update(tenant.id, userId, { passwordHash, lastPasswordReset: now, updatedAt: now });
    await this.guard.reset(tenant.id, userId);
    if (!updated) throw new AppError('inexistent_user');
    return updated;
  }

  /**
   * A completed login: `logins_count`, `last_login`, `last_ip`. The count is incremented in the
   * database (concurrent logins of one user all count); what is returned is `user` advanced by this
   * login, not a fresh read.
   */
  async recordLogin(tenant: Pick<TenantRecord, 'id'>, user: UserRecord, ip: string): Promise<UserRecord> {
    const now = this.clock.now().toISOString();
    await this.repos.users.recordLogin(tenant.id, user.userId, now, ip);
    return { ...user, loginCount: user.loginCount + 1, lastLogin: now, lastIp: ip, updatedAt: now };
  }

  /**
   * A user's brute-force blocks: of its password logins, and of the passwordless logins of its phone
   * number on its connection (blocked per number and IP, `PasswordlessGuard`).
   */
  async blocksOf(tenant: Pick<TenantRecord, 'id'>, user: UserRecord): Promise<Array<{ ip: string; connection: string; blockedAt: string }>> {
    const blocks = await this.guard.blocks(tenant.id, user.userId);
    if (user.phoneNumber) blocks.push(...(await this.repos.loginFailures.listBlocked(tenant.id, passwordlessSubject(user.connection, user.phoneNumber))));
    return blocks.map((f) => ({ ip: f.ip, connection: user.connection, blockedAt: f.blockedAt! }));
  }

  /** Users an identifier (email, phone number or username) names, in every connection (user-blocks by identifier). */
  async usersByIdentifier(tenant: Pick<TenantRecord, 'id'>, identifier: string): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (const c of await this.connections.list(tenant)) {
      const u = await this.findForLogin(tenant, c.name, identifier);
      if (u) out.push(u);
    }
    return out;
  }

  /** Lifts brute-force blocks of a user (every IP, or one), its phone number's passwordless blocks included. */
  async unblock(tenant: Pick<TenantRecord, 'id'>, userId: string, ip?: string): Promise<number> {
    let n = await this.guard.unblock(tenant.id, userId, ip);
    const user = await this.repos.users.get(tenant.id, userId);
    if (user?.phoneNumber) n += await this.repos.loginFailures.clear(tenant.id, passwordlessSubject(user.connection, user.phoneNumber), ip);
    return n;
  }

  /** The user as templates and custom providers see it (`NotificationContext['user']`). */
  profile(u: UserRecord): NonNullable<NotificationContext['user']> {
    const opt = <K extends string, V>(k: K, v: V | null) => (v === null ? {} : ({ [k]: v } as Record<K, V>));
    return {
      user_id: u.userId,
      ...opt('email', u.email),
      ...(u.email !== null ? { email_verified: u.emailVerified } : {}),
      ...opt('name', u.name),
      ...opt('nickname', u.nickname),
      ...opt('given_name', u.givenName),
      ...opt('family_name', u.familyName),
      ...opt('picture', u.picture),
      ...opt('username', u.username),
      ...opt('phone_number', u.phoneNumber),
      ...(u.phoneNumber !== null ? { phone_verified: u.phoneVerified } : {}),
      app_metadata: u.appMetadata,
      user_metadata: u.userMetadata,
      created_at: u.createdAt,
      updated_at: u.updatedAt,
      ...opt('last_password_reset', u.lastPasswordReset),
      login_count: u.loginCount,
      ...opt('locale', u.locale),
    };
  }

  /** Normalised identifiers of `input`, each refused if the connection does not accept it. */
  private identifiers(conn: ConnectionRecord, input: Pick<NewUser, Identifier>): Partial<Record<Identifier, string>> {
    const allowed: readonly Identifier[] =
      conn.strategy === 'sms' ? ['phone_number', 'email'] : (conn.options as DatabaseConnectionOptions).identifiers;
    const out: Partial<Record<Identifier, string>> = {};
    for (const k of ['email', 'phone_number', 'username'] as const) {
      const v = input[k];
      if (v === undefined) continue;
      if (!allowed.includes(k)) throw bad(`the connection does not accept ${k} as an identifier`);
      if (k === 'email') {
        if (!/^[^@\s]+@[^@\s]+$/.test(v)) throw bad('email is not an email address');
        out.email = v.toLowerCase();
      } else if (k === 'phone_number') {
        const e164 = toE164(v);
        if (!e164) throw bad('phone_number is not a valid phone number; use E.164 (+14155552671)');
        out.phone_number = e164;
      } else {
        if (!USERNAME_RE.test(v) || PHONE_LIKE_RE.test(v)) throw bad('username may hold letters, digits, "_", "." and "-", and must not look like a phone number');
        out.username = v;
      }
    }
    return out;
  }


}
