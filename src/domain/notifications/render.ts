import { AppError } from '../errors.js';
import { parse, phoneLiquid, type ParseKey } from '../templates/liquid.js';
import { localizedDefault } from '../templates/localized-defaults.js';
import type { PhoneTemplateRecord, TemplateType } from '../ports.js';
import type { NotificationContext, TenantView } from './sender.js';

/** A character no template can contain on its own: marks where `{{ pause }}` stood in a voice body. */
const PAUSE = '\u{E000}';

/**
 * The longest body a template may render, characters (an SMS body of about 1 600 characters is the
 * most providers take; a voice script a few thousand). Checked before the text is trimmed or split,
 * which would make the engine's string (possibly a cheap chain of concatenations) real in memory.
 */
export const MAX_RENDERED_CHARS = 10_000;

/** Renders one body; a template that fails or renders too much is a deterministic `invalid_template`. */
export function renderBody(key: ParseKey, body: string, vars: Record<string, unknown>): string {
  let out: string;
  try {
    out = phoneLiquid.renderSync(parse(key, body), vars) as string;
  } catch (e) {
    throw new AppError('invalid_template', `The ${key.part} body of the template could not be rendered: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (out.length > MAX_RENDERED_CHARS) throw new AppError('invalid_template', `The ${key.part} body of the template renders to more than ${MAX_RENDERED_CHARS} characters`);
  return out;
}

export interface RenderInput {
  type: TemplateType;
  /** The tenant's template of the type, if it has one (and it is not disabled). */
  template: PhoneTemplateRecord | undefined;
  tenant: TenantView;
  context: NotificationContext;
  locale: string;
  code?: string | undefined;
}

export interface Rendered {
  asText: string;
  asVoice: string;
  voiceSegments: string[];
  /** The template's `from`, when it has one. */
  from: string | undefined;
  /** The locale of the body actually used. */
  bodyLocale: string;
}

/** Speaks a code digit by digit ("1. 2. 3."), as text-to-speech would otherwise read a number. */
function spoken(code: string): string {
  return code.split('').join('. ');
}

// Built as one plain literal: on Node 20 an object literal that starts with a spread and goes on
// with more properties is built on V8's slow path (about 20 µs for this one, measured), and this runs
// twice per notification.
function variables(input: RenderInput, voice: boolean): Record<string, unknown> {
  const { tenant, context } = input;
  const client = context.client;
  const vars: Record<string, unknown> = {
    friendly_name: tenant.friendly_name,
    tenant: tenant.name,
    support_email: tenant.support_email ?? '',
    support_url: tenant.support_url ?? '',
    logo_url: tenant.logo_url ?? '',
    home_url: tenant.home_url ?? '',
    region: 'self-hosted',
    locale: input.locale,
    connection: context.connection?.name ?? '',
    user: context.user ?? {},
    client: client ? { name: client.name, clientID: client.client_id, metadata: client.metadata } : {},
    application: client ? { name: client.name, client_id: client.client_id, metadata: client.metadata } : {},
    pause: voice ? PAUSE : '',
  };
  if (input.code !== undefined) vars['code'] = voice ? spoken(input.code) : input.code;
  return vars;
}

/**
 * Renders both bodies of a notification: the tenant's template of the type, or the built-in body in
 * the notification's locale (with fallback). Templates were validated when saved; parses are cached
 * per template version.
 */
export function renderNotification(input: RenderInput): Rendered {
  const t = input.template;
  const chosen = t ? { body: { text: t.bodyText, voice: t.bodyVoice }, locale: input.locale } : localizedDefault(input.type, input.locale);
  const key = t ? { id: t.id, version: t.version } : { id: `default:${input.type}:${chosen.locale}`, version: 0 };
  const text = renderBody({ id: key.id, version: key.version, part: 'text' }, chosen.body.text, variables(input, false));
  const voiceRaw = renderBody({ id: key.id, version: key.version, part: 'voice' }, chosen.body.voice, variables(input, true));
  const voiceSegments = voiceRaw.split(PAUSE).map((s) => s.trim()).filter(Boolean);
  return {
    asText: text.trim(),
    asVoice: voiceSegments.join(', '),
    voiceSegments,
    from: t?.from ?? undefined,
    bodyLocale: chosen.locale,
  };
}

/**
 * The locale of a notification: the request's `ui_locales` (first one the tenant enables, else the
 * first given), then the user's locale, then the tenant's first enabled locale.
 */
export function pickLocale(context: NotificationContext, enabledLocales: readonly string[]): string {
  const requested = (context.ui_locales ?? '').split(/\s+/).filter(Boolean);
  const enabled = requested.find((l) => enabledLocales.includes(l)) ?? requested[0];
  return enabled ?? context.user?.locale ?? enabledLocales[0] ?? 'en';
}
