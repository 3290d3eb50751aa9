import type { NotificationContext, OutgoingMessage } from '../notifications/sender.js';

/**
 * The `event` objects of the phone triggers, built from a message on its way out. Shapes follow
 * Auth0's type definitions (custom-phone-provider v1, send-phone-message v2); fields the server does
 * not know are left out rather than invented, except where the type makes them required and action
 * code commonly dereferences them (`client`, `request`, `user`): those get empty values.
 */

type Json = Record<string, unknown>;

/** Keys of `context.user` that feed templates (blocked_account) but are not part of Auth0's user object. */
const TEMPLATE_ONLY_USER_KEYS = new Set(['source_ip', 'city', 'country', 'locale']);

function userOf(ctx: NotificationContext, withLoginCount: boolean): Json {
  const u = ctx.user;
  const out: Json = { app_metadata: {}, user_metadata: {} };
  if (!u) return out;
  for (const [k, v] of Object.entries(u)) {
    if (v === undefined || TEMPLATE_ONLY_USER_KEYS.has(k)) continue;
    if (k === 'login_count' && !withLoginCount) continue;
    out[k] = v;
  }
  return out;
}

function requestOf(ctx: NotificationContext): Json {
  const r = ctx.request ?? {};
  return {
    ip: r.ip ?? '',
    method: r.method ?? '',
    geoip: r.geoip ?? {},
    ...(r.hostname !== undefined ? { hostname: r.hostname } : {}),
    ...(r.language !== undefined ? { language: r.language } : {}),
    ...(r.user_agent !== undefined ? { user_agent: r.user_agent } : {}),
  };
}

/**
 * Without an application behind the message (a provider test send), Auth0's own fixture shows the
 * tenant-wide pseudo-client "All Applications"; the same is used here, with an empty id.
 */
function clientOf(ctx: NotificationContext): Json {
  const c = ctx.client;
  return c ? { client_id: c.client_id, name: c.name, metadata: { ...c.metadata } } : { client_id: '', name: 'All Applications', metadata: {} };
}

function optional(ctx: NotificationContext): Json {
  const out: Json = {};
  if (ctx.connection) out['connection'] = { ...ctx.connection, metadata: ctx.connection.metadata ?? {} };
  if (ctx.transaction) out['transaction'] = { ...ctx.transaction };
  return out;
}

const strip = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** custom-phone-provider v1 (reference §5.2), including `user.login_count` (the UPE migration table adds it). */
export function customPhoneProviderEvent(m: OutgoingMessage, secrets: Record<string, string>): Json {
  const t = m.tenant;
  return {
    notification: strip({
      as_text: m.asText,
      as_voice: m.asVoice,
      code: m.code,
      delivery_method: m.deliveryMethod,
      from: m.from,
      locale: m.locale,
      message_type: m.type,
      recipient: m.recipient,
    }),
    client: clientOf(m.context),
    request: requestOf(m.context),
    tenant: strip({
      id: t.name,
      friendly_name: t.friendly_name,
      home_url: t.home_url,
      logo_url: t.logo_url,
      support_email: t.support_email,
      support_url: t.support_url,
    }),
    user: userOf(m.context, true),
    ...optional(m.context),
    secrets: { ...secrets },
    configuration: {},
  };
}

/** send-phone-message v2 (reference §5.5): the legacy MFA hook. Only MFA messages reach it. */
export function sendPhoneMessageEvent(m: OutgoingMessage, secrets: Record<string, string>): Json {
  const voice = m.deliveryMethod === 'voice';
  return {
    message_options: strip({
      action: m.type === 'otp_enroll' ? 'enrollment' : 'second-factor-authentication',
      code: m.code ?? '',
      message_type: voice ? 'voice' : 'sms',
      recipient: m.recipient,
      text: voice ? m.asVoice : m.asText,
    }),
    ...(m.context.client ? { client: clientOf(m.context) } : {}),
    request: requestOf(m.context),
    tenant: { id: m.tenant.name },
    user: userOf(m.context, false),
    ...(m.context.transaction ? { transaction: { ...m.context.transaction } } : {}),
    secrets: { ...secrets },
    configuration: {},
  };
}
