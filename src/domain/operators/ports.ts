/** Who may use the dashboard, what they may do there, and their sessions. Storage lives behind these ports. */

export type OperatorRole = 'admin' | 'viewer';

export interface OperatorRecord {
  id: string;
  /** Lower case, trimmed: the sign-in name. */
  email: string;
  /** scrypt, in the stored form of `domain/auth/passwords.ts`. */
  passwordHash: string;
  role: OperatorRole;
  /** Tenant names the operator may manage, or `'*'` for every tenant (present and future). */
  tenants: readonly string[] | '*';
  createdAt: string;
  updatedAt: string;
}

export interface OperatorRepository {
  insert(op: OperatorRecord): Promise<void>;
  findByEmail(email: string): Promise<OperatorRecord | undefined>;
  findById(id: string): Promise<OperatorRecord | undefined>;
  count(): Promise<number>;
  list(): Promise<OperatorRecord[]>;
}

/** A dashboard session. Only a SHA-256 of the session id is stored: a copy of the table signs nobody in. */
export interface SessionRecord {
  idHash: string;
  operatorId: string;
  createdAt: string;
  /** Renewed by use (at most once a minute); the idle expiry counts from it. */
  lastSeenAt: string;
  /** createdAt + the absolute lifetime: no use extends a session past it. */
  expiresAt: string;
}

export interface SessionRepository {
  insert(s: SessionRecord): Promise<void>;
  get(idHash: string): Promise<SessionRecord | undefined>;
  touch(idHash: string, lastSeenAt: string): Promise<void>;
  delete(idHash: string): Promise<void>;
  /** Removes sessions that ended (absolute expiry, or idle since before `idleBefore`); how many. */
  deleteEnded(now: string, idleBefore: string): Promise<number>;
}

/**
 * Counters of sign-in attempts in fixed windows, shared by every process (a table, not memory):
 * `increment` adds one to the window's counter and answers the new count, atomically.
 */
export interface SignInAttemptRepository {
  count(key: string): Promise<number>;
  increment(key: string, windowEndsAt: string): Promise<number>;
  /** Takes back one counted attempt (a sign-in that succeeded). */
  decrement(key: string): Promise<void>;
  /** Drops the counters of windows that ended before `now`. */
  purge(now: string): Promise<void>;
}
