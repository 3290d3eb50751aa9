/**
 * The identity side of unifone (issue: Authentication): users, connections, MFA phone enrollments,
 * one-time codes, recovery codes, refresh tokens, login failures. Records and repository ports;
 * every repository method takes the tenant id first. Tables: migration 0004-auth.
 *
 * Ownership while this is being built:
 * - users, connections, login failures, passwords, breached-password check: `UserDirectory`
 *   (src/domain/auth/user-directory.ts) and the Management API routes over it;
 * - one-time codes, enrollments, recovery codes, refresh tokens, token issuance and the
 *   Authentication API flows: src/domain/auth/otp-*.ts, mfa-*.ts, token-*.ts and src/http/authentication/*.
 */

export type ConnectionStrategy = 'auth0' | 'sms';

/**
 * Auth0's documented options of the `auth0` strategy that unifone stores and returns as given, so a
 * configuration written for Auth0 (the Deploy CLI, Terraform, a hand-written tenant.yaml) round-trips.
 * Of these, `attributes` (its `identifier.active` flags set `identifiers`) and
 * `password_complexity_options.min_length` (sets `password_min_length`) act; the others have no effect
 * here (docs/api.md, Connections).
 */
export const STORED_DATABASE_OPTION_KEYS = [
  'attributes',
  'authentication_methods',
  'passwordPolicy',
  'password_options',
  'password_complexity_options',
  'password_history',
  'password_no_personal_info',
  'password_dictionary',
  'passkey_options',
  'requires_username',
  'validation',
  'mfa',
  'import_mode',
  'enabledDatabaseCustomization',
  'enable_script_context',
  'non_persistent_attrs',
  'precedence',
  'realm_fallback',
  'set_user_root_attributes',
] as const;
/** Auth0's documented options of the `sms` strategy stored and returned as given, with no effect. */
export const STORED_SMS_OPTION_KEYS = ['name'] as const;
export type StoredDatabaseOptions = { [K in (typeof STORED_DATABASE_OPTION_KEYS)[number]]?: unknown };

/** The fields Auth0's `sort=field:1|-1` may name on `GET /users` here. */
export const USER_SORT_FIELDS = ['created_at', 'updated_at', 'last_login', 'logins_count', 'email', 'phone_number', 'username', 'name', 'user_id'] as const;
export interface UserSort {
  field: (typeof USER_SORT_FIELDS)[number];
  ascending: boolean;
}

export interface DatabaseConnectionOptions extends StoredDatabaseOptions {
  /** Which identifiers a user may sign up / log in with. */
  identifiers: Array<'email' | 'phone_number' | 'username'>;
  disable_signup: boolean;
  brute_force_protection: boolean;
  /** Failed logins for one user from one IP before that IP is blocked for that user. */
  brute_force_threshold: number;
  /** `block`: a breached password cannot log in until reset; `notify`: log in, but notify. */
  breached_password_action: 'block' | 'notify';
  password_min_length: number;
  /**
   * Auth0's switch for its hosted change-password page (which unifone does not serve): stored and
   * returned when given, no effect. Auth0's Deploy CLI sends it (`false`) with every database.
   */
  disable_self_service_change_password?: boolean;
}

/** Auth0's `gateway_authentication` of an `sms_gateway` connection, without its `secret` (sealed apart). */
export interface SmsGatewayAuthentication {
  method: 'bearer';
  subject: string;
  audience: string;
  secret_base64_encoded?: boolean;
}

/**
 * The options of the passwordless `sms` connection. Besides the code settings, Auth0's legacy
 * delivery options: the way a tenant in legacy mode (`phone_consolidated_experience: false`) sends
 * its passwordless codes (see `domain/notifications/legacy-passwordless.ts`). The two secrets are
 * stored sealed inside the options (`twilio_token_sealed`, `gateway_secret_sealed`); the API never
 * sets those keys directly and never returns them.
 */
export interface SmsConnectionOptions {
  /** Stored and returned, no effect (Auth0 shows it as the sender's name in its dashboard). */
  name?: string;
  totp: { length: number; time_step: number };
  disable_signup: boolean;
  brute_force_protection: boolean;
  provider?: 'twilio' | 'sms_gateway';
  twilio_sid?: string;
  from?: string;
  messaging_service_sid?: string;
  template?: string;
  syntax?: 'md_with_macros' | 'liquid';
  gateway_url?: string;
  gateway_authentication?: SmsGatewayAuthentication;
  forward_req_info?: boolean;
  /** `twilio_token`, sealed (purpose `LEGACY_SMS_TWILIO_TOKEN_PURPOSE`). */
  twilio_token_sealed?: string;
  /** `gateway_authentication.secret`, sealed (purpose `LEGACY_SMS_GATEWAY_SECRET_PURPOSE`). */
  gateway_secret_sealed?: string;
}

/** The sealed keys of `SmsConnectionOptions`: stored, never set from the API, never shown. */
export const SMS_CONNECTION_SEALED_KEYS = ['twilio_token_sealed', 'gateway_secret_sealed'] as const;
export type SmsConnectionSealedKey = (typeof SMS_CONNECTION_SEALED_KEYS)[number];

export interface ConnectionRecord {
  id: string;
  name: string;
  strategy: ConnectionStrategy;
  options: DatabaseConnectionOptions | SmsConnectionOptions;
  /** Client ids allowed to use the connection. */
  enabledClients: string[];
  createdAt: string;
  updatedAt: string;
}

export interface UserRecord {
  /** `auth0|…` for database users, `sms|…` for passwordless SMS users. */
  userId: string;
  connection: string;
  email: string | null;
  emailVerified: boolean;
  phoneNumber: string | null;
  phoneVerified: boolean;
  username: string | null;
  name: string | null;
  nickname: string | null;
  givenName: string | null;
  familyName: string | null;
  picture: string | null;
  locale: string | null;
  /** scrypt hash in PHC-like form; null for passwordless users. Never leaves the domain. */
  passwordHash: string | null;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  /** Blocked by an administrator (`PATCH /users/{id} {blocked:true}`). */
  blocked: boolean;
  loginCount: number;
  lastLogin: string | null;
  lastIp: string | null;
  lastPasswordReset: string | null;
  createdAt: string;
  updatedAt: string;
}

export type UserPatch = Partial<Omit<UserRecord, 'userId' | 'connection' | 'createdAt'>>;

export interface UserRepository {
  insert(tenantId: string, user: UserRecord): Promise<void>;
  get(tenantId: string, userId: string): Promise<UserRecord | undefined>;
  findByIdentifier(tenantId: string, connection: string, field: 'email' | 'phone_number' | 'username', value: string): Promise<UserRecord | undefined>;
  /** `q` matches phone number or email (substring), newest first. */
  list(tenantId: string, filter: { q?: string; connection?: string; sort?: UserSort }, page: { offset: number; limit: number }): Promise<{ items: UserRecord[]; total: number }>;
  update(tenantId: string, userId: string, patch: UserPatch): Promise<UserRecord | undefined>;
  /**
   * Reads the user and writes `change(current)` as one unit: concurrent changes of one user (merged
   * metadata) never undo each other. `change` must be quick (no hashing): the row is locked meanwhile.
   */
  updateWith(tenantId: string, userId: string, change: (current: UserRecord) => UserPatch): Promise<UserRecord | undefined>;
  /**
   * A completed login in one statement: `login_count` incremented where it is stored (concurrent
   * logins all count), `last_login`, `last_ip`. False when there is no such user. Reads nothing back.
   */
  recordLogin(tenantId: string, userId: string, at: string, ip: string): Promise<boolean>;
  delete(tenantId: string, userId: string): Promise<boolean>;
}

export interface ConnectionRepository {
  insert(tenantId: string, c: ConnectionRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<ConnectionRecord | undefined>;
  getByName(tenantId: string, name: string): Promise<ConnectionRecord | undefined>;
  list(tenantId: string, filter: { strategy?: ConnectionStrategy }): Promise<ConnectionRecord[]>;
  update(tenantId: string, id: string, patch: Partial<Pick<ConnectionRecord, 'options' | 'enabledClients' | 'updatedAt'>>): Promise<ConnectionRecord | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /**
   * Writes a tenant's default connections once, whichever process asks first; a name that exists
   * already is left as it is. Resolves true when this call provisioned them.
   */
  provisionDefaults(tenantId: string, connections: ConnectionRecord[]): Promise<boolean>;
  /** Every sealed value kept in a connection's options, all tenants (key rotation). */
  listSealed(): Promise<Array<{ tenantId: string; id: string; key: SmsConnectionSealedKey; sealed: string }>>;
  /**
   * Replaces one sealed value of a connection's options, only if it is still `from` (compare and
   * swap: a secret replaced through the API meanwhile is not overwritten). True when written.
   */
  updateSealed(tenantId: string, id: string, key: SmsConnectionSealedKey, from: string, to: string): Promise<boolean>;
}

export interface LoginFailureRecord {
  userId: string;
  ip: string;
  count: number;
  blockedAt: string | null;
  updatedAt: string;
}

export interface LoginFailureRepository {
  /** Adds one failure atomically and returns the new state. */
  increment(tenantId: string, userId: string, ip: string, now: string): Promise<LoginFailureRecord>;
  /** Blocks the IP for the user; false when there is no unblocked row to block (cleared meanwhile). */
  markBlocked(tenantId: string, userId: string, ip: string, now: string): Promise<boolean>;
  get(tenantId: string, userId: string, ip: string): Promise<LoginFailureRecord | undefined>;
  listBlocked(tenantId: string, userId: string): Promise<LoginFailureRecord[]>;
  /** After a right password: forgets the (user, IP) failures unless the IP is blocked; true when it is blocked. */
  clearUnlessBlocked(tenantId: string, userId: string, ip: string): Promise<boolean>;
  /** Clears failures and blocks of a user (all IPs, or one). Returns how many rows went. */
  clear(tenantId: string, userId: string, ip?: string): Promise<number>;
}

export type OtpPurpose = 'mfa_enroll' | 'mfa_challenge' | 'passwordless' | 'signup_verify' | 'password_reset';

export interface OtpRecord {
  /** Random, unguessable; doubles as the `oob_code` of MFA challenges. */
  id: string;
  purpose: OtpPurpose;
  /** The user id, or the phone number for passwordless before the user exists. */
  subject: string;
  clientId: string;
  channel: 'sms' | 'voice';
  enrollmentId: string | null;
  /** HMAC-SHA-256 of the code with the server's OTP key (hex). The code itself is never stored. */
  codeHash: string;
  attempts: number;
  maxAttempts: number;
  expiresAt: string;
  consumedAt: string | null;
  createdAt: string;
  /** Where the fraud guard counted the code's send (absent when it did not count it): its verification converts that send. */
  fraud?: { prefix: string; country: string };
}

export interface OtpRepository {
  /**
   * Inserts a code and, in the same transaction, consumes every earlier unconsumed code of (purpose,
   * subject) — unless the codes of `limit.purposes` issued to the subject since `limit.since` already
   * reach the limit: then nothing is written and it returns false. Issues for one subject are
   * serialised, so concurrent calls can neither pass the limit together nor leave two live codes.
   */
  issue(tenantId: string, otp: OtpRecord, limit: SendLimit): Promise<boolean>;
  get(tenantId: string, id: string): Promise<OtpRecord | undefined>;
  /** The newest unconsumed code of (purpose, subject). */
  latest(tenantId: string, purpose: OtpPurpose, subject: string): Promise<OtpRecord | undefined>;
  /** Consumes the code: one conditional UPDATE (unconsumed, unexpired, attempts below the cap). True for exactly one caller. */
  consume(tenantId: string, id: string, now: string): Promise<boolean>;
  /** Counts a failed attempt; returns the attempts after it (or undefined if the code is gone). */
  fail(tenantId: string, id: string): Promise<number | undefined>;
}

/** A send budget: at most `total` codes (of them at most `voice` by voice) of these purposes since `since`. */
export interface SendLimit {
  since: string;
  purposes: readonly OtpPurpose[];
  total: number;
  voice: number;
}
