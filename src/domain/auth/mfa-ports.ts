/**
 * Ports of the MFA and token side of authentication that src/domain/auth/ports.ts leaves to this
 * side: phone enrollments, recovery codes and refresh tokens. Tables: migration 0004-auth. Every
 * method takes the tenant id first.
 */

export interface EnrollmentRecord {
  /** `dev_` + 16 base62 characters; the authenticator ids are `sms|<id>` and `voice|<id>`. */
  id: string;
  userId: string;
  type: 'phone';
  phoneNumber: string;
  /** The channel the user enrolled with; challenges default to it. */
  preferredMethod: 'sms' | 'voice';
  /** `pending` until the enrollment code was confirmed through the mfa-oob grant. */
  status: 'pending' | 'confirmed';
  createdAt: string;
  confirmedAt: string | null;
  lastAuth: string | null;
}

export interface EnrollmentRepository {
  insert(tenantId: string, e: EnrollmentRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<EnrollmentRecord | undefined>;
  listForUser(tenantId: string, userId: string): Promise<EnrollmentRecord[]>;
  /** Pending -> confirmed; true for exactly one caller. */
  confirm(tenantId: string, id: string, now: string): Promise<boolean>;
  touch(tenantId: string, id: string, now: string): Promise<void>;
  delete(tenantId: string, userId: string, id: string): Promise<boolean>;
  /** Drops the user's unconfirmed enrollments (a new association replaces an abandoned one). */
  deletePending(tenantId: string, userId: string): Promise<number>;
  /** Deletes one enrollment whoever its user (the Management API's `/guardian/enrollments/{id}`). */
  deleteById(tenantId: string, id: string): Promise<boolean>;
  /** Every enrollment of a user (user deletion). Returns how many rows went. */
  deleteForUser(tenantId: string, userId: string): Promise<number>;
}

export interface RecoveryCodeRepository {
  /** The user's current recovery code hash and when it was made. */
  get(tenantId: string, userId: string): Promise<{ codeHash: string; createdAt: string } | undefined>;
  /** Sets (or replaces) the user's one recovery code. */
  put(tenantId: string, userId: string, codeHash: string, now: string): Promise<void>;
  /** Compare-and-swap: writes `to` only while the row holds `from`, so one use of a code wins. */
  swap(tenantId: string, userId: string, from: string, to: string, now: string): Promise<boolean>;
  delete(tenantId: string, userId: string): Promise<boolean>;
}

export interface RefreshTokenRecord {
  /** SHA-256 (keyed) of the opaque token; the token itself is never stored. */
  tokenHash: string;
  userId: string;
  clientId: string;
  scope: string;
  audience: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface RefreshTokenRepository {
  insert(tenantId: string, t: RefreshTokenRecord): Promise<void>;
  get(tenantId: string, tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  revokeForUser(tenantId: string, userId: string, now: string): Promise<number>;
}
