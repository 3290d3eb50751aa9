import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import { timeOrderedBase62 } from '../ids.js';
import type { NotificationService } from '../notifications/notification-service.js';
import type { NotificationContext } from '../notifications/sender.js';
import type { DecisionRecord, NotificationSource } from '../notifications/ports.js';
import type { TemplateType, TenantRecord } from '../ports.js';
import type { OtpPurpose, OtpRecord, OtpRepository } from './ports.js';

/**
 * One-time codes done once, for every flow: drawn from a CSPRNG, stored only as an HMAC-SHA-256
 * with a server key (bound to the code's id, so equal codes never hash alike), compared in constant
 * time, consumed by one conditional UPDATE, bounded in attempts and replaced by a newer code. The
 * code row is issued by the send policy's first guard (`send-limit-guard.ts`), which limits sends per
 * user as Auth0 documents for SMS/voice: a send refused by the policy issues no code.
 */

export interface SendCodeInput {
  purpose: OtpPurpose;
  /** The user id, or the connection-qualified phone number before a passwordless user exists. */
  subject: string;
  clientId: string;
  channel: 'sms' | 'voice';
  enrollmentId?: string;
  recipient: string;
  ttlSeconds: number;
  length: number;
  maxAttempts: number;
  type: TemplateType;
  source: NotificationSource;
  context: NotificationContext;
  /**
   * Legacy (pre-UPE) tenants send MFA messages through their Guardian configuration, and
   * passwordless codes through the legacy options of their `sms` connection.
   */
  legacy?: boolean;
  /** Decisions taken before the send policy (the bot check), recorded on the notification's `policy` first. */
  checks?: DecisionRecord[];
}

export type VerifyOutcome = 'ok' | 'wrong' | 'expired' | 'exhausted' | 'consumed';

/** Told when a code is verified: the fraud guard counts its send as converted (docs/abuse.md). */
export interface CodeConversions {
  verified(tenantId: string, otp: OtpRecord): Promise<void>;
}

export class OtpService {
  constructor(
    private readonly repo: OtpRepository,
    private readonly key: Buffer,
    private readonly clock: Clock,
    private readonly notifications: NotificationService,
    private readonly conversions?: CodeConversions,
  ) {}

  private hash(id: string, code: string): string {
    return createHmac('sha256', this.key).update(id).update('\0').update(code).digest('hex');
  }

  /** Issues a code (invalidating earlier ones of the same purpose and subject) and sends it; 429 `too_many_attempts` beyond the hourly limits (the send policy). */
  async send(tenant: TenantRecord, input: SendCodeInput): Promise<OtpRecord> {
    const fixed = await this.notifications.fixedTestCode(tenant.id, input.recipient);
    const code = fixed ?? this.randomCode(input.length);
    const now = this.clock.now();
    const id = timeOrderedBase62(32);
    const otp: OtpRecord = {
      id,
      purpose: input.purpose,
      subject: input.subject,
      clientId: input.clientId,
      channel: input.channel,
      enrollmentId: input.enrollmentId ?? null,
      codeHash: this.hash(id, code),
      attempts: 0,
      maxAttempts: input.maxAttempts,
      expiresAt: new Date(now.getTime() + input.ttlSeconds * 1000).toISOString(),
      consumedAt: null,
      createdAt: now.toISOString(),
    };
    // The send policy's first guard issues the code row, atomically with the per-user send limit.
    await this.notifications.enqueue(tenant, {
      type: input.type,
      deliveryMethod: input.channel === 'voice' ? 'voice' : 'text',
      recipient: input.recipient,
      source: input.source,
      context: input.context,
      code,
      otp,
      ...(input.legacy ? { channel: 'legacy' as const } : {}),
      ...(input.checks?.length ? { checks: input.checks } : {}),
    });
    return otp;
  }

  private randomCode(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String(randomInt(10));
    return s;
  }

  get(tenantId: string, id: string): Promise<OtpRecord | undefined> {
    return this.repo.get(tenantId, id);
  }

  latest(tenantId: string, purpose: OtpPurpose, subject: string): Promise<OtpRecord | undefined> {
    return this.repo.latest(tenantId, purpose, subject);
  }

  /**
   * Checks `code` against `otp` and consumes it when it matches. Exactly one of any number of
   * concurrent calls with the right code gets `ok`: the consuming UPDATE is conditional on the row
   * still being unconsumed, unexpired and under its attempt cap.
   */
  async verify(tenantId: string, otp: OtpRecord, code: string): Promise<VerifyOutcome> {
    const now = this.clock.now().toISOString();
    if (otp.consumedAt) return 'consumed';
    if (otp.expiresAt <= now) return 'expired';
    if (otp.attempts >= otp.maxAttempts) return 'exhausted';
    const expected = Buffer.from(otp.codeHash, 'hex');
    const given = Buffer.from(this.hash(otp.id, code), 'hex');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      await this.repo.fail(tenantId, otp.id);
      return 'wrong';
    }
    if (await this.repo.consume(tenantId, otp.id, now)) {
      // The sign-in does not wait for the fraud guard's bookkeeping, nor depend on it (a failed write
      // only loses one conversion): on the embedded database the conversion is written with the
      // sign-in's next write, in the same group commit, instead of in a commit of its own before it.
      void this.conversions?.verified(tenantId, otp).catch(() => undefined);
      return 'ok';
    }
    // Lost the race (or the row changed since it was read): say why, from the row as it is now.
    const fresh = await this.repo.get(tenantId, otp.id);
    if (!fresh || fresh.consumedAt) return 'consumed';
    if (fresh.expiresAt <= now) return 'expired';
    return 'exhausted';
  }
}
