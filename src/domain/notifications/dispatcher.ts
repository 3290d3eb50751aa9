import { randomInt } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isAppError } from '../errors.js';
import { sortableId } from '../ids.js';
import { NOTIFICATION_CODE_PURPOSE } from '../purposes.js';
import { OpenedCredentials } from '../phone-provider/provider-credentials.js';
import { senderNumber } from '../phone-provider/provider-kind.js';
import type { ProviderRegistry } from '../phone-provider/provider-registry.js';
import type { PhoneProviderRecord, Sealer, TenantRecord } from '../ports.js';
import type { Repositories } from '../repositories.js';
import type { SmsConnectionOptions } from '../auth/ports.js';
import { legacyRoute, withLegacyBodies, withLegacyFrom } from './legacy.js';
import { legacyPasswordlessRoute, renderLegacyPasswordless } from './legacy-passwordless.js';
import { failedType, LOG_TYPES, sentType, type LogType } from './log-types.js';
import type { PipelineMetrics } from './metrics.js';
import type { AttemptOutcome, LogRecord, NotificationEventRecord, NotificationRecord } from './ports.js';
import { renderNotification } from './render.js';
import { sendFailure, type OutgoingMessage, type PhoneSender, type SendResult, type TenantView } from './sender.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a claimed notification stays claimed before another dispatcher may take it over. */
  leaseMs: number;
}

export interface DispatchLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function tenantView(t: TenantRecord): TenantView {
  return {
    internalId: t.id,
    name: t.name,
    friendly_name: t.friendlyName,
    ...(t.homeUrl ? { home_url: t.homeUrl } : {}),
    ...(t.pictureUrl ? { logo_url: t.pictureUrl } : {}),
    ...(t.supportEmail ? { support_email: t.supportEmail } : {}),
    ...(t.supportUrl ? { support_url: t.supportUrl } : {}),
  };
}

/** `+14155552671` → `+1415*****71`: enough to recognise a number in a log, not to reuse it. */
export function maskNumber(n: string): string {
  return n.length <= 7 ? n : `${n.slice(0, 5)}${'*'.repeat(n.length - 7)}${n.slice(-2)}`;
}

/** A tenant log line about a notification (the recipient masked). */
export function notificationLog(n: NotificationRecord, now: Date, type: LogType, reason: string | undefined, detail: Record<string, unknown>): LogRecord {
  return {
    log_id: sortableId(now),
    date: now.toISOString(),
    type,
    description: reason === undefined ? LOG_TYPES[type] : `${LOG_TYPES[type]}: ${reason}`,
    client_id: n.clientId,
    client_name: n.context.client?.name ?? null,
    ip: n.ip,
    user_id: n.userId,
    details: { notification_id: n.id, message_type: n.type, delivery_method: n.deliveryMethod, to: maskNumber(n.recipient), ...detail },
  };
}

export const ABANDONED_REASON = 'The process making the last attempt stopped before recording it';

/** The timeline event and the log line of a notification failed by `failAbandoned`. */
export function abandonedTrace(n: NotificationRecord, now: Date): { event: NotificationEventRecord; log: LogRecord } {
  const detail = { attempt: n.attempts, error_code: 'attempts_exhausted', reason: ABANDONED_REASON, retryable: false };
  return { event: { id: sortableId(now), at: now.toISOString(), kind: 'failed', detail }, log: notificationLog(n, now, failedType(n.deliveryMethod), ABANDONED_REASON, detail) };
}

/**
 * Sends claimed notifications: render, pick the sender, call it (never inside a transaction), then
 * record the attempt, the new status, timeline events, tenant logs and metrics in one fenced write.
 * Retryable failures go back to the queue with exponential backoff and jitter, under the same id.
 */
export class Dispatcher {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** Provider credentials are opened here, once, and handed to the kind's sender plain. */
  private readonly credentials: OpenedCredentials;

  constructor(
    private readonly repos: Repositories,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    /** The provider kinds: the tenant's provider names its kind, the kind builds the sender. */
    private readonly kinds: ProviderRegistry,
    private readonly policy: RetryPolicy,
    private readonly metrics: PipelineMetrics,
    private readonly log: DispatchLogger,
    /** The legacy MFA hook (Guardian selected provider `phone-message-hook`), when this server has one. */
    private readonly legacyHook?: PhoneSender,
  ) {
    this.credentials = new OpenedCredentials(sealer);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    return p;
  }

  /** Claims and sends one notification now, if it is due and no other dispatcher has it. */
  dispatchOne(tenantId: string, id: string): Promise<void> {
    return this.track(
      (async () => {
        if (this.stopped) return;
        const now = this.clock.now();
        const claimed = await this.repos.notifications.claim(tenantId, id, now.toISOString(), new Date(now.getTime() + this.policy.leaseMs).toISOString());
        if (claimed) await this.process(tenantId, claimed);
      })().catch((err) => this.log.error({ err, notificationId: id }, 'dispatch failed')),
    );
  }

  /**
   * Sends a notification this process has already claimed. The enqueuing request (inline path)
   * passes the tenant record it has, and the provider when it read it already (a `/try` send), so
   * neither is read again; given a tenant id (the background dispatcher's batch, claimed across
   * tenants), both are read.
   */
  processClaimed(tenant: TenantRecord | string, n: NotificationRecord, code?: string, provider?: PhoneProviderRecord): Promise<void> {
    return this.track(this.process(tenant, n, code, provider).catch((err) => this.log.error({ err, notificationId: n.id }, 'dispatch failed')));
  }

  /** Resolves when every dispatch started so far has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.idle();
  }

  private async attempt(tenant: TenantRecord, n: NotificationRecord, plainCode?: string, known?: PhoneProviderRecord): Promise<{ provider: string; result: SendResult; final?: 'delivered' }> {
    if (n.channel === 'test_number') {
      const rendered = await this.render(tenant, n, (templateFrom) => templateFrom, plainCode);
      return {
        provider: 'test_number',
        final: 'delivered',
        result: { status: 'sent', providerMessageId: `test_${n.id}`, detail: { captured: { text: rendered.asText, voice: rendered.asVoice } } },
      };
    }
    if (n.channel === 'legacy') return this.attemptLegacy(tenant, n, plainCode);
    const provider = known ?? (await this.repos.phoneProviders.getForTenant(tenant.id));
    // A test send may use a provider that is not enabled yet: testing before enabling is the point.
    const isTest = n.source === 'try_provider' || n.source === 'try_template';
    if (!provider || (provider.disabled && !isTest)) {
      return { provider: provider?.name ?? 'none', result: sendFailure(false, 'provider_not_configured', 'No enabled phone provider is configured') };
    }
    if (!provider.configuration.delivery_methods.includes(n.deliveryMethod)) {
      return { provider: provider.name, result: sendFailure(false, 'delivery_method_not_enabled', `The phone provider does not deliver by ${n.deliveryMethod}`) };
    }
    const kind = this.kinds.get(provider.name);
    if (!kind) return { provider: provider.name, result: sendFailure(false, 'provider_unavailable', `No sender for provider ${provider.name} in this server`) };
    const message = await this.render(tenant, n, (templateFrom) => senderNumber(kind, provider.configuration, templateFrom), plainCode);
    const sender = kind.sender({ configuration: provider.configuration, credentials: this.credentials.open(provider.credentialsSealed) });
    return { provider: provider.name, result: await sender.send(message) };
  }

  /**
   * A tenant in legacy mode: the Guardian selected provider picks the sender (`auth0`, Auth0's own
   * SMS service, has none here), the Guardian templates give the MFA texts (see legacy.ts).
   */
  private async attemptLegacy(tenant: TenantRecord, n: NotificationRecord, plainCode?: string): Promise<{ provider: string; result: SendResult }> {
    if (n.source === 'passwordless') return this.attemptLegacyPasswordless(tenant, n, plainCode);
    const settings = await this.repos.guardian.get(tenant.id);
    const route = legacyRoute(settings, this.sealer, this.kinds, this.legacyHook);
    if ('failure' in route) return { provider: route.provider, result: route.failure };
    const message = withLegacyFrom(withLegacyBodies(tenant.id, settings!, await this.render(tenant, n, () => undefined, plainCode)), route.from);
    return { provider: route.provider, result: await route.sender.send(message) };
  }

  /**
   * A passwordless code of a tenant in legacy mode: the delivery options of the connection it was
   * asked for (`provider` with its Twilio or gateway settings) send it, with the connection's
   * `template` in its `syntax` as the text (see legacy-passwordless.ts). Text only.
   */
  private async attemptLegacyPasswordless(tenant: TenantRecord, n: NotificationRecord, plainCode?: string): Promise<{ provider: string; result: SendResult }> {
    const name = n.context.connection?.name;
    const conn = name === undefined ? undefined : await this.repos.connections.getByName(tenant.id, name);
    if (!conn || conn.strategy !== 'sms') {
      return { provider: 'none', result: sendFailure(false, 'provider_misconfigured', `The passwordless connection ${name ?? '(none)'} does not exist any more`) };
    }
    const options = conn.options as SmsConnectionOptions;
    const route = legacyPasswordlessRoute(options, this.sealer, this.kinds);
    if ('failure' in route) return { provider: route.provider, result: route.failure };
    if (n.deliveryMethod !== 'text') {
      return { provider: route.provider, result: sendFailure(false, 'delivery_method_not_enabled', `The sms connection delivers by text only, not by ${n.deliveryMethod}`) };
    }
    const code = this.codeOf(n, plainCode) ?? '';
    const locale = n.locale ?? 'en';
    const client = n.context.client;
    const body = renderLegacyPasswordless(
      options,
      { code, locale, ...(client ? { application: { name: client.name, client_id: client.client_id } } : {}) },
      `legacy-passwordless:${tenant.id}:${conn.id}`,
    );
    const message = this.outgoing(tenantView(tenant), n, { asText: body, asVoice: body, voiceSegments: [body] }, route.from, code, locale, locale);
    return { provider: route.provider, result: await route.sender.send(message) };
  }

  /** The one-time code: the enqueuing process hands it over in memory; anyone else opens the sealed copy. */
  private codeOf(n: NotificationRecord, plainCode?: string): string | undefined {
    return plainCode ?? (n.codeSealed ? this.sealer.open(n.codeSealed, NOTIFICATION_CODE_PURPOSE) : undefined);
  }

  /** Renders `n`; `fromFor` picks the sender number given the template's (the provider kind's rule). */
  private async render(tenant: TenantRecord, n: NotificationRecord, fromFor: (templateFrom: string | undefined) => string | undefined, plainCode?: string): Promise<OutgoingMessage> {
    const stored = await this.repos.phoneTemplates.getByType(tenant.id, n.type);
    // A disabled template turns its customisation off: the built-in body is used instead.
    const template = stored && !stored.disabled ? stored : undefined;
    const code = this.codeOf(n, plainCode);
    const locale = n.locale ?? 'en';
    const view = tenantView(tenant);
    const r = renderNotification({ type: n.type, template, tenant: view, context: n.context, locale, code });
    return this.outgoing(view, n, r, fromFor(r.from), code, locale, r.bodyLocale);
  }

  /** The message handed to a sender, with its bodies already rendered. */
  private outgoing(
    view: TenantView,
    n: NotificationRecord,
    bodies: { asText: string; asVoice: string; voiceSegments: string[] },
    from: string | undefined,
    code: string | undefined,
    locale: string,
    bodyLocale: string,
  ): OutgoingMessage {
    return {
      notificationId: n.id,
      attempt: n.attempts,
      tenant: view,
      type: n.type,
      deliveryMethod: n.deliveryMethod,
      recipient: n.recipient,
      ...(from ? { from } : {}),
      asText: bodies.asText,
      asVoice: bodies.asVoice,
      voiceSegments: bodies.voiceSegments,
      ...(code !== undefined ? { code } : {}),
      locale,
      ...(bodyLocale !== locale ? { bodyLocale } : {}),
      context: n.context,
    };
  }

  private backoff(attemptNo: number, retryAfterMs: number | undefined): number {
    const exp = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attemptNo - 1));
    const jittered = Math.floor(exp / 2 + randomInt(Math.max(1, Math.floor(exp / 2) + 1)));
    // The provider's own Retry-After wins over our schedule (bounded, so a bad header cannot park a message for days).
    return Math.max(jittered, Math.min(retryAfterMs ?? 0, 3_600_000));
  }

  private async process(tenantOrId: TenantRecord | string, n: NotificationRecord, plainCode?: string, known?: PhoneProviderRecord): Promise<void> {
    const started = this.clock.now();
    const t0 = performance.now();
    const tenant = typeof tenantOrId === 'string' ? await this.repos.tenants.findById(tenantOrId) : tenantOrId;
    if (!tenant) return;
    const tenantId = tenant.id;
    let provider = 'none';
    let result: SendResult;
    let final: 'delivered' | undefined;
    try {
      ({ provider, result, final } = await this.attempt(tenant, n, plainCode, known));
    } catch (err) {
      // Deterministic failures (a template that cannot render) are not worth retrying.
      const deterministic = isAppError(err);
      if (!deterministic) this.log.error({ err, notificationId: n.id }, 'notification attempt threw');
      result = sendFailure(!deterministic, deterministic ? err.code : 'internal_error', deterministic ? err.message : 'Internal error while sending');
    }
    const durationMs = Math.round(performance.now() - t0);
    const now = this.clock.now();
    const at = now.toISOString();
    const attemptNo = n.attempts;
    // The row's own limit counts too (fixed at enqueue; claims never go past it), should the policy have changed since.
    const maxAttempts = Math.min(this.policy.maxAttempts, n.maxAttempts);
    const limit = result.status === 'failed' && result.maxRetries !== undefined ? Math.min(maxAttempts, result.maxRetries + 1) : maxAttempts;
    const retry = result.status === 'failed' && result.retryable && attemptNo < limit;

    let outcome: AttemptOutcome;
    let logType: LogType;
    if (result.status === 'sent') {
      const status = final ?? 'sent';
      outcome = { status, provider, providerMessageId: result.providerMessageId ?? null, sentAt: at, ...(final ? { finalAt: at } : {}), errorCode: null, lastError: null, wipeCode: true, updatedAt: at };
      logType = provider === 'test_number' ? 'phone_test_number' : sentType(n.deliveryMethod);
    } else if (retry) {
      const delay = this.backoff(attemptNo, result.retryAfterMs);
      outcome = { status: 'queued', provider, nextAttemptAt: new Date(now.getTime() + delay).toISOString(), errorCode: result.errorCode ?? null, lastError: result.reason, wipeCode: false, updatedAt: at };
      logType = 'phone_send_retry';
    } else {
      outcome = { status: 'failed', provider, finalAt: at, errorCode: result.errorCode ?? null, lastError: result.reason, wipeCode: true, updatedAt: at };
      logType = failedType(n.deliveryMethod);
    }
    const detail = {
      attempt: attemptNo,
      provider,
      duration_ms: durationMs,
      ...(result.status === 'sent'
        ? { provider_message_id: result.providerMessageId ?? null }
        : { error_code: result.errorCode ?? null, reason: result.reason, retryable: result.retryable }),
      ...(retry ? { next_attempt_at: outcome.nextAttemptAt } : {}),
      ...(result.detail ?? {}),
    };
    const log = notificationLog(n, now, logType, result.status === 'sent' ? undefined : result.reason, detail);
    const attempt = {
      id: sortableId(now),
      number: attemptNo,
      provider,
      startedAt: started.toISOString(),
      durationMs,
      outcome: result.status === 'sent' ? ('sent' as const) : retry ? ('retry' as const) : ('failed' as const),
      errorCode: result.status === 'failed' ? (result.errorCode ?? null) : null,
      reason: result.status === 'failed' ? result.reason : null,
      detail,
    };
    // The attempt row is the timeline entry of an attempt; events hold only what attempts cannot (receipts).
    const recorded = await this.repos.notifications.finishAttempt(tenantId, n.id, attemptNo, outcome, attempt, [], [log]);
    if (!recorded) {
      this.log.warn({ notificationId: n.id, attempt: attemptNo }, 'attempt result not recorded: the notification was taken over after its lease ran out');
      return;
    }
    this.metrics.attempt(provider, durationMs / 1000, attempt.outcome);
    if (retry) {
      this.metrics.retry(provider);
      this.scheduleRetry(tenantId, n.id, new Date(outcome.nextAttemptAt!).getTime() - now.getTime());
    } else {
      this.metrics.status(tenant.name, n.type, provider, outcome.status);
    }
  }

  /** Retries on this node at the due time; the background dispatcher is the safety net if it stops. */
  private scheduleRetry(tenantId: string, id: string, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.dispatchOne(tenantId, id);
    }, Math.max(0, delayMs) + 5);
    timer.unref();
    this.timers.add(timer);
  }
}
