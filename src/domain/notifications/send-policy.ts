import type { Clock } from '../clock.js';
import { AppError, type ErrorCode } from '../errors.js';
import { sortableId } from '../ids.js';
import type { ParsedRecipient } from '../phone-number.js';
import type { DeliveryMethod, TemplateType, TenantRecord } from '../ports.js';
import type { OtpRecord } from '../auth/ports.js';
import { maskNumber } from './dispatcher.js';
import { LOG_TYPES } from './log-types.js';
import type { SendFlow } from './send-flows.js';
import type { DecisionRecord, LogRecord, LogRepository, NotificationChannel, NotificationSource } from './ports.js';

/**
 * The send-policy seam. Every notification, whatever produced it (the OTP flows, test sends,
 * login-guard notices, legacy MFA), passes one ordered list of guards in `NotificationService.enqueue`
 * before anything is written or sent. A guard sees who and what the send is for and allows it,
 * denies it with a catalogued error and a reason code, or asks for a delay. Guards are added in the
 * composition root (`src/composition/`); the first is the per-user send limit of one-time codes.
 */

// The flows live in their own module, which imports nothing: the stored policies name them too.
export { SEND_FLOWS, type SendFlow } from './send-flows.js';

/** The flow of a notification, from what started it and its type. */
export function flowOf(source: NotificationSource, type: TemplateType): SendFlow {
  switch (source) {
    case 'try_provider':
    case 'try_template':
      return 'test_send';
    case 'mfa':
      return type === 'otp_enroll' ? 'mfa_enrollment' : 'mfa_challenge';
    case 'passwordless':
      return 'passwordless';
    case 'signup':
      return 'signup';
    case 'password_reset':
      return 'password_reset';
    case 'brute_force':
    case 'breach':
      return 'account_notice';
  }
}

/** One send as the guards see it. */
export interface SendRequest {
  tenant: TenantRecord;
  flow: SendFlow;
  source: NotificationSource;
  type: TemplateType;
  deliveryMethod: DeliveryMethod;
  recipient: ParsedRecipient;
  channel: NotificationChannel;
  userId: string | null;
  clientId: string | null;
  ip: string | null;
  /**
   * The one-time code row this send delivers, not stored yet. The guard that limits code sends issues
   * it (count and insert in one statement), so that two concurrent sends cannot both pass a limit of one.
   */
  otp?: OtpRecord;
}

/** A guard's answer. `reason` is a stable, machine-readable code (`send_limit_user`, ...). */
export type GuardDecision =
  | {
      verdict: 'allow';
      reason?: string;
      /**
       * A write that only records what the guard allowed (the fraud guard's record of a code sent,
       * a spend charge with no cap to hold): it runs once every guard has allowed the send, together
       * with the send's own write (on SQLite in the same group commit), instead of before the next
       * guard. A write whose result decides the send (a counter, a capped charge) belongs in `check`.
       */
      record?: () => Promise<unknown>;
    }
  | {
      verdict: 'deny';
      error: ErrorCode;
      reason: string;
      message: string;
      retryAfterSeconds?: number;
      /** More facts for the `phone_send_denied` log line (the fraud guard's evidence). */
      details?: Record<string, unknown>;
      /** Extra response headers (the velocity limits' `x-ratelimit-limit`, `-remaining`, `-reset`). */
      headers?: Readonly<Record<string, string>>;
    }
  | { verdict: 'delay'; reason: string; delayMs: number };

export interface SendGuard {
  /** Stable name, recorded with each decision. */
  readonly name: string;
  /**
   * Decides on one send. Guards run in order and the first that does not allow ends the evaluation;
   * a guard that reserves something (a rate-limit point, a code row) keeps it when a later guard
   * denies, as a consumed rate-limit point stays consumed.
   */
  check(request: SendRequest): GuardDecision | Promise<GuardDecision>;
}

/** The plain allow, shared: a guard with nothing to say about a send answers it without allocating. */
export const ALLOW: GuardDecision = Object.freeze({ verdict: 'allow' });

/** What the guards decided for an allowed send: the decisions, and the longest delay asked for. */
export interface PolicyOutcome {
  decisions: DecisionRecord[];
  delayMs: number;
  /** The guards' `record` writes, for the caller to run with the send's own write. */
  records: Array<() => Promise<unknown>>;
}

/** Counts the decisions (`/metrics`: `unifone_send_policy_decisions_total`). */
export type DecisionObserver = (tenantId: string, guard: string, verdict: GuardDecision['verdict'], reason: string | undefined) => void;

/** Runs the guards in order; a deny is written to the tenant log and thrown as its catalogued error. */
export class SendPolicy {
  constructor(
    private readonly guards: readonly SendGuard[],
    private readonly logs: Pick<LogRepository, 'insert'>,
    private readonly clock: Clock,
    private readonly metrics?: { denied(guard: string, reason: string): void },
    private readonly observe?: DecisionObserver,
  ) {}

  async evaluate(request: SendRequest): Promise<PolicyOutcome> {
    const decisions: DecisionRecord[] = [];
    const records: Array<() => Promise<unknown>> = [];
    let delayMs = 0;
    for (const guard of this.guards) {
      // A guard that decides without I/O answers a plain value: no promise to wait on for it.
      const answer = guard.check(request);
      const d = answer instanceof Promise ? await answer : answer;
      this.observe?.(request.tenant.id, guard.name, d.verdict, d.reason);
      if (d.verdict === 'deny') {
        this.metrics?.denied(guard.name, d.reason);
        await this.logs.insert(request.tenant.id, this.deniedLog(request, guard.name, d));
        const e = new AppError(d.error, d.message);
        if (d.retryAfterSeconds !== undefined || d.headers) {
          e.headers = { ...d.headers, ...(d.retryAfterSeconds !== undefined ? { 'retry-after': String(d.retryAfterSeconds) } : {}) };
        }
        throw e;
      }
      if (d.verdict === 'delay') delayMs = Math.max(delayMs, d.delayMs);
      if (d.verdict === 'allow' && d.record) records.push(d.record);
      const record: DecisionRecord = { guard: guard.name, verdict: d.verdict };
      if (d.reason !== undefined) record.reason = d.reason;
      if (d.verdict === 'delay') record.delay_ms = d.delayMs;
      decisions.push(record);
    }
    return { decisions, delayMs, records };
  }

  private deniedLog(r: SendRequest, guard: string, d: Extract<GuardDecision, { verdict: 'deny' }>): LogRecord {
    const now = this.clock.now();
    return {
      log_id: sortableId(now),
      date: now.toISOString(),
      type: 'phone_send_denied',
      description: `${LOG_TYPES.phone_send_denied}: ${d.message}`,
      client_id: r.clientId,
      client_name: null,
      ip: r.ip,
      user_id: r.userId,
      details: {
        guard,
        reason: d.reason,
        error_code: d.error,
        ...(d.retryAfterSeconds !== undefined ? { retry_after: d.retryAfterSeconds } : {}),
        flow: r.flow,
        message_type: r.type,
        delivery_method: r.deliveryMethod,
        to: maskNumber(r.recipient.e164),
        ...(r.recipient.country ? { country: r.recipient.country } : {}),
        ...(r.recipient.numberType ? { number_type: r.recipient.numberType } : {}),
        ...d.details,
      },
    };
  }
}
