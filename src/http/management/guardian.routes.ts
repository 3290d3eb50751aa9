import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { FACTOR_NAMES, MFA_POLICIES, type GuardianService, type LegacyTwilioView } from '../../domain/mfa/guardian-service.js';
import { responses, Strict } from '../schemas/common.js';

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const Factor = Type.Object({ name: lit(FACTOR_NAMES), enabled: Type.Boolean(), trial_expired: Type.Boolean() });
// Any well-formed name passes the schema so that an unknown one is a 404 (`inexistent_factor`), as
// Auth0 answers; only a malformed one is a 400.
const FactorParam = Type.Object({ name: Type.String({ pattern: '^[a-z0-9-]{1,64}$' }) }, Strict);
const Enabled = Type.Object({ enabled: Type.Boolean() }, Strict);

const MessageType = lit(['sms', 'voice'] as const);
// An empty list is accepted, as Auth0 does (deploy-cli's schema allows it).
const MessageTypes = Type.Object({ message_types: Type.Array(MessageType, { uniqueItems: true, maxItems: 2 }) }, Strict);
const Policies = Type.Array(lit(MFA_POLICIES), { uniqueItems: true, maxItems: MFA_POLICIES.length });

const nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);
const TwilioBody = Type.Object(
  {
    sid: Type.Optional(nullable(Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' }))),
    // E.164 is checked by the service with libphonenumber; the pattern only bounds the input.
    from: Type.Optional(nullable(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' }))),
    messaging_service_sid: Type.Optional(nullable(Type.String({ pattern: '^MG[0-9a-fA-F]{32}$' }))),
    auth_token: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 255 }))),
  },
  Strict,
);
// No `auth_token` here: the serializer drops anything not in the schema, so the token cannot leak.
const TwilioOut = Type.Object({
  sid: Type.Union([Type.String(), Type.Null()]),
  from: Type.Union([Type.String(), Type.Null()]),
  messaging_service_sid: Type.Union([Type.String(), Type.Null()]),
});
const twilioView = (t: LegacyTwilioView) => ({ sid: t.sid, from: t.from, messaging_service_sid: t.messaging_service_sid });

const SelectedProvider = Type.Object({ provider: lit(['auth0', 'twilio', 'phone-message-hook'] as const) }, Strict);
const TemplateText = Type.String({ minLength: 1, maxLength: 20000 });
const Templates = Type.Object({ enrollment_message: TemplateText, verification_message: TemplateText }, Strict);

const tags = ['guardian'];
const read = { scope: 'read:guardian_factors' } as const;
const update = { scope: 'update:guardian_factors' } as const;

/**
 * `/api/v2/guardian`: MFA factors, phone message types and policies, plus the legacy (pre-UPE) phone
 * provider, selected provider and templates, which answer 403 while the unified experience is on.
 * The legacy routes are served under `/phone/` and under the deprecated `/sms/` alias.
 */
export interface GuardianRouteDeps {
  guardian: GuardianService;
}

export function guardianRoutes(deps: GuardianRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const svc = deps.guardian;

    app.get(
      '/guardian/factors',
      { config: read, schema: { tags, response: responses({ 200: Type.Array(Factor) }) } },
      async (req) => svc.listFactors(req.tenant.id),
    );
    app.put(
      '/guardian/factors/:name',
      { config: update, schema: { tags, params: FactorParam, body: Enabled, response: responses({ 200: Type.Object({ enabled: Type.Boolean() }) }) } },
      async (req) => svc.setFactor(req.tenant, req.params.name, req.body.enabled),
    );

    app.get(
      '/guardian/factors/phone/message-types',
      { config: read, schema: { tags, response: responses({ 200: MessageTypes }) } },
      async (req) => ({ message_types: await svc.getMessageTypes(req.tenant.id) }),
    );
    app.put(
      '/guardian/factors/phone/message-types',
      { config: update, schema: { tags, body: MessageTypes, response: responses({ 200: MessageTypes }) } },
      async (req) => ({ message_types: await svc.setMessageTypes(req.tenant, req.body.message_types) }),
    );

    app.get(
      '/guardian/policies',
      { config: { scope: 'read:mfa_policies' }, schema: { tags, response: responses({ 200: Policies }) } },
      async (req) => svc.getPolicies(req.tenant.id),
    );
    app.put(
      '/guardian/policies',
      { config: { scope: 'update:mfa_policies' }, schema: { tags, body: Policies, response: responses({ 200: Policies }) } },
      async (req) => svc.setPolicies(req.tenant.id, req.body),
    );

    for (const factor of ['phone', 'sms'] as const) {
      const base = `/guardian/factors/${factor}`;
      const legacyTags = factor === 'sms' ? ['guardian', 'deprecated'] : tags;
      app.get(
        `${base}/providers/twilio`,
        { config: read, schema: { tags: legacyTags, response: responses({ 200: TwilioOut }) } },
        async (req) => twilioView(await svc.getTwilio(req.tenant)),
      );
      app.put(
        `${base}/providers/twilio`,
        { config: update, schema: { tags: legacyTags, body: TwilioBody, response: responses({ 200: TwilioOut }) } },
        async (req) => twilioView(await svc.setTwilio(req.tenant, req.body)),
      );
      app.get(
        `${base}/selected-provider`,
        { config: read, schema: { tags: legacyTags, response: responses({ 200: SelectedProvider }) } },
        async (req) => ({ provider: await svc.getSelectedProvider(req.tenant) }),
      );
      app.put(
        `${base}/selected-provider`,
        { config: update, schema: { tags: legacyTags, body: SelectedProvider, response: responses({ 200: SelectedProvider }) } },
        async (req) => ({ provider: await svc.setSelectedProvider(req.tenant, req.body.provider) }),
      );
      app.get(
        `${base}/templates`,
        { config: read, schema: { tags: legacyTags, response: responses({ 200: Templates }) } },
        async (req) => svc.getTemplates(req.tenant),
      );
      app.put(
        `${base}/templates`,
        { config: update, schema: { tags: legacyTags, body: Templates, response: responses({ 200: Templates }) } },
        async (req) => svc.setTemplates(req.tenant, req.body),
      );
    }
  };
}
