import { LEGACY_ENROLLMENT_DEFAULT, LEGACY_VERIFICATION_DEFAULT } from '../mfa/guardian-service.js';
import { GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE } from '../purposes.js';
import { sealProviderCredentials } from '../phone-provider/phone-provider-service.js';
import type { GuardianSettingsRecord, PhoneProviderRecord, Sealer, TemplateType } from '../ports.js';
import { renderBody } from './render.js';
import type { OutgoingMessage } from './sender.js';

/**
 * The legacy (pre-UPE) MFA path: a tenant with `phone_consolidated_experience: false` sends its MFA
 * codes through its Guardian settings, not a tenant provider. The Guardian selected provider picks
 * the way (`twilio` with the Guardian Twilio keys, `phone-message-hook` with the send-phone-message
 * actions; `auth0`, Auth0's own SMS service, does not exist on this server), and the Guardian
 * templates (`enrollment_message`, `verification_message`) give the text.
 */

/** Stands for the Guardian Twilio settings wherever the Twilio sender wants a provider record. */
const LEGACY_TWILIO_ID = 'pro_legacyGuardianTwilio00';

/**
 * The Guardian Twilio settings as a provider record for the Twilio sender: the auth token is opened
 * (purpose `guardian_twilio_auth_token`) and sealed again, in memory only, under the provider
 * credentials' purpose the sender opens. Undefined when the settings lack the SID or the token.
 */
export function legacyTwilioProvider(s: GuardianSettingsRecord, sealer: Sealer): PhoneProviderRecord | undefined {
  if (!s.twilio.sid || !s.twilioAuthTokenSealed) return undefined;
  const authToken = sealer.open(s.twilioAuthTokenSealed, GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE);
  return {
    id: LEGACY_TWILIO_ID,
    name: 'twilio',
    disabled: false,
    configuration: {
      sid: s.twilio.sid,
      ...(s.twilio.from ? { default_from: s.twilio.from } : {}),
      ...(s.twilio.messaging_service_sid ? { mssid: s.twilio.messaging_service_sid } : {}),
      delivery_methods: ['text', 'voice'],
    },
    credentialsSealed: sealProviderCredentials(sealer, { auth_token: authToken }),
    createdAt: s.updatedAt,
    updatedAt: s.updatedAt,
  };
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

/** `from` for the legacy Twilio path: the Guardian number, none with a Messaging Service (it picks the sender). */
export function withLegacyFrom(m: OutgoingMessage, provider: PhoneProviderRecord | undefined): OutgoingMessage {
  const { from: _ignored, ...rest } = m;
  const from = provider?.configuration.mssid ? undefined : provider?.configuration.default_from;
  return { ...rest, ...(from ? { from } : {}) };
}
