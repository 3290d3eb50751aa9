import type { OutgoingMessage } from '../../../domain/notifications/sender.js';

const VOICE_LANGUAGES: Readonly<Record<string, string>> = { en: 'en-US', fr: 'fr-FR', es: 'es-ES', de: 'de-DE', it: 'it-IT', pt: 'pt-BR', nl: 'nl-NL', ja: 'ja-JP' };

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** `<Response><Say>…</Say><Pause/>…</Response>` for a voice body, `{{ pause }}` becoming a pause. */
export function twiml(message: Pick<OutgoingMessage, 'voiceSegments' | 'asVoice' | 'locale' | 'bodyLocale'>): string {
  const locale = message.bodyLocale ?? message.locale;
  const base = locale.split('-')[0]!;
  // An own-property lookup: a locale such as `constructor` must not find Object.prototype's members.
  const lang = locale.includes('-') ? locale : Object.hasOwn(VOICE_LANGUAGES, base) ? VOICE_LANGUAGES[base]! : 'en-US';
  const segments = message.voiceSegments?.length ? message.voiceSegments : [message.asVoice];
  const says = segments.map((s) => `<Say language="${xml(lang)}">${xml(s)}</Say>`).join('<Pause length="1"/>');
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${says}</Response>`;
}
