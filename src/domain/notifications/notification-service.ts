import type { OtpRecord } from '../auth/ports.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { newNotificationId } from '../ids.js';
import { parseRecipient, toE164 } from '../phone-number.js';
import type { DeliveryMethod, PhoneProviderRecord, Sealer, TemplateType, TenantRecord } from '../ports.js';
import type { Repositories } from '../repositories.js';
import { NOTIFICATION_CODE_PURPOSE } from '../purposes.js';
import type { Dispatcher, RetryPolicy } from './dispatcher.js';
import type { DecisionRecord, NotificationChannel, NotificationRecord, NotificationSource } from './ports.js';
import { pickLocale } from './render.js';
import { flowOf, type PolicyOutcome, type SendPolicy, type SendRequest } from './send-policy.js';
import type { NotificationContext } from './sender.js';

export interface EnqueueInput {
  type: TemplateType;
  deliveryMethod: DeliveryMethod;
  /** E.164, or digits with the country code (normalised); anything else is refused. */
  recipient: string;
  source: NotificationSource;
  context?: NotificationContext;
  /** The one-time code to deliver; sealed until the notification is final, then wiped. */
  code?: string;
  /** The code's row, not stored yet: the send policy issues it when it allows the send (see send-policy.ts). */
  otp?: OtpRecord;
  /** `legacy` for tenants in legacy mode (MFA through the Guardian configuration, passwordless through the connection). */
  channel?: Exclude<NotificationChannel, 'test_number'>;
  /** The tenant's provider when the caller has read it already (test sends): the inline send uses it. */
  provider?: PhoneProviderRecord;
  /** Decisions taken before the send policy (the bot check of the request): recorded first on `policy`. */
  checks?: DecisionRecord[];
}

/**
 * The entry of the delivery pipeline: validates, passes the send policy, persists the notification
 * (the outbox) and hands it to the dispatcher right after the write commits. Nothing accepted here is
 * lost: a process that dies before sending leaves the row queued for the background dispatcher.
 */
export class NotificationService {
  constructor(
    private readonly repos: Pick<Repositories, 'testNumbers' | 'phoneTemplates' | 'notifications'>,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    private readonly dispatcher: Dispatcher,
    private readonly policy: RetryPolicy,
    private readonly sendPolicy: SendPolicy,
    private readonly options: { dispatchInline: boolean },
  ) {}

  async enqueue(tenant: TenantRecord, input: EnqueueInput): Promise<NotificationRecord> {
    const parsed = parseRecipient(input.recipient);
    if (!parsed) throw new AppError('invalid_body', `Payload validation error: invalid phone number ${JSON.stringify(input.recipient)}; use E.164 (+14155552671)`);
    const context = input.context ?? {};
    const testNumber = await this.repos.testNumbers.get(tenant.id, parsed.e164);
    const channel: NotificationChannel = testNumber ? 'test_number' : (input.channel ?? 'provider');
    const clientId = context.client?.client_id ?? null;
    const userId = context.user?.user_id ?? null;
    const ip = context.request?.ip ?? null;
    // Every send passes the guards before anything is written (a deny throws its catalogued error).
    const request: SendRequest = { tenant, flow: flowOf(input.source, input.type), source: input.source, type: input.type, deliveryMethod: input.deliveryMethod, recipient: parsed, channel, userId, clientId, ip };
    if (input.otp) request.otp = input.otp;
    const decided = await this.sendPolicy.evaluate(request);
    // Sent from here right away, the row is written already claimed by this process (`sending`,
    // attempt 1, with a lease): no second write to claim it. Should the process die before the
    // attempt is recorded, the lease runs out and the background dispatcher takes it over. A send a
    // guard delayed is queued for then and left to the background dispatcher.
    const inline = this.options.dispatchInline && decided.delayMs === 0;
    const n = await this.record(tenant, input, request, context, decided, inline);
    // The guards' records go with the row: on SQLite one group commit holds them all.
    await Promise.all([this.repos.notifications.insert(tenant.id, n), ...decided.records.map((write) => write())]);
    if (inline) void this.dispatcher.processClaimed(tenant, n, input.code, input.provider);
    return n;
  }

  /** The notification row as enqueued: queued, or already claimed by this process when sent inline. */
  private async record(
    tenant: TenantRecord,
    input: EnqueueInput,
    to: SendRequest,
    context: NotificationContext,
    decided: PolicyOutcome,
    inline: boolean,
  ): Promise<NotificationRecord> {
    const template = await this.repos.phoneTemplates.getByType(tenant.id, input.type);
    const now = this.clock.now();
    const at = now.toISOString();
    return {
      id: newNotificationId(),
      type: input.type,
      deliveryMethod: input.deliveryMethod,
      recipient: to.recipient.e164,
      source: input.source,
      channel: to.channel,
      templateId: template?.id ?? null,
      templateVersion: template?.version ?? null,
      locale: pickLocale(context, tenant.enabledLocales),
      context,
      codeSealed: input.code !== undefined ? this.sealer.seal(input.code, NOTIFICATION_CODE_PURPOSE) : null,
      clientId: to.clientId,
      userId: to.userId,
      ip: to.ip,
      status: inline ? 'sending' : 'queued',
      provider: null,
      providerMessageId: null,
      attempts: inline ? 1 : 0,
      maxAttempts: this.policy.maxAttempts,
      nextAttemptAt: decided.delayMs > 0 ? new Date(now.getTime() + decided.delayMs).toISOString() : at,
      leaseUntil: inline ? new Date(now.getTime() + this.policy.leaseMs).toISOString() : null,
      errorCode: null,
      lastError: null,
      policy: input.checks ? [...input.checks, ...decided.decisions] : decided.decisions,
      createdAt: at,
      updatedAt: at,
      sentAt: null,
      finalAt: null,
    };
  }

  /** The fixed one-time code configured for a test number, if `recipient` is one and has one. */
  async fixedTestCode(tenantId: string, recipient: string): Promise<string | undefined> {
    const e164 = toE164(recipient);
    if (!e164) return undefined;
    return (await this.repos.testNumbers.get(tenantId, e164))?.code ?? undefined;
  }
}
