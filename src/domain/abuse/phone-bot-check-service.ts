import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import { sortableId } from '../ids.js';
import { maskNumber } from '../notifications/dispatcher.js';
import { LOG_TYPES } from '../notifications/log-types.js';
import type { DecisionRecord, LogRepository } from '../notifications/ports.js';
import type { DecisionObserver } from '../notifications/send-policy.js';
import { parseRecipient } from '../phone-number.js';
import type { Sealer, TenantRecord } from '../ports.js';
import { PHONE_BOT_CHECK_SECRET_PURPOSE } from '../purposes.js';
import { ACTION_NAME, BOT_CHECK_REASONS, type BotCheckFailure, type BotCheckFlow, defaultBotCheckSettings, MAX_TOKEN_LENGTH, parseBotCheckSettings, type PhoneBotCheckSettings, siteverifyUrlOf, splitPatch } from './phone-bot-check.js';
import type { PhoneBotCheckRepository, SiteVerifier } from './phone-bot-check-ports.js';
import { mergePatch } from './phone-send-policy.js';

/** The name the bot check's decisions carry (log lines, the notification's `policy`, `/metrics`). */
export const BOT_CHECK_GUARD = 'phone_bot_check';

/** The settings as the API shows them: the secret never, only whether one is set. */
export interface BotCheckView {
  mode: PhoneBotCheckSettings['mode'];
  provider: PhoneBotCheckSettings['provider'];
  /** The URL verifications go to: the one set, or the provider's official one. */
  siteverify_url: string;
  flows: PhoneBotCheckSettings['flows'];
  on_verifier_error: PhoneBotCheckSettings['on_verifier_error'];
  hostnames: string[];
  min_score: number | null;
  actions: Partial<Record<BotCheckFlow, string>>;
  secret_set: boolean;
  updated_at: string | null;
}

/** One request that is about to send a code to a number its caller has not proven. */
export interface BotCheckRequest {
  tenant: TenantRecord;
  flow: BotCheckFlow;
  /** The request's `captcha` property, as sent (anything). */
  token: unknown;
  /** E.164. */
  recipient: string;
  ip: string;
  clientId: string;
  userId: string | null;
}

const MESSAGES: Record<BotCheckFailure, string> = {
  missing: 'A CAPTCHA is required: send the token of the CAPTCHA widget as captcha',
  rejected: 'The CAPTCHA was not accepted; solve it again',
  unavailable: 'The CAPTCHA could not be verified; solve it again and retry',
};
/** Vendor error codes are short kebab-case words (`invalid-input-response`); anything else is not repeated. */
const ERROR_CODE = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
const ERROR_HOST = /^[a-z0-9.-]{1,253}$/i;

/**
 * The bot check: its settings (`/api/v2/attack-protection/phone-bot-check`) and the check itself,
 * run by `/passwordless/start` and phone signup before anything is written or sent. A refusal is
 * 400 `invalid_captcha`, a `phone_send_denied` log line (guard `phone_bot_check`) and a count in
 * `/metrics`; what it allows is recorded on the notification's `policy` like a guard's decision.
 */
export class PhoneBotCheckService {
  constructor(
    private readonly repo: PhoneBotCheckRepository,
    private readonly sealer: Sealer,
    private readonly verifier: SiteVerifier,
    private readonly logs: Pick<LogRepository, 'insert'>,
    private readonly clock: Clock,
    private readonly metrics?: { denied(guard: string, reason: string): void },
    private readonly observe?: DecisionObserver,
    private readonly onVerifierError?: (tenantId: string, detail: string) => void,
  ) {}

  async get(tenantId: string): Promise<BotCheckView> {
    const r = await this.repo.get(tenantId);
    return view(r?.settings ?? defaultBotCheckSettings(), r?.secretSealed != null, r?.updatedAt ?? null);
  }

  /** A JSON merge patch; `secret` is write-only (`null` removes it); `siteverify_url: null` puts back the official URL. */
  async update(tenantId: string, body: unknown): Promise<BotCheckView> {
    const patch = splitPatch(body);
    const current = await this.repo.get(tenantId);
    const settings = parseBotCheckSettings(mergePatch(current?.settings ?? defaultBotCheckSettings(), patch.settings), (u) => this.verifier.urlProblem(u));
    const secretSealed =
      patch.secret === undefined ? (current?.secretSealed ?? null) : patch.secret === null ? null : this.sealer.seal(patch.secret, PHONE_BOT_CHECK_SECRET_PURPOSE);
    if (settings.mode !== 'off' && secretSealed === null) {
      throw new AppError('invalid_body', `Payload validation error: mode ${settings.mode} needs the CAPTCHA provider's secret key (secret)`);
    }
    const updatedAt = this.clock.now().toISOString();
    await this.repo.put(tenantId, { settings, secretSealed, updatedAt });
    return view(settings, secretSealed !== null, updatedAt);
  }

  /**
   * Checks the request's CAPTCHA token when the tenant asks for one on this flow. Answers the decision
   * to record on the notification (undefined: the check is off for the flow); throws 400
   * `invalid_captcha` when it refuses, after logging and counting the refusal.
   */
  async check(r: BotCheckRequest): Promise<DecisionRecord | undefined> {
    const stored = await this.repo.get(r.tenant.id);
    if (!stored || stored.settings.mode === 'off' || !stored.settings.flows.includes(r.flow)) return undefined;
    const s = stored.settings;
    const failure = await this.verify(r, s, stored.secretSealed);
    if (!failure) return this.allowed(r.tenant.id, undefined);
    if (s.mode === 'monitor') return this.allowed(r.tenant.id, `${BOT_CHECK_REASONS[failure.kind]}_monitored`);
    if (failure.kind === 'unavailable' && s.on_verifier_error === 'fail_open') return this.allowed(r.tenant.id, BOT_CHECK_REASONS.unavailable);
    const reason = BOT_CHECK_REASONS[failure.kind];
    this.observe?.(r.tenant.id, BOT_CHECK_GUARD, 'deny', reason);
    this.metrics?.denied(BOT_CHECK_GUARD, reason);
    await this.logs.insert(r.tenant.id, this.deniedLog(r, s, failure.kind, failure.details));
    throw new AppError('invalid_captcha', MESSAGES[failure.kind]);
  }

  private allowed(tenantId: string, reason: string | undefined): DecisionRecord {
    this.observe?.(tenantId, BOT_CHECK_GUARD, 'allow', reason);
    return reason ? { guard: BOT_CHECK_GUARD, verdict: 'allow', reason } : { guard: BOT_CHECK_GUARD, verdict: 'allow' };
  }

  /** Undefined when the token passed; else why not, with what the log line may say about it. */
  private async verify(r: BotCheckRequest, s: PhoneBotCheckSettings, secretSealed: string | null): Promise<{ kind: BotCheckFailure; details: Record<string, unknown> } | undefined> {
    const token = r.token;
    if (token === undefined || token === null || token === '') return { kind: 'missing', details: {} };
    // Not a string, or longer than any vendor's token: no verifier would accept it, so none is asked.
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { kind: 'rejected', details: { verifier_error_codes: ['malformed-token'] } };
    if (secretSealed === null) return { kind: 'unavailable', details: { verifier_error: 'no secret key is set' } };
    const result = await this.verifier.verify({ url: siteverifyUrlOf(s), secret: this.sealer.open(secretSealed, PHONE_BOT_CHECK_SECRET_PURPOSE), response: token, remoteip: r.ip || undefined });
    if (result.kind === 'unavailable') {
      this.onVerifierError?.(r.tenant.id, result.detail);
      return { kind: 'unavailable', details: { verifier_error: result.detail } };
    }
    if (result.success) {
      // A token solved on another site (a widget with the same site key embedded elsewhere) is not one for this tenant.
      const hostnames = s.hostnames ?? [];
      if (hostnames.length > 0 && (result.hostname === undefined || !hostnames.includes(result.hostname.toLowerCase()))) {
        return { kind: 'rejected', details: { verifier_error_codes: ['hostname-mismatch'], ...(result.hostname && ERROR_HOST.test(result.hostname) ? { verifier_hostname: result.hostname } : {}) } };
      }
      // reCAPTCHA v3 answers success for bots too: the score is the verdict.
      const minScore = s.min_score ?? null;
      if (minScore !== null && (result.score === undefined || result.score < minScore)) {
        return { kind: 'rejected', details: { verifier_error_codes: [result.score === undefined ? 'score-missing' : 'score-too-low'], ...(result.score !== undefined ? { verifier_score: result.score } : {}) } };
      }
      // A token made for another action (the site's comment form, say) is not one for this flow.
      const action = s.actions?.[r.flow];
      if (action !== undefined && result.action !== action) {
        return { kind: 'rejected', details: { verifier_error_codes: ['action-mismatch'], ...(result.action && ACTION_NAME.test(result.action) ? { verifier_action: result.action } : {}) } };
      }
      return undefined;
    }
    return { kind: 'rejected', details: { verifier_error_codes: result.errorCodes.filter((c) => ERROR_CODE.test(c)).slice(0, 8) } };
  }

  private deniedLog(r: BotCheckRequest, s: PhoneBotCheckSettings, kind: BotCheckFailure, details: Record<string, unknown>) {
    const now = this.clock.now();
    const parsed = parseRecipient(r.recipient);
    return {
      log_id: sortableId(now),
      date: now.toISOString(),
      type: 'phone_send_denied',
      description: `${LOG_TYPES.phone_send_denied}: ${MESSAGES[kind]}`,
      client_id: r.clientId,
      client_name: null,
      ip: r.ip,
      user_id: r.userId,
      details: {
        guard: BOT_CHECK_GUARD,
        reason: BOT_CHECK_REASONS[kind],
        error_code: 'invalid_captcha',
        flow: r.flow,
        message_type: 'otp_verify',
        delivery_method: 'text',
        to: maskNumber(parsed?.e164 ?? r.recipient),
        ...(parsed?.country ? { country: parsed.country } : {}),
        ...(parsed?.numberType ? { number_type: parsed.numberType } : {}),
        provider: s.provider,
        ...details,
      },
    };
  }
}

function view(s: PhoneBotCheckSettings, secretSet: boolean, updatedAt: string | null): BotCheckView {
  return {
    mode: s.mode,
    provider: s.provider,
    siteverify_url: siteverifyUrlOf(s),
    flows: [...s.flows],
    on_verifier_error: s.on_verifier_error,
    hostnames: [...(s.hostnames ?? [])],
    min_score: s.min_score ?? null,
    actions: { ...(s.actions ?? {}) },
    secret_set: secretSet,
    updated_at: updatedAt,
  };
}
