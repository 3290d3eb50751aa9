import type { NotificationContext } from '../notifications/sender.js';
import type { TenantRecord } from '../ports.js';
import type { ConnectionRecord, UserRecord } from './ports.js';

/**
 * The part of UserDirectory (src/domain/auth/user-directory.ts, owned by the users/connections
 * side) that the Authentication API flows call. Kept as a narrow port so the flows depend on what
 * they use, and so the wiring can adapt the directory's own signatures in one place
 * (src/domain/auth/auth-module.ts).
 */
export interface LoginAttempt {
  ip: string;
  /** The client and request, for the `blocked_account` / `password_breach` notifications. */
  context: Pick<NotificationContext, 'client' | 'request'>;
}

export interface NewPhoneUser {
  connection: string;
  phoneNumber: string;
  phoneVerified: boolean;
  password?: string | undefined;
  email?: string | undefined;
  username?: string | undefined;
}

export interface DirectoryPort {
  connection(tenantId: string, name: string): Promise<ConnectionRecord | undefined>;
  /** The database connection a `password` grant without a realm uses. */
  defaultDatabaseConnection(tenantId: string): Promise<ConnectionRecord | undefined>;
  /** The user of `connection` whose email, phone number or username is `identifier`. */
  findForLogin(tenantId: string, connection: string, identifier: string): Promise<UserRecord | undefined>;
  getUser(tenantId: string, userId: string): Promise<UserRecord | undefined>;
  /**
   * Checks the password and returns the user; throws the AppError Auth0 answers with (wrong
   * password or unknown user: 403 `invalid_grant`; blocked IP, breached password, blocked user),
   * UserDirectory running the brute-force and breach notifications itself.
   */
  verifyPassword(tenant: TenantRecord, user: UserRecord | undefined, password: string, attempt: LoginAttempt): Promise<UserRecord>;
  /** `ip`: the caller of a public signup, whose turn it is in the password-hashing queue. */
  createUser(tenant: TenantRecord, input: NewPhoneUser, ip?: string): Promise<UserRecord>;
  /** Throws the error `setPassword` would for this password on this connection, without changing anything. */
  checkNewPassword(tenantId: string, connection: string, password: string): Promise<void>;
  /** Sets a new password (and unblocks the user's blocked IPs). */
  setPassword(tenant: TenantRecord, userId: string, password: string): Promise<void>;
  markPhoneVerified(tenantId: string, userId: string): Promise<UserRecord | undefined>;
  /** Removes a user just created whose signup could not go on (its verification code was refused). */
  deleteUser(tenantId: string, userId: string): Promise<void>;
  recordLogin(tenantId: string, user: UserRecord, ip: string): Promise<void>;
}
