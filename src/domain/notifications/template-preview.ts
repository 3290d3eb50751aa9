import type { TemplateType, TenantRecord } from '../ports.js';
import { validateTemplate } from '../templates/liquid.js';
import type { PhoneTemplateService } from '../templates/phone-template-service.js';
import { tenantView } from './dispatcher.js';
import { renderNotification } from './render.js';
import type { NotificationContext } from './sender.js';

/**
 * Renders a phone template, or a draft of one, with the renderer real notifications use, over sample
 * data for its type (our extension: `POST /api/v2/branding/phone/templates/render`). Nothing is
 * stored and nothing is sent. The dashboard's editor shows it as a live preview.
 */

/** The one-time code of a preview: six digits, as the real codes. */
export const SAMPLE_CODE = '123456';

const CODE_TYPES: ReadonlySet<TemplateType> = new Set(['otp_verify', 'otp_enroll', 'change_password']);

/** What the sample notification of each type carries: a user, an application, and the type's own data. */
export function sampleContext(type: TemplateType): NotificationContext {
  const user: NonNullable<NotificationContext['user']> = {
    user_id: 'auth0|sample',
    name: 'Jane Doe',
    nickname: 'jane',
    given_name: 'Jane',
    family_name: 'Doe',
    email: 'jane@example.com',
    phone_number: '+14155552671',
    app_metadata: {},
    user_metadata: {},
  };
  if (type === 'blocked_account') Object.assign(user, { source_ip: '203.0.113.9', city: 'Lyon', country: 'France' });
  return { user, client: { client_id: 'sample_client_id', name: 'Sample App', metadata: {} } };
}

export interface TemplatePreviewInput {
  type: TemplateType;
  /** The locale to render in; default: the tenant's first enabled locale, else `en`. */
  locale?: string | undefined;
  /** A draft of either body; a part left out is the current one (the tenant's template or the built-in body). */
  body?: { text?: string | undefined; voice?: string | undefined } | undefined;
}

export interface TemplatePreview {
  type: TemplateType;
  locale: string;
  /** The locale of the body used: the draft's and a tenant template's are the requested one; a built-in body may fall back. */
  body_locale: string;
  text: string;
  voice: string;
  voice_segments: string[];
  sample: { code: string | null; context: NotificationContext };
}

/**
 * Without a draft, the message a notification of the type would get now (a disabled template falls
 * back to the built-in body, as sends do). A draft is parsed first: Liquid that does not parse is 400
 * `invalid_template` with the parser's message, as on save; one that fails to render or renders too
 * much is the same error with the renderer's.
 */
export async function previewTemplate(templates: Pick<PhoneTemplateService, 'forType'>, tenant: TenantRecord, input: TemplatePreviewInput): Promise<TemplatePreview> {
  if (input.body?.text !== undefined) validateTemplate(input.body.text);
  if (input.body?.voice !== undefined) validateTemplate(input.body.voice);
  const current = await templates.forType(tenant, input.type);
  const locale = input.locale ?? tenant.enabledLocales[0] ?? 'en';
  const context = sampleContext(input.type);
  const code = CODE_TYPES.has(input.type) ? SAMPLE_CODE : undefined;
  const draft = input.body && (input.body.text !== undefined || input.body.voice !== undefined);
  let template;
  if (draft) {
    // One parse-cache entry per tenant and type, replaced as the draft changes (its source is compared).
    template = {
      id: `preview:${tenant.id}:${input.type}`,
      type: input.type,
      disabled: false,
      from: null,
      bodyText: input.body!.text ?? current.bodyText,
      bodyVoice: input.body!.voice ?? current.bodyVoice,
      version: 0,
      createdAt: tenant.createdAt,
      updatedAt: tenant.createdAt,
    };
  } else if (current.id !== null && !current.disabled) {
    template = { ...current, id: current.id };
  }
  const r = renderNotification({ type: input.type, template, tenant: tenantView(tenant), context, locale, code });
  return {
    type: input.type,
    locale,
    body_locale: r.bodyLocale,
    text: r.asText,
    voice: r.asVoice,
    voice_segments: r.voiceSegments,
    sample: { code: code ?? null, context },
  };
}
