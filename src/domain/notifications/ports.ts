import type { DeliveryMethod, TemplateType } from '../ports.js';
import type { NotificationContext } from './sender.js';

export type NotificationStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed';
export const FINAL_STATUSES: readonly NotificationStatus[] = ['delivered', 'undelivered', 'failed'];

/**
 * Where a notification goes: the tenant provider, a test number (never leaves), or the legacy path
 * (MFA through the Guardian settings, passwordless through the `sms` connection's options).
 */
export type NotificationChannel = 'provider' | 'test_number' | 'legacy';

/** What started a notification (logs and the timeline show it). */
export type NotificationSource = 'try_provider' | 'try_template' | 'mfa' | 'passwordless' | 'signup' | 'password_reset' | 'brute_force' | 'breach';

/** One guard's decision on a send (send-policy.ts), as recorded on the notification and in the tenant log. */
export interface DecisionRecord {
  guard: string;
  verdict: 'allow' | 'deny' | 'delay';
  /** A stable, machine-readable reason code (`send_limit_user`, ...). */
  reason?: string;
  delay_ms?: number;
}

export interface NotificationRecord {
  id: string;
  type: TemplateType;
  deliveryMethod: DeliveryMethod;
  recipient: string;
  source: NotificationSource;
  channel: NotificationChannel;
  templateId: string | null;
  templateVersion: number | null;
  locale: string | null;
  context: NotificationContext;
  /** The one-time code sealed (purpose `notification_code`) until the notification is final, then null. */
  codeSealed: string | null;
  clientId: string | null;
  userId: string | null;
  ip: string | null;
  status: NotificationStatus;
  /** The provider kind's name (or `test_number`) once an attempt picked one. */
  provider: string | null;
  providerMessageId: string | null;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string;
  leaseUntil: string | null;
  errorCode: string | null;
  lastError: string | null;
  /** What the send policy's guards decided, in order (null on rows written before the policy existed). */
  policy: DecisionRecord[] | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  finalAt: string | null;
}

export interface AttemptRecord {
  id: string;
  number: number;
  provider: string;
  startedAt: string;
  durationMs: number;
  outcome: 'sent' | 'retry' | 'failed';
  errorCode: string | null;
  reason: string | null;
  detail: Record<string, unknown>;
}

export interface NotificationEventRecord {
  id: string;
  at: string;
  kind: string;
  detail: Record<string, unknown>;
}

export interface LogRecord {
  log_id: string;
  date: string;
  type: string;
  description: string;
  client_id: string | null;
  client_name: string | null;
  ip: string | null;
  user_id: string | null;
  details: Record<string, unknown>;
}

/** The change recorded at the end of an attempt (fenced on the attempt number that claimed it). */
export interface AttemptOutcome {
  status: NotificationStatus;
  provider: string;
  providerMessageId?: string | null;
  nextAttemptAt?: string;
  errorCode?: string | null;
  lastError?: string | null;
  sentAt?: string | null;
  finalAt?: string | null;
  /** Drop the sealed code (the notification will not be attempted again). */
  wipeCode: boolean;
  updatedAt: string;
}

export interface NotificationRepository {
  /** Inserts a notification (queued, or already claimed by this process), with an optional first event. */
  insert(tenantId: string, n: NotificationRecord, event?: NotificationEventRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<NotificationRecord | undefined>;
  /**
   * The tenant of a notification id. The one lookup that is not tenant-scoped: delivery receipts
   * arrive at a URL without a tenant, and are then checked with that tenant's provider credentials.
   */
  locate(id: string): Promise<{ tenantId: string; channel: NotificationChannel } | undefined>;
  /**
   * Atomically moves one due notification (queued and due, or sending with an expired lease) to
   * `sending`, increments `attempts` and sets the lease. Undefined when another dispatcher has it.
   */
  claim(tenantId: string, id: string, now: string, leaseUntil: string): Promise<NotificationRecord | undefined>;
  /** Claims up to `limit` due notifications of any tenant (the background dispatcher serves them all). */
  claimDue(now: string, leaseUntil: string, limit: number): Promise<Array<NotificationRecord & { tenantId: string }>>;
  /**
   * Records the end of attempt `attemptNo`: only if the notification is still `sending` with that
   * attempt number (a dispatcher whose lease expired cannot overwrite a newer attempt), or when a
   * receipt for that attempt, come before the provider's answer, has already settled it (its status
   * is kept). Writes the attempt row, events and log lines in the same transaction. False when fenced out.
   */
  finishAttempt(
    tenantId: string,
    id: string,
    attemptNo: number,
    outcome: AttemptOutcome,
    attempt: AttemptRecord,
    events: NotificationEventRecord[],
    logs: LogRecord[],
  ): Promise<boolean>;
  /**
   * Applies a delivery receipt: moves the status to a final one only from `sending` or `sent`
   * (never backwards, never from another final status). False when nothing changed.
   */
  applyReceipt(
    tenantId: string,
    id: string,
    status: NotificationStatus,
    change: { errorCode: string | null; lastError: string | null; at: string },
    /** The receipt applies only to this attempt and, once the notification has one, this provider message id. */
    match: { attempt: number | undefined; providerMessageId: string | null },
    event: NotificationEventRecord,
    logs: LogRecord[],
  ): Promise<boolean>;
  addEvent(tenantId: string, id: string, event: NotificationEventRecord): Promise<void>;
  attempts(tenantId: string, id: string): Promise<AttemptRecord[]>;
  events(tenantId: string, id: string): Promise<NotificationEventRecord[]>;
  /**
   * Fails (`attempts_exhausted`) the notifications whose last allowed attempt was claimed by a process
   * that stopped before recording it (lease run out). Returns how many.
   */
  failAbandoned(now: Date, trace: (n: NotificationRecord, now: Date) => { event: NotificationEventRecord; log: LogRecord }): Promise<number>;
  /** Notifications waiting to be sent (queued or sending), all tenants: the queue depth. */
  queueDepth(): Promise<number>;
}

export interface LogFilter {
  types?: string[];
  from?: string;
  to?: string;
  userId?: string;
  clientId?: string;
  /**
   * Entries about this masked number (`+1415*****71`): logs keep only the masked form, so numbers
   * sharing the first five characters, the length and the last two digits match alike.
   */
  maskedNumber?: string;
  /** Only entries with a log_id greater than this one (checkpoint pagination). */
  afterLogId?: string;
}

export interface LogRepository {
  insert(tenantId: string, log: LogRecord): Promise<void>;
  get(tenantId: string, logId: string): Promise<LogRecord | undefined>;
  /** Newest first unless `ascending`. */
  list(tenantId: string, filter: LogFilter, page: { offset: number; limit: number; ascending: boolean }): Promise<{ items: LogRecord[]; total: number }>;
}

export interface TestNumberRecord {
  number: string;
  /** A fixed one-time code for automated tests of the tenant's own apps; null draws a random one. */
  code: string | null;
}

export interface TestNumberRepository {
  list(tenantId: string): Promise<TestNumberRecord[]>;
  get(tenantId: string, number: string): Promise<TestNumberRecord | undefined>;
  replaceAll(tenantId: string, numbers: TestNumberRecord[], now: string): Promise<void>;
}
