import type { TemplateType } from '../ports.js';
import { DEFAULT_TEMPLATES, type DefaultTemplateBody } from './template-defaults.js';

/**
 * Built-in template bodies in more languages than English. A tenant template of a type replaces the
 * built-in one in every language (and may branch on `{{ locale }}`); without one, the message is
 * rendered from the built-in body of the notification's locale, then of its base language
 * (`fr-CA` → `fr`), then English.
 */
const voice = (intro: string, repeat: string) =>
  `${intro} {{ pause }} {{ code | escape }}. ${repeat} {{ pause }} {{ code | escape }}`;

const LOCALIZED: Readonly<Record<string, Partial<Record<TemplateType, DefaultTemplateBody>>>> = {
  fr: {
    otp_verify: {
      text: '{{ code | escape }} est votre code de vérification pour {{ friendly_name | escape }}',
      voice: voice('Bonjour. Votre code de vérification pour {{ friendly_name | escape }} est', 'Je répète, votre code de vérification est'),
    },
    otp_enroll: {
      text: '{{ code | escape }} est votre code de vérification pour {{ friendly_name | escape }}. Saisissez ce code pour confirmer votre inscription.',
      voice: voice('Bonjour. Votre code de vérification pour {{ friendly_name | escape }} est', 'Je répète, votre code de vérification est'),
    },
    change_password: {
      text: '{{ code | escape }} est votre code de changement de mot de passe pour {{ friendly_name | escape }}',
      voice: voice('Bonjour. Votre code de changement de mot de passe pour {{ friendly_name | escape }} est', 'Je répète, votre code est'),
    },
  },
  es: {
    otp_verify: {
      text: '{{ code | escape }} es su código de verificación para {{ friendly_name | escape }}',
      voice: voice('Hola. Su código de verificación para {{ friendly_name | escape }} es', 'Repito, su código de verificación es'),
    },
    otp_enroll: {
      text: '{{ code | escape }} es su código de verificación para {{ friendly_name | escape }}. Introduzca este código para confirmar su inscripción.',
      voice: voice('Hola. Su código de verificación para {{ friendly_name | escape }} es', 'Repito, su código de verificación es'),
    },
    change_password: {
      text: '{{ code | escape }} es su código para cambiar la contraseña de {{ friendly_name | escape }}',
      voice: voice('Hola. Su código para cambiar la contraseña de {{ friendly_name | escape }} es', 'Repito, su código es'),
    },
  },
  de: {
    otp_verify: {
      text: '{{ code | escape }} ist Ihr Bestätigungscode für {{ friendly_name | escape }}',
      voice: voice('Hallo. Ihr Bestätigungscode für {{ friendly_name | escape }} lautet', 'Ich wiederhole, Ihr Bestätigungscode lautet'),
    },
    otp_enroll: {
      text: '{{ code | escape }} ist Ihr Bestätigungscode für {{ friendly_name | escape }}. Geben Sie diesen Code ein, um Ihre Registrierung zu bestätigen.',
      voice: voice('Hallo. Ihr Bestätigungscode für {{ friendly_name | escape }} lautet', 'Ich wiederhole, Ihr Bestätigungscode lautet'),
    },
    change_password: {
      text: '{{ code | escape }} ist Ihr Code zum Ändern des Passworts für {{ friendly_name | escape }}',
      voice: voice('Hallo. Ihr Code zum Ändern des Passworts für {{ friendly_name | escape }} lautet', 'Ich wiederhole, Ihr Code lautet'),
    },
  },
};

/** The built-in body of `type` for `locale`, and the locale it is in (exact, base language, or `en`). */
export function localizedDefault(type: TemplateType, locale: string): { body: DefaultTemplateBody; locale: string } {
  const exact = LOCALIZED[locale]?.[type];
  if (exact) return { body: exact, locale };
  const base = locale.split('-')[0]!;
  const byBase = LOCALIZED[base]?.[type];
  if (byBase) return { body: byBase, locale: base };
  return { body: DEFAULT_TEMPLATES[type], locale: 'en' };
}
