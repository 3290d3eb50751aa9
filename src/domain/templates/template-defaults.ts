import type { TemplateType } from '../ports.js';

/**
 * The built-in phone templates every tenant has until it creates its own of a type (reference §3.3).
 * The texts are Auth0's as observed in API responses, so messages look the same after a migration;
 * `password_breach` was never observed and is written in the same style.
 */
export interface DefaultTemplateBody {
  text: string;
  voice: string;
}

const VERIFY_VOICE =
  'Hello. Your verification code for {{ friendly_name | escape }} is {{ pause }} {{ code | escape }}. I repeat, your verification code is {{ pause }} {{ code | escape }}';

const BLOCKED_ACCOUNT =
  'We detected suspicious activity on your account from the ip {{user.source_ip}}{% if user.city %} from {{user.city}}, {{user.country}}{% elsif user.country %} from {{user.country}}{% endif %}. Logins from this IP have been blocked on your account. If this is your IP, please reset your password to unblock your account. Otherwise, disregard this message.';

const PASSWORD_BREACH =
  'We detected that the password of your {{ friendly_name | escape }} account was found in a data breach on another website. To keep your account secure, please reset your password.';

export const DEFAULT_TEMPLATES: Readonly<Record<TemplateType, Readonly<DefaultTemplateBody>>> = {
  otp_verify: {
    text: '{{ code | escape }} is your verification code for {{ friendly_name | escape }}',
    voice: VERIFY_VOICE,
  },
  otp_enroll: {
    text: '{{ code | escape }} is your verification code for {{ friendly_name | escape }}. Please enter this code to verify your enrollment.',
    voice: VERIFY_VOICE,
  },
  change_password: {
    text: '{{ code | escape }} is your password change code for {{ friendly_name | escape }}',
    voice:
      'Hello. Your password change code for {{ friendly_name | escape }} is {{ pause }} {{ code | escape }}. I repeat, your password change code is {{ pause }} {{ code | escape }}',
  },
  blocked_account: { text: BLOCKED_ACCOUNT, voice: BLOCKED_ACCOUNT },
  password_breach: { text: PASSWORD_BREACH, voice: PASSWORD_BREACH },
};
