import { LEGACY_ENROLLMENT_DEFAULT, LEGACY_VERIFICATION_DEFAULT } from '../mfa/guardian-service.js';
import { senderNumber, type ProviderAccount, type ProviderCredentials } from '../phone-provider/provider-kind.js';
import type { ProviderRegistry } from '../phone-provider/provider-registry.js';
import type { GuardianSettingsRecord, Sealer, TemplateType } from '../ports.js';
import { GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE } from '../purposes.js';
import { renderBody } from './render.js';
import { sendFailure, type OutgoingMessage, type PhoneSender, type SendResult } from './sender.js';

/**
 * The legacy (pre-UPE) MFA path: a tenant with `phone_consolidated_experience: false` sends its MFA
 * codes through its Guardian settings, not a tenant provider. The Guardian selected provider picks
 * the way (`twilio` with the Guardian Twilio keys, `phone-message-hook` with the send-phone-message
 * actions; `auth0`, Auth0's own SMS service, does not exist on this server), and the Guardian
 * templates (`enrollment_message`, `verification_message`) give the text.
 */

/**
 * The Guardian selected provider whose settings are an account of the provider kind of the same
 * name: Guardian's `twilio` settings (`sid`, `from`, `messaging_service_sid`, auth token) are that
 * kind's `sid`, `default_from`, `mssid` and `auth_token` under their legacy names.
 */
const GUARDIAN_ACCOUNT_KIND = 'twilio';

/** The Guardian auth token, opened (once per use: it is handed on plain, never sealed again). */
function guardianCredentials(s: GuardianSettingsRecord, sealer: Pick<Sealer, 'open'>): ProviderCredentials | undefined {
  return s.twilioAuthTokenSealed ? { auth_token: sealer.open(s.twilioAuthTokenSealed, GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE) } : undefined;
}

/** The Guardian settings as an account of their kind; undefined when they lack the SID or the token. */
export function legacyAccount(s: GuardianSettingsRecord, sealer: Pick<Sealer, 'open'>): ProviderAccount | undefined {
  if (!s.twilio.sid || !s.twilioAuthTokenSealed) return undefined;
  return {
    configuration: {
      sid: s.twilio.sid,
      ...(s.twilio.from ? { default_from: s.twilio.from } : {}),
      ...(s.twilio.messaging_service_sid ? { mssid: s.twilio.messaging_service_sid } : {}),
      delivery_methods: ['text', 'voice'],
    },
    credentials: guardianCredentials(s, sealer)!,
  };
}

/**
 * The credentials that sign receipts of a legacy-mode message sent through `kind`: the Guardian
 * settings' (the message was sent with them), whatever the selected provider is now.
 */
export function legacyReceiptCredentials(s: GuardianSettingsRecord | undefined, sealer: Pick<Sealer, 'open'>, kind: string): ProviderCredentials | undefined {
  return s && kind === GUARDIAN_ACCOUNT_KIND ? guardianCredentials(s, sealer) : undefined;
}

/** How a legacy-mode message goes out: a sender and the `from` it carries, or why it cannot. */
export type LegacyRoute = { provider: string; sender: PhoneSender; from: string | undefined } | { provider: string; failure: SendResult };

/**
 * The way the Guardian selected provider picks: the provider kit's kind with the Guardian account,
 * or the send-phone-message hook. The Guardian number is the sender (none with a Messaging Service);
 * a UPE template `from` does not apply in legacy mode.
 */
export function legacyRoute(s: GuardianSettingsRecord | undefined, sealer: Pick<Sealer, 'open'>, kinds: ProviderRegistry, hook: PhoneSender | undefined): LegacyRoute {
  const selected = s?.selectedProvider ?? 'auth0';
  const unavailable = { provider: selected, failure: sendFailure(false, 'provider_unavailable', `The Guardian phone provider ${selected} is not available on this server`) };
  if (!s) return unavailable;
  if (selected === 'phone-message-hook') return hook ? { provider: selected, sender: hook, from: undefined } : unavailable;
  const kind = selected === GUARDIAN_ACCOUNT_KIND ? kinds.get(GUARDIAN_ACCOUNT_KIND) : undefined;
  if (!kind) return unavailable;
  const account = legacyAccount(s, sealer);
  if (!account) return { provider: selected, failure: sendFailure(false, 'provider_misconfigured', 'The Guardian Twilio settings have no account SID or auth token') };
  return { provider: selected, sender: kind.sender(account), from: senderNumber(kind, account.configuration, undefined) };
}

/** The Guardian template of an MFA message type; other types have none (their UPE body is kept). */
function legacyTemplate(s: GuardianSettingsRecord, type: TemplateType): { kind: string; body: string; builtIn: boolean } | undefined {
  if (type === 'otp_enroll') return { kind: 'enrollment', body: s.enrollmentMessage ?? LEGACY_ENROLLMENT_DEFAULT, builtIn: s.enrollmentMessage == null };
  if (type === 'otp_verify') return { kind: 'verification', body: s.verificationMessage ?? LEGACY_VERIFICATION_DEFAULT, builtIn: s.verificationMessage == null };
  return undefined;
}

/**
 * Replaces the bodies of `m` with the tenant's Guardian template. The syntax is mustache-like and
 * parses as Liquid: `{{code}}`, `{{tenant.friendly_name}}`, `{{tenant.name}}`, `{{locale}}` and
 * `{{message_type}}` (`sms` | `voice`, for `{% if message_type == "voice" %}`). A voice body speaks
 * the code digit by digit, as the UPE defaults do.
 */
export function withLegacyBodies(tenantId: string, s: GuardianSettingsRecord, m: OutgoingMessage): OutgoingMessage {
  const t = legacyTemplate(s, m.type);
  if (!t) return m;
  // The same rendering (limits, length cap, invalid_template on failure) as the UPE templates.
  const render = (voice: boolean) =>
    renderBody({ id: `legacy:${tenantId}:${t.kind}`, version: 0, part: voice ? 'voice' : 'text' }, t.body, {
      code: m.code === undefined ? '' : voice ? m.code.split('').join('. ') : m.code,
      tenant: { name: m.tenant.name, friendly_name: m.tenant.friendly_name },
      message_type: voice ? 'voice' : 'sms',
      locale: m.locale,
    }).trim();
  const asVoice = render(true);
  // The voice follows the body: the built-in Guardian text is English; a tenant's own is read in the
  // notification's locale (the UPE body's fallback language no longer applies).
  const { bodyLocale: _upeBody, ...rest } = m;
  return { ...rest, ...(t.builtIn ? { bodyLocale: 'en' } : {}), asText: render(false), asVoice, voiceSegments: [asVoice] };
}

/** `m` with the legacy route's `from` (or none), in place of the UPE one. */
export function withLegacyFrom(m: OutgoingMessage, from: string | undefined): OutgoingMessage {
  const { from: _ignored, ...rest } = m;
  return { ...rest, ...(from ? { from } : {}) };
}
