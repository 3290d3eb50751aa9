import type { Clock } from '../clock.js';
import { sortableId } from '../ids.js';
import { openProviderCredentials } from '../phone-provider/provider-credentials.js';
import type { ProviderCredentials, Receipt, ReceiptRequest } from '../phone-provider/provider-kind.js';
import type { ProviderRegistry } from '../phone-provider/provider-registry.js';
import type { Sealer } from '../ports.js';
import type { Repositories } from '../repositories.js';
import { notificationLog } from './dispatcher.js';
import type { SmsConnectionOptions } from '../auth/ports.js';
import { legacyReceiptCredentials } from './legacy.js';
import { legacyPasswordlessReceiptCredentials } from './legacy-passwordless.js';
import { failedType, type LogType } from './log-types.js';
import type { PipelineMetrics } from './metrics.js';
import type { NotificationChannel } from './ports.js';


/** The timeline kinds a receipt writes. */
const RECEIPT_EVENT_KINDS: ReadonlySet<string> = new Set(['receipt_progress', 'receipt_ignored', 'delivered', 'undelivered', 'failed']);
/** Receipts one notification keeps: a message goes through a handful of statuses, retries included. */
export const MAX_RECEIPT_EVENTS = 50;

/** What became of a posted receipt. */
export type ReceiptOutcome = 'applied' | 'ignored' | 'unknown' | 'refused' | 'not_found';

/**
 * Applies delivery receipts. A receipt only moves a notification forward, from `sending` or `sent`
 * to a final status; a late or repeated receipt is recorded in the timeline as ignored. The provider
 * kind says whether a receipt is authentic and what it reports.
 */
export class ReceiptService {
  constructor(
    private readonly repos: Repositories,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    private readonly metrics: PipelineMetrics,
    /** The provider kinds; those with `receipts` get a webhook. */
    readonly kinds: ProviderRegistry,
  ) {}

  /**
   * The credentials that sign the receipts of a notification: for a legacy-mode message, those it was
   * sent with (the `sms` connection's legacy options for a passwordless code, the Guardian settings'
   * for an MFA message), else the tenant's phone provider's.
   */
  private async signingCredentials(tenantId: string, notificationId: string, channel: NotificationChannel, kind: string): Promise<ProviderCredentials | undefined> {
    if (channel === 'legacy') {
      const n = await this.repos.notifications.get(tenantId, notificationId);
      if (n?.source === 'passwordless') {
        const name = n.context.connection?.name;
        const conn = name === undefined ? undefined : await this.repos.connections.getByName(tenantId, name);
        return conn?.strategy === 'sms' ? legacyPasswordlessReceiptCredentials(conn.options as SmsConnectionOptions, this.sealer, kind) : undefined;
      }
      return legacyReceiptCredentials(await this.repos.guardian.get(tenantId), this.sealer, kind);
    }
    return openProviderCredentials(this.sealer, (await this.repos.phoneProviders.getForTenant(tenantId))?.credentialsSealed ?? null);
  }

  /**
   * A receipt posted for provider kind `kind` about notification `notificationId`: `not_found` when
   * there is no such notification (or the kind takes no receipts), `refused` (nothing changes) when
   * the kind does not find it authentic, else what `apply` made of it. `attempt` is the one the
   * callback URL names.
   */
  async receive(kind: string, notificationId: string, request: ReceiptRequest, attempt?: number): Promise<ReceiptOutcome> {
    const receipts = this.kinds.get(kind)?.receipts;
    const located = receipts ? await this.repos.notifications.locate(notificationId) : undefined;
    if (!receipts || !located) return 'not_found';
    const credentials = await this.signingCredentials(located.tenantId, notificationId, located.channel, kind);
    if (!credentials || !receipts.verify(request, credentials)) return 'refused';
    return this.apply(located.tenantId, notificationId, receipts.read(request.body), kind, attempt);
  }

  /**
   * Resolves to what happened: `applied`, `ignored` (out of order, no news, or about another
   * attempt's message) or `unknown` (no such notification). `attempt` is the one the callback URL
   * names; a receipt applies only to that attempt, and only if its message id is the one recorded.
   */
  async apply(tenantId: string, notificationId: string, receipt: Receipt, kind: string, attempt?: number): Promise<'applied' | 'ignored' | 'unknown'> {
    const n = await this.repos.notifications.get(tenantId, notificationId);
    if (!n) return 'unknown';
    const { status, errorCode, providerMessageId } = receipt;
    const now = this.clock.now();
    const at = now.toISOString();
    const detail = {
      provider_status: receipt.providerStatus,
      provider_message_id: providerMessageId,
      ...(attempt !== undefined ? { attempt } : {}),
      ...(errorCode ? { error_code: errorCode } : {}),
    };
    // A replayed receipt (the same message, status and attempt as one recorded already) is news to
    // nobody: it adds nothing, so a signed callback replayed in a loop cannot grow the timeline. The
    // receipts a notification keeps are bounded too (two concurrent replays may both pass the check).
    const seen = (await this.repos.notifications.events(tenantId, n.id)).filter((e) => RECEIPT_EVENT_KINDS.has(e.kind));
    const same = (d: Record<string, unknown>) =>
      d['provider_status'] === detail.provider_status && d['provider_message_id'] === detail.provider_message_id && d['attempt'] === detail.attempt;
    if (seen.length >= MAX_RECEIPT_EVENTS || seen.some((e) => same(e.detail))) return 'ignored';
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
      [notificationLog(n, now, logType, reason ?? undefined, detail)],
    );
    if (applied) {
      const tenant = await this.repos.tenants.findById(tenantId);
      this.metrics.status(tenant?.name ?? tenantId, n.type, n.provider ?? kind, status);
    }
    return applied ? 'applied' : 'ignored';
  }
}
