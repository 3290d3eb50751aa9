import { LEGACY_ENROLLMENT_DEFAULT, LEGACY_VERIFICATION_DEFAULT } from '../mfa/guardian-service.js';
import { METHOD_FOR_MESSAGE_TYPE, unsupportedMessageTypes } from '../mfa/delivery-rules.js';
import { LEGACY_PASSWORDLESS_DEFAULT_TEMPLATE } from '../notifications/legacy-passwordless.js';
import type { DeliveryMethod, MfaMessageType, TemplateType } from '../ports.js';
import { accountSecrets, gatewaySecretName, routingProviderAction, type GeneratedRoute } from './generated-provider.js';
import { stateHash, type LegacyState } from './legacy-state.js';
import { guardianBody, passwordlessBody, sharedVerifyBody } from './template-translation.js';
import type { Translation } from './translation.js';


/** What the operator may choose; the plan checks the choices against the seed's two tables. */
export interface PlanChoices {
  /** The tenant provider's delivery methods; default: what the MFA message types and passwordless need. */
  deliveryMethods?: DeliveryMethod[] | undefined;
  /** The MFA message types after the migration; default: the current ones. */
  messageTypes?: MfaMessageType[] | undefined;
}

export interface PlanIssue {
  code: string;
  message: string;
}

export interface PlanCheck {
  rule: 'provider_supports_delivery_methods' | 'message_types_within_delivery_methods' | 'voice_needs_caller_id';
  ok: boolean;
  /** The seed's "User action": `None`, or what must change first. */
  user_action: string;
  message: string;
}

export type TargetKind = 'twilio' | 'custom' | 'sms_gateway';

export interface PlannedSecret {
  name: string;
  /** Where the value comes from (never the value). */
  source: string;
}

export interface PlanTarget {
  kind: TargetKind;
  reason: string;
  provider: { name: TargetKind; configuration: Record<string, unknown>; credentials_from: string | null };
  action?: { name: string; source: 'translated' | 'generated'; original_action_id?: string; code: string; changes: Translation['changes']; warnings: Translation['warnings'] };
}

export interface PlannedTemplate {
  type: TemplateType;
  body: { text: string; voice?: string };
  source: string;
}

export interface MigrationPlan {
  tenant: string;
  /** `legacy`: a migration is possible; `unified`: the tenant uses the UPE already; `migrated`: applied here, rollback possible. */
  status: 'legacy' | 'unified' | 'migrated';
  eligible: boolean;
  sources: { mfa: MfaSource; passwordless: PasswordlessSource };
  target: PlanTarget | null;
  delivery_methods: DeliveryMethod[];
  message_types: MfaMessageType[];
  checks: PlanCheck[];
  templates: PlannedTemplate[];
  secrets: PlannedSecret[];
  warnings: PlanIssue[];
  blockers: PlanIssue[];
  plan_hash: string;
}

export interface MfaSource {
  enabled: boolean;
  message_types: MfaMessageType[];
  selected_provider: string;
  twilio: { sid: string | null; from: string | null; messaging_service_sid: string | null; auth_token_set: boolean };
  enrollment_message: string | null;
  verification_message: string | null;
  actions: Array<{ id: string; name: string }>;
}

export interface PasswordlessSource {
  enabled: boolean;
  connection: { id: string; name: string } | null;
  provider: 'twilio' | 'sms_gateway' | null;
  twilio: { sid: string | null; from: string | null; messaging_service_sid: string | null; auth_token_set: boolean } | null;
  gateway: { url: string | null; authentication: boolean } | null;
  template: string | null;
  syntax: 'md_with_macros' | 'liquid';
}

export interface PlanInputs {
  state: LegacyState;
  choices: PlanChoices;
  /** The hook Action translated (only called when MFA used `phone-message-hook`). */
  translation: Translation | undefined;
  /** The Twilio API this server calls (written into a generated Action). */
  twilioApiBaseUrl: string;
  /** The delivery methods each provider kind can carry. */
  kindMethods(kind: TargetKind): readonly DeliveryMethod[];
}

/** Translation warnings a person must resolve before the translated Action can replace the hook. */
const NEEDS_A_PERSON = new Set(['module_unavailable', 'dynamic_require', 'user_identities', 'untranslatable']);

export const MIGRATED_ACTION_NAME = 'Unified phone provider (migrated)';

const label = (types: readonly string[]) => types.map((t) => (t === 'sms' || t === 'text' ? 'SMS' : 'Voice')).join(' + ') || 'none';

function mfaSource(s: LegacyState): MfaSource {
  const g = s.guardian;
  return {
    enabled: Boolean(g.factors['sms']),
    message_types: g.messageTypes,
    selected_provider: g.selectedProvider,
    twilio: { ...g.twilio, auth_token_set: g.twilioAuthTokenSealed !== null },
    enrollment_message: g.enrollmentMessage,
    verification_message: g.verificationMessage,
    actions: s.hooks.map((h) => ({ id: h.action.id, name: h.action.name })),
  };
}

function passwordlessSource(s: LegacyState): PasswordlessSource {
  const o = s.sms?.options;
  const provider = o?.provider ?? null;
  return {
    enabled: Boolean(s.sms && s.sms.enabledClients.length > 0 && provider),
    connection: s.sms ? { id: s.sms.id, name: s.sms.name } : null,
    provider,
    twilio:
      provider === 'twilio'
        ? { sid: o?.twilio_sid ?? null, from: o?.from ?? null, messaging_service_sid: o?.messaging_service_sid ?? null, auth_token_set: Boolean(o?.twilio_token_sealed) }
        : null,
    gateway: provider === 'sms_gateway' ? { url: o?.gateway_url ?? null, authentication: Boolean(o?.gateway_authentication) } : null,
    template: o?.template ?? null,
    syntax: o?.syntax ?? 'md_with_macros',
  };
}

/** A Twilio account as the tenant provider's configuration (the legacy names mapped to the kind's). */
function twilioConfiguration(sid: string, from: string | null, mssid: string | null): Record<string, unknown> {
  // With a Messaging Service the service picks the sender (the number was unused, as in legacy sends).
  return { sid, ...(mssid ? { mssid } : from ? { default_from: from } : {}) };
}

interface Decided {
  target: PlanTarget | null;
  secrets: PlannedSecret[];
  blockers: PlanIssue[];
  warnings: PlanIssue[];
}

/**
 * Which provider replaces the legacy ones (see docs/migration.md for the table). The configuration
 * is without `delivery_methods`, which follow from the kind and the operator's choice (`makePlan`).
 */
function decideTarget(inputs: PlanInputs, mfa: MfaSource, pwd: PasswordlessSource): Decided {
  const { state } = inputs;
  const blockers: PlanIssue[] = [];
  const warnings: PlanIssue[] = [];
  const secrets: PlannedSecret[] = [];
  const mfaOn = mfa.enabled;
  const mfaTwilio = mfaOn && mfa.selected_provider === 'twilio';
  const mfaHook = mfaOn && mfa.selected_provider === 'phone-message-hook';
  if (mfaOn && mfa.selected_provider === 'auth0') {
    blockers.push({
      code: 'no_provider_to_copy',
      message:
        "MFA sends through the selected provider 'auth0' (Auth0's own SMS service): there are no credentials to copy. Choose a provider (Twilio or a custom one) with PUT /api/v2/guardian/factors/phone/selected-provider, or configure a tenant-level provider yourself",
    });
  }
  if (mfaTwilio && (!mfa.twilio.sid || !mfa.twilio.auth_token_set)) {
    blockers.push({ code: 'mfa_twilio_incomplete', message: 'The Guardian Twilio settings lack the account SID or the auth token: MFA cannot send today, and there is nothing complete to copy' });
  }
  if (mfaHook && state.hooks.length === 0) {
    blockers.push({ code: 'no_hook_action', message: "MFA uses 'phone-message-hook' but no Action is bound to send-phone-message" });
  }
  if (pwd.enabled && pwd.provider === 'twilio' && (!pwd.twilio?.sid || !pwd.twilio.auth_token_set)) {
    blockers.push({ code: 'passwordless_twilio_incomplete', message: 'The sms connection names provider twilio but lacks twilio_sid or twilio_token' });
  }
  if (pwd.enabled && pwd.provider === 'sms_gateway' && !pwd.gateway?.url) {
    blockers.push({ code: 'passwordless_gateway_incomplete', message: 'The sms connection names provider sms_gateway but has no gateway_url' });
  }
  if (blockers.length > 0) return { target: null, secrets, blockers, warnings };

  const o = state.sms?.options;
  const g = state.guardian;
  // MFA through Twilio (alone, or with passwordless on the same account): the Twilio kind.
  if (mfaTwilio && (!pwd.enabled || (pwd.provider === 'twilio' && pwd.twilio?.sid === g.twilio.sid))) {
    if (pwd.enabled && (pwd.twilio?.from !== g.twilio.from || pwd.twilio?.messaging_service_sid !== g.twilio.messaging_service_sid)) {
      warnings.push({
        code: 'passwordless_sender_changes',
        message: `Passwordless codes were sent from ${pwd.twilio?.messaging_service_sid ?? pwd.twilio?.from ?? 'no sender'}; the tenant provider sends every message from ${g.twilio.messaging_service_sid ?? g.twilio.from ?? 'no sender'} (set a template 'from' to change a type's sender)`,
      });
    }
    return {
      target: {
        kind: 'twilio',
        reason: pwd.enabled ? 'MFA and passwordless SMS use the same Twilio account' : 'MFA uses Twilio',
        provider: { name: 'twilio', configuration: twilioConfiguration(g.twilio.sid!, g.twilio.from, g.twilio.messaging_service_sid), credentials_from: 'guardian Twilio auth token' },
      },
      secrets,
      blockers,
      warnings,
    };
  }
  // MFA through Twilio, passwordless through another account or a gateway: a generated custom provider
  // routes each flow to the provider it used before.
  if (mfaTwilio && pwd.enabled) {
    const mfaAccount = { sid: g.twilio.sid!, from: g.twilio.from, messagingServiceSid: g.twilio.messaging_service_sid, authToken: '' };
    secrets.push(...accountSecrets('MFA', mfaAccount).map((x) => ({ name: x.name, source: 'Guardian Twilio settings' })));
    let passwordless: GeneratedRoute;
    if (pwd.provider === 'twilio') {
      passwordless = { kind: 'twilio' };
      const account = { sid: o!.twilio_sid!, from: o!.from ?? null, messagingServiceSid: o!.messaging_service_sid ?? null, authToken: '' };
      secrets.push(...accountSecrets('PASSWORDLESS', account).map((x) => ({ name: x.name, source: 'sms connection' })));
    } else {
      const auth = o!.gateway_authentication;
      passwordless = {
        kind: 'sms_gateway',
        url: o!.gateway_url!,
        sender: o!.from ?? null,
        auth: auth ? { subject: auth.subject, audience: auth.audience, secret_base64_encoded: auth.secret_base64_encoded ?? false } : null,
        forwardReqInfo: o!.forward_req_info ?? false,
      };
      if (auth) secrets.push({ name: gatewaySecretName('PASSWORDLESS'), source: 'sms connection gateway secret' });
    }
    return {
      target: {
        kind: 'custom',
        reason: `MFA uses Twilio and passwordless SMS ${pwd.provider === 'twilio' ? 'another Twilio account' : 'an SMS gateway'}: a custom provider is required (the seed); this one is generated and routes each flow to its provider`,
        provider: { name: 'custom', configuration: {}, credentials_from: null },
        action: {
          name: MIGRATED_ACTION_NAME,
          source: 'generated',
          code: routingProviderAction(inputs.twilioApiBaseUrl, { MFA: { kind: 'twilio' }, PASSWORDLESS: passwordless }),
          changes: [],
          warnings: [],
        },
      },
      secrets,
      blockers,
      warnings,
    };
  }
  if (mfaHook) {
    if (pwd.enabled) {
      blockers.push({
        code: 'mixed_providers',
        message: `MFA sends through a send-phone-message Action and passwordless SMS through ${pwd.provider}: the translated Action would carry both. Add passwordless sending to the Action by hand (translate it with POST /api/v2/phone-migration/translate), or move passwordless to the Action's provider first`,
      });
      return { target: null, secrets, blockers, warnings };
    }
    const hook = state.hooks[0]!;
    if (state.hooks.length > 1) warnings.push({ code: 'several_hook_actions', message: `${state.hooks.length} Actions are bound to send-phone-message; only the first, ${hook.action.name}, is translated (custom-phone-provider runs one)` });
    const t = inputs.translation!;
    for (const w of t.warnings) (NEEDS_A_PERSON.has(w.code) ? blockers : warnings).push({ code: `translation_${w.code}`, message: `${hook.action.name}:${w.line}: ${w.message}` });
    secrets.push(...hook.action.secrets.map((x) => ({ name: x.name, source: `Action ${hook.action.name}` })));
    return {
      target: {
        kind: 'custom',
        reason: `MFA uses the send-phone-message Action ${hook.action.name}: its translation becomes the custom provider`,
        provider: { name: 'custom', configuration: {}, credentials_from: null },
        action: { name: MIGRATED_ACTION_NAME, source: 'translated', original_action_id: hook.action.id, code: t.code, changes: t.changes, warnings: t.warnings },
      },
      secrets,
      blockers,
      warnings,
    };
  }
  if (pwd.enabled && pwd.provider === 'twilio') {
    return {
      target: {
        kind: 'twilio',
        reason: 'Passwordless SMS uses Twilio',
        provider: { name: 'twilio', configuration: twilioConfiguration(o!.twilio_sid!, o!.from ?? null, o!.messaging_service_sid ?? null), credentials_from: 'sms connection twilio_token' },
      },
      secrets,
      blockers,
      warnings,
    };
  }
  if (pwd.enabled && pwd.provider === 'sms_gateway') {
    const from = o!.from;
    return {
      target: {
        kind: 'sms_gateway',
        reason: 'Passwordless SMS uses an SMS gateway',
        provider: {
          name: 'sms_gateway',
          configuration: {
            gateway_url: o!.gateway_url,
            ...(from ? (/^\+[1-9][0-9]{6,14}$/.test(from) ? { default_from: from } : { sender: from }) : {}),
            ...(o!.gateway_authentication ? { gateway_authentication: o!.gateway_authentication } : {}),
            ...(o!.forward_req_info !== undefined ? { forward_req_info: o!.forward_req_info } : {}),
          },
          credentials_from: o!.gateway_authentication ? 'sms connection gateway secret' : null,
        },
      },
      secrets,
      blockers,
      warnings,
    };
  }
  return { target: null, secrets, blockers, warnings };
}

/**
 * The seed's tables under "Update MFA phone factors and delivery methods": the MFA message types must
 * be a subset of the provider's delivery methods. A type the operator asked for that the methods do
 * not carry means the provider must change (table 1); the current types with none carried mean the
 * factors must change (table 2); some carried, the types narrow to those (table 2's "None" rows).
 */
export function deliveryChecks(
  current: readonly MfaMessageType[],
  desired: readonly MfaMessageType[] | undefined,
  methods: readonly DeliveryMethod[],
  kindMethods: readonly DeliveryMethod[],
  mfaOn: boolean,
): { checks: PlanCheck[]; messageTypes: MfaMessageType[]; warnings: PlanIssue[] } {
  const checks: PlanCheck[] = [];
  const warnings: PlanIssue[] = [];
  const beyondKind = methods.filter((m) => !kindMethods.includes(m));
  checks.push({
    rule: 'provider_supports_delivery_methods',
    ok: beyondKind.length === 0 && methods.length > 0,
    user_action: beyondKind.length === 0 && methods.length > 0 ? 'None' : 'Choose delivery methods the provider can carry',
    message:
      methods.length === 0
        ? 'The provider needs at least one delivery method'
        : beyondKind.length === 0
          ? `The provider carries ${label(methods)}`
          : `The provider cannot deliver by ${beyondKind.join(', ')}`,
  });
  let messageTypes: MfaMessageType[] = [...(desired ?? current)];
  if (!mfaOn) return { checks, messageTypes, warnings };
  const missing = unsupportedMessageTypes(messageTypes, methods);
  if (desired !== undefined) {
    checks.push({
      rule: 'message_types_within_delivery_methods',
      ok: missing.length === 0,
      user_action: missing.length === 0 ? 'None' : 'User must update tenant-level provider to allow for desired MFA phone factor',
      message:
        missing.length === 0
          ? `MFA ${label(messageTypes)} is carried by ${label(methods)}`
          : `MFA ${label(messageTypes)} needs ${missing.map((t) => METHOD_FOR_MESSAGE_TYPE[t]).join(', ')}, which the provider (${label(methods)}) does not carry`,
    });
    return { checks, messageTypes, warnings };
  }
  const kept = messageTypes.filter((t) => !missing.includes(t));
  checks.push({
    rule: 'message_types_within_delivery_methods',
    ok: kept.length > 0,
    user_action: kept.length > 0 ? 'None' : 'User must update MFA phone factors to be a subset of the delivery methods enabled for the tenant-level provider',
    message:
      kept.length === 0
        ? `MFA ${label(messageTypes)} cannot be carried by ${label(methods)}`
        : missing.length > 0
          ? `MFA narrows from ${label(messageTypes)} to ${label(kept)}, what ${label(methods)} carries`
          : `MFA ${label(messageTypes)} is carried by ${label(methods)}`,
  });
  if (missing.length > 0 && kept.length > 0) {
    warnings.push({ code: 'message_types_narrow', message: `The MFA message types narrow to ${kept.join(', ')}: ${missing.join(', ')} is not carried by the chosen delivery methods` });
    messageTypes = kept;
  }
  return { checks, messageTypes, warnings };
}

/** The five UPE templates: the legacy texts translated where a legacy flow had one, the defaults otherwise. */
function plannedTemplates(mfa: MfaSource, pwd: PasswordlessSource, target: PlanTarget | null): PlannedTemplate[] {
  if (!target) return [];
  const mfaText = mfa.enabled ? { enroll: mfa.enrollment_message ?? LEGACY_ENROLLMENT_DEFAULT, verify: mfa.verification_message ?? LEGACY_VERIFICATION_DEFAULT } : undefined;
  const pwdText = pwd.enabled ? passwordlessBody(pwd.template ?? LEGACY_PASSWORDLESS_DEFAULT_TEMPLATE, pwd.syntax) : undefined;
  const out: PlannedTemplate[] = [];
  if (mfaText) {
    out.push({
      type: 'otp_enroll',
      body: { text: guardianBody(mfaText.enroll, 'text'), voice: guardianBody(mfaText.enroll, 'voice') },
      source: mfa.enrollment_message === null ? 'Guardian enrollment message (built-in)' : 'Guardian enrollment message',
    });
  }
  if (mfaText || pwdText) {
    const mfaVerify = mfaText ? { text: guardianBody(mfaText.verify, 'text'), voice: guardianBody(mfaText.verify, 'voice') } : undefined;
    const body = mfaVerify && pwdText ? { text: sharedVerifyBody(pwdText, mfaVerify.text), voice: mfaVerify.voice } : mfaVerify ?? { text: pwdText! };
    const sources = [mfaText ? 'Guardian verification message' : '', pwdText ? `sms connection template (${pwd.syntax})` : ''].filter(Boolean);
    out.push({ type: 'otp_verify', body, source: sources.join(' + ') });
  }
  return out;
}

/** The delivery methods the target needs by default: the MFA message types' and passwordless's text. */
function defaultMethods(mfa: MfaSource, pwd: PasswordlessSource, kind: readonly DeliveryMethod[]): DeliveryMethod[] {
  const wanted = new Set<DeliveryMethod>();
  if (mfa.enabled) for (const t of mfa.message_types) wanted.add(METHOD_FOR_MESSAGE_TYPE[t]);
  if (pwd.enabled) wanted.add('text');
  const ordered = (['text', 'voice'] as const).filter((m) => wanted.has(m));
  // A method the kind cannot carry is left to the checks to report (it is what the tenant uses today).
  return ordered.length > 0 ? ordered : kind.includes('text') ? ['text'] : [...kind];
}

/** The migration plan of a tenant: a pure function of what was read and what the operator chose. */
export function makePlan(inputs: PlanInputs): MigrationPlan {
  const { state, choices } = inputs;
  const mfa = mfaSource(state);
  const pwd = passwordlessSource(state);
  const status = state.migration ? 'migrated' : state.tenant.phoneConsolidatedExperience ? 'unified' : 'legacy';
  const eligible = status === 'legacy' && (mfa.enabled || pwd.enabled);
  const base: MigrationPlan = {
    tenant: state.tenant.name,
    status,
    eligible,
    sources: { mfa, passwordless: pwd },
    target: null,
    delivery_methods: [],
    message_types: mfa.message_types,
    checks: [],
    templates: [],
    secrets: [],
    warnings: [],
    blockers: [],
    plan_hash: stateHash(state),
  };
  if (status !== 'legacy') {
    base.blockers.push({ code: status === 'migrated' ? 'already_migrated' : 'already_unified', message: status === 'migrated' ? 'The tenant was migrated; DELETE /api/v2/phone-migration rolls it back' : 'The tenant uses the Unified Phone Experience already' });
    return base;
  }
  if (!eligible) {
    base.blockers.push({ code: 'nothing_to_migrate', message: 'Neither the MFA phone factor (SMS or voice) nor passwordless SMS with its own provider is configured (the seed\'s "Before you start")' });
    return base;
  }
  // The kind is decided first; the delivery methods then follow the choice, or the kind and the sources.
  const decided = decideTarget(inputs, mfa, pwd);
  const kindMethods = decided.target ? inputs.kindMethods(decided.target.kind) : (['text', 'voice'] as const);
  const methods = choices.deliveryMethods ?? defaultMethods(mfa, pwd, kindMethods);
  if (decided.target) decided.target.provider.configuration = { ...decided.target.provider.configuration, delivery_methods: methods };
  const checked = deliveryChecks(mfa.message_types, choices.messageTypes, methods, kindMethods, mfa.enabled);
  const blockers = [...decided.blockers];
  for (const c of checked.checks) if (!c.ok) blockers.push({ code: c.rule, message: `${c.message}. ${c.user_action}` });
  if (pwd.enabled && !methods.includes('text')) blockers.push({ code: 'passwordless_needs_text', message: 'Passwordless SMS needs the text delivery method' });
  if (decided.target?.kind === 'twilio' && methods.includes('voice') && !decided.target.provider.configuration['default_from']) {
    blockers.push({ code: 'voice_needs_caller_id', message: 'Voice calls need a from number; the Twilio settings have only a Messaging Service' });
  }
  if (decided.target && state.customActions.some((a) => a.id !== decided.target?.action?.original_action_id) && decided.target.action) {
    blockers.push({ code: 'custom_provider_action_exists', message: `The Action ${state.customActions[0]!.name} supports custom-phone-provider already (one per tenant): delete it, or make it the provider yourself` });
  }
  if (state.provider) {
    base.warnings.push({ code: 'provider_replaced', message: `The tenant's ${state.provider.name} provider ${state.provider.id} is replaced (and restored by a rollback)` });
  }
  return {
    ...base,
    target: decided.target,
    delivery_methods: methods,
    message_types: checked.messageTypes,
    checks: checked.checks,
    templates: plannedTemplates(mfa, pwd, decided.target),
    secrets: decided.secrets,
    warnings: [...base.warnings, ...decided.warnings, ...checked.warnings],
    blockers,
  };
}
