import type { SmsConnectionOptions } from '../auth/ports.js';
import { AppError } from '../errors.js';
import { isE164 } from '../phone-number.js';
import { senderNumber, type ProviderAccount, type ProviderCredentials } from '../phone-provider/provider-kind.js';
import type { ProviderRegistry } from '../phone-provider/provider-registry.js';
import type { PhoneProviderConfiguration, Sealer } from '../ports.js';
import { LEGACY_SMS_GATEWAY_SECRET_PURPOSE, LEGACY_SMS_TWILIO_TOKEN_PURPOSE } from '../purposes.js';
import type { LegacyRoute } from './legacy.js';
import { MAX_RENDERED_CHARS, renderBody } from './render.js';
import { sendFailure } from './sender.js';

/**
 * The legacy (pre-UPE) passwordless path: a tenant with `phone_consolidated_experience: false`
 * sends its passwordless codes through the delivery options of its `sms` connection, as Auth0 did
 * before the Unified Phone Experience: `provider: "twilio"` (`twilio_sid`, `twilio_token`, `from` or
 * `messaging_service_sid`) or `provider: "sms_gateway"` (`gateway_url`, `gateway_authentication`,
 * `forward_req_info`, `from`), with the text of `template` in its `syntax`. Those options are an
 * account of the provider kind of the same name; without `provider` the connection would use
 * Auth0's own SMS service, which does not exist on this server.
 */

/** Auth0's default passwordless SMS text (syntax `md_with_macros`). */
export const LEGACY_PASSWORDLESS_DEFAULT_TEMPLATE = 'Your verification code is: @@password@@';

/** The macro of the `md_with_macros` syntax that stands for the code. */
const PASSWORD_MACRO = '@@password@@';

/** What a connection's legacy options name, when complete: the provider kind and an account of it. */
export interface LegacyPasswordlessAccount {
  kind: 'twilio' | 'sms_gateway';
  account: ProviderAccount;
}

/** The variables of a legacy passwordless text. */
export interface LegacyPasswordlessVars {
  /** The one-time code (`@@password@@`; `{{ code }}` and `{{ password }}` in Liquid). */
  code: string;
  /** The notification's locale (`{{ locale }}` and `{{ request_language }}` in Liquid). */
  locale: string;
  /** The application the code was asked for (`{{ application.name }}`, `{{ application.client_id }}`). */
  application?: { name: string; client_id: string };
}

/** Whether the options name a legacy provider (the keys that make the connection send on its own). */
export function hasLegacyPasswordlessProvider(options: SmsConnectionOptions): boolean {
  return options.provider !== undefined;
}

/** What the options lack to send through their provider, or undefined when they are complete. */
export function legacyPasswordlessProblem(options: SmsConnectionOptions): string | undefined {
  if (options.provider === 'twilio') {
    if (!options.twilio_sid) return 'The sms connection has provider twilio but no twilio_sid';
    if (!options.twilio_token_sealed) return 'The sms connection has provider twilio but no twilio_token';
    if (!options.from && !options.messaging_service_sid) return 'The sms connection has provider twilio but neither from nor messaging_service_sid';
    return undefined;
  }
  if (options.provider === 'sms_gateway') {
    if (!options.gateway_url) return 'The sms connection has provider sms_gateway but no gateway_url';
    if (options.gateway_authentication && !options.gateway_secret_sealed) return 'The sms connection has gateway_authentication but no secret';
    return undefined;
  }
  return 'The sms connection has no provider';
}

/**
 * The connection's legacy options as an account of their provider kind, the secrets opened; undefined
 * when there is no provider or a piece is missing (see {@link legacyPasswordlessProblem}).
 *
 * - `twilio`: `{sid: twilio_sid, default_from: from, mssid: messaging_service_sid}`, `{auth_token}`.
 *   With a Messaging Service the service picks the sender, so `from` is left out (as the `twilio`
 *   kind wants exactly one of the two).
 * - `sms_gateway`: `{gateway_url, gateway_authentication (without secret), forward_req_info}` and
 *   `from` as `default_from` when it is an E.164 number, else as `sender` (an alphanumeric sender
 *   id), the rule of that kind; `{secret}` when there is one.
 *
 * Text only: a passwordless code is a text message.
 */
export function legacyPasswordlessAccount(options: SmsConnectionOptions, sealer: Pick<Sealer, 'open'>): LegacyPasswordlessAccount | undefined {
  if (legacyPasswordlessProblem(options) !== undefined) return undefined;
  if (options.provider === 'twilio') {
    const configuration: PhoneProviderConfiguration = {
      sid: options.twilio_sid!,
      ...(options.messaging_service_sid ? { mssid: options.messaging_service_sid } : { default_from: options.from! }),
      delivery_methods: ['text'],
    };
    return { kind: 'twilio', account: { configuration, credentials: { auth_token: sealer.open(options.twilio_token_sealed!, LEGACY_SMS_TWILIO_TOKEN_PURPOSE) } } };
  }
  const from = options.from;
  const configuration: PhoneProviderConfiguration = {
    gateway_url: options.gateway_url!,
    ...(from !== undefined ? (isE164(from) ? { default_from: from } : { sender: from }) : {}),
    ...(options.gateway_authentication ? { gateway_authentication: { ...options.gateway_authentication } } : {}),
    ...(options.forward_req_info !== undefined ? { forward_req_info: options.forward_req_info } : {}),
    delivery_methods: ['text'],
  };
  const credentials: ProviderCredentials = options.gateway_secret_sealed ? { secret: sealer.open(options.gateway_secret_sealed, LEGACY_SMS_GATEWAY_SECRET_PURPOSE) } : {};
  return { kind: 'sms_gateway', account: { configuration, credentials } };
}

/**
 * How a legacy-mode passwordless code goes out: the provider kit's kind named by `provider`, with
 * the connection's account. No `provider` is `provider_unavailable` (Auth0's own SMS service);
 * a missing piece, or an account the kind refuses, is `provider_misconfigured`.
 */
export function legacyPasswordlessRoute(options: SmsConnectionOptions, sealer: Pick<Sealer, 'open'>, kinds: ProviderRegistry): LegacyRoute {
  const provider = options.provider;
  if (provider === undefined) {
    return {
      provider: 'auth0',
      failure: sendFailure(false, 'provider_unavailable', "The sms connection has no provider: Auth0's own SMS service is not available on this server"),
    };
  }
  const kind = kinds.get(provider);
  if (!kind) return { provider, failure: sendFailure(false, 'provider_unavailable', `The sms connection provider ${provider} is not available on this server`) };
  const problem = legacyPasswordlessProblem(options);
  const built = problem === undefined ? legacyPasswordlessAccount(options, sealer) : undefined;
  if (!built) return { provider, failure: sendFailure(false, 'provider_misconfigured', problem ?? 'The sms connection options are incomplete') };
  const refused = kind.check?.(built.account.configuration, built.account.credentials);
  if (refused) return { provider, failure: sendFailure(false, 'provider_misconfigured', `The sms connection options are not usable: ${refused}`) };
  return { provider, sender: kind.sender(built.account), from: senderNumber(kind, built.account.configuration, undefined) };
}

/**
 * The credentials that sign receipts of a legacy passwordless message sent through `kind`: the
 * connection's (the message was sent with them), undefined when its options name another kind.
 */
export function legacyPasswordlessReceiptCredentials(options: SmsConnectionOptions, sealer: Pick<Sealer, 'open'>, kind: string): ProviderCredentials | undefined {
  const built = legacyPasswordlessAccount(options, sealer);
  return built && built.kind === kind ? built.account.credentials : undefined;
}

/**
 * The text of a legacy passwordless message. `md_with_macros` (the default syntax) replaces every
 * `@@password@@` with the code; `liquid` renders the template with the variables `code`, `password`
 * (the code), `locale`, `request_language` (the locale) and `application` (`{name, client_id}`),
 * with the limits of phone templates (`invalid_template` when it fails). No template: Auth0's
 * default text. `cacheId` keys the parse cache (one per tenant and connection is best).
 */
export function renderLegacyPasswordless(options: Pick<SmsConnectionOptions, 'template' | 'syntax'>, vars: LegacyPasswordlessVars, cacheId = 'legacy-passwordless'): string {
  const template = options.template;
  if (template === undefined || options.syntax !== 'liquid') {
    const out = (template ?? LEGACY_PASSWORDLESS_DEFAULT_TEMPLATE).split(PASSWORD_MACRO).join(vars.code);
    if (out.length > MAX_RENDERED_CHARS) throw new AppError('invalid_template', `The text body of the template renders to more than ${MAX_RENDERED_CHARS} characters`);
    return out.trim();
  }
  return renderBody({ id: cacheId, version: 0, part: 'text' }, template, {
    code: vars.code,
    password: vars.code,
    locale: vars.locale,
    request_language: vars.locale,
    application: vars.application ? { name: vars.application.name, client_id: vars.application.client_id } : {},
  }).trim();
}
