import type { Clock } from '../clock.js';
import { ALLOW, type GuardDecision, type SendGuard, type SendRequest } from '../notifications/send-policy.js';
import type { OtpPurpose, OtpRecord, OtpRepository } from './ports.js';

/** Auth0: at most 10 SMS/voice messages per user per hour; voice is stricter. */
export const SEND_LIMITS = { windowMs: 60 * 60 * 1000, total: 10, voice: 3 } as const;

/**
 * Which codes share a budget: the MFA codes (enrollment and challenge) have theirs, and each of the
 * other flows its own, so that requests anyone can make for a user (a password reset by phone) cannot
 * use up the budget of the user's second factor.
 */
const MFA_PURPOSES: readonly OtpPurpose[] = ['mfa_enroll', 'mfa_challenge'];
export const SEND_BUDGETS: Readonly<Record<OtpPurpose, readonly OtpPurpose[]>> = {
  mfa_enroll: MFA_PURPOSES,
  mfa_challenge: MFA_PURPOSES,
  passwordless: ['passwordless'],
  signup_verify: ['signup_verify'],
  password_reset: ['password_reset'],
};

/**
 * The first guard: the per-user send limits of one-time codes (Auth0's 10 an hour, voice 3). The
 * count and the insert of the code row are one atomic `issue`, so concurrent sends cannot pass the
 * limit together; the code is stored here, only once the send is allowed this far. Sends that carry
 * no code (account notices, test sends) are not counted, as before the seam.
 */
export class OtpSendLimitGuard implements SendGuard {
  readonly name = 'otp_send_limit';

  constructor(
    private readonly repo: Pick<OtpRepository, 'issue'>,
    private readonly clock: Clock,
  ) {}

  check(r: SendRequest): GuardDecision | Promise<GuardDecision> {
    return r.otp ? this.issue(r, r.otp) : ALLOW;
  }

  private async issue(r: SendRequest, otp: OtpRecord): Promise<GuardDecision> {
    const now = this.clock.now();
    const limit = {
      since: new Date(now.getTime() - SEND_LIMITS.windowMs).toISOString(),
      purposes: SEND_BUDGETS[otp.purpose],
      total: SEND_LIMITS.total,
      voice: SEND_LIMITS.voice,
    };
    if (await this.repo.issue(r.tenant.id, otp, limit)) return ALLOW;
    const voice = otp.channel === 'voice';
    return {
      verdict: 'deny',
      error: 'too_many_attempts',
      reason: voice ? 'send_limit_user_voice' : 'send_limit_user',
      message: `Too many ${voice ? 'voice calls' : 'SMS messages'} were sent to this user in the last hour. Try again later.`,
      retryAfterSeconds: Math.ceil(SEND_LIMITS.windowMs / 1000),
    };
  }
}
