import type { Clock } from '../clock.js';
import { sortableId } from '../ids.js';
import { GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE } from '../purposes.js';
import { openProviderCredentials } from '../phone-provider/phone-provider-service.js';
import type { Repositories, Sealer } from '../ports.js';
import { maskNumber } from './dispatcher.js';
import { failedType, LOG_TYPES, type LogType } from './log-types.js';
import type { PipelineMetrics } from './metrics.js';
import type { NotificationChannel, NotificationStatus } from './ports.js';

/**
 * Maps a provider's delivery status to ours. Intermediate statuses (queued, sending, sent, ringing,
 * in-progress) carry no news for a notification that is already `sent`, so they map to undefined.
 */
export function statusFromTwilio(params: Record<string, string>): NotificationStatus | undefined {
  const s = (params['MessageStatus'] ?? params['SmsStatus'] ?? params['CallStatus'] ?? '').toLowerCase();
  switch (s) {
    case 'delivered':
    case 'read':
    case 'completed':
      return 'delivered';
    case 'undelivered':
    case 'busy':
    case 'no-answer':
    case 'canceled':
      return 'undelivered';
    case 'failed':
      return 'failed';
    default:
      return undefined;
  }
}

/**
 * Applies delivery receipts. A receipt only moves a notification forward, from `sending` or `sent`
 * to a final status; a late or repeated receipt is recorded in the timeline as ignored.
 */
export class ReceiptService {
  constructor(
    private readonly repos: Repositories,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    private readonly metrics: PipelineMetrics,
  ) {}

  /**
   * The Twilio auth token that signs the receipts of a notification: the Guardian Twilio settings'
   * for a legacy-mode MFA message (it was sent with them), else the tenant's phone provider's.
   */
  async signingToken(tenantId: string, channel: NotificationChannel): Promise<string | undefined> {
    if (channel === 'legacy') {
      const sealed = (await this.repos.guardian.get(tenantId))?.twilioAuthTokenSealed;
      return sealed ? this.sealer.open(sealed, GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE) : undefined;
    }
    return openProviderCredentials(this.sealer, (await this.repos.phoneProviders.getForTenant(tenantId))?.credentialsSealed ?? null).auth_token;
  }

  /**
   * Resolves to what happened: `applied`, `ignored` (out of order, no news, or about another
   * attempt's message) or `unknown` (no such notification). `attempt` is the one the callback URL
   * names; a receipt applies only to that attempt, and only if its message id is the one recorded.
   */
  async apply(tenantId: string, notificationId: string, params: Record<string, string>, attempt?: number): Promise<'applied' | 'ignored' | 'unknown'> {
    const n = await this.repos.notifications.get(tenantId, notificationId);
    if (!n) return 'unknown';
    const status = statusFromTwilio(params);
    const now = this.clock.now();
    const at = now.toISOString();
    const errorCode = params['ErrorCode'] || null;
    const providerMessageId = params['MessageSid'] ?? params['SmsSid'] ?? params['CallSid'] ?? null;
    const detail = {
      provider_status: params['MessageStatus'] ?? params['SmsStatus'] ?? params['CallStatus'] ?? null,
      provider_message_id: providerMessageId,
      ...(attempt !== undefined ? { attempt } : {}),
      ...(errorCode ? { error_code: errorCode } : {}),
    };
    if (!status) {
      await this.repos.notifications.addEvent(tenantId, n.id, { id: sortableId(now), at, kind: 'receipt_progress', detail });
      return 'ignored';
    }
    const logType: LogType = status === 'delivered' ? 'phone_delivered' : status === 'undelivered' ? 'phone_undelivered' : failedType(n.deliveryMethod);
    const reason = errorCode ? `provider error ${errorCode}` : null;
    const applied = await this.repos.notifications.applyReceipt(
      tenantId,
      n.id,
      status,
      { errorCode, lastError: status === 'delivered' ? null : reason, at },
      { attempt, providerMessageId },
      { id: sortableId(now), at, kind: status, detail },
      [
        {
          log_id: sortableId(now),
          date: at,
          type: logType,
          description: reason ? `${LOG_TYPES[logType]}: ${reason}` : LOG_TYPES[logType],
          client_id: n.clientId,
          client_name: n.context.client?.name ?? null,
          ip: n.ip,
          user_id: n.userId,
          details: { notification_id: n.id, message_type: n.type, delivery_method: n.deliveryMethod, to: maskNumber(n.recipient), ...detail },
        },
      ],
    );
    if (applied) {
      const tenant = await this.repos.tenants.findById(tenantId);
      this.metrics.status(tenant?.name ?? tenantId, n.type, n.provider ?? 'twilio', status);
    }
    return applied ? 'applied' : 'ignored';
  }
}
