import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PhoneProviderService } from '../../domain/phone-provider/phone-provider-service.js';
import type { PhoneProviderRecord } from '../../domain/ports.js';
import { DisabledQuery, IdParam, responses, Strict, Timestamp } from '../schemas/common.js';

const Name = Type.Union([Type.Literal('twilio'), Type.Literal('custom')]);
const DeliveryMethods = Type.Array(Type.Union([Type.Literal('text'), Type.Literal('voice')]), {
  minItems: 1,
  maxItems: 2,
  uniqueItems: true,
});

/**
 * One shape for both providers: Auth0 accepts (and keeps) Twilio keys on a custom provider, so the
 * keys are not tied to `name` here; the service checks what each provider needs. `default_from` is
 * only length-bounded here so that a bad number gets the service's clearer message.
 */
const Configuration = Type.Object(
  {
    sid: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    default_from: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    mssid: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    delivery_methods: DeliveryMethods,
  },
  Strict,
);
/** Twilio's `{auth_token}` or a custom provider's `{}`. */
const Credentials = Type.Object({ auth_token: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }, Strict);

const CreateBody = Type.Object(
  { name: Name, credentials: Credentials, disabled: Type.Optional(Type.Boolean()), configuration: Type.Optional(Configuration) },
  Strict,
);
const UpdateBody = Type.Object(
  {
    name: Type.Optional(Name),
    credentials: Type.Optional(Credentials),
    disabled: Type.Optional(Type.Boolean()),
    configuration: Type.Optional(Configuration),
  },
  Strict,
);
/** `?force=true`: our extension, to disable or delete a provider the MFA phone factor depends on. */
const ForceQuery = Type.Object({ force: Type.Optional(Type.Boolean()) }, Strict);

// Response schemas list every key that may be sent: the serializer drops anything else, so a
// credential can never reach a response even by mistake.
const ProviderProps = {
  id: Type.String(),
  tenant: Type.String(),
  name: Name,
  channel: Type.Literal('phone'),
  disabled: Type.Boolean(),
  // delivery_methods is always present, but marking it required would make the serializer write it
  // first; Auth0 returns sid, default_from, delivery_methods in that order.
  configuration: Type.Object({
    sid: Type.Optional(Type.String()),
    default_from: Type.Optional(Type.String()),
    mssid: Type.Optional(Type.String()),
    delivery_methods: Type.Optional(Type.Array(Type.String())),
  }),
  created_at: Timestamp,
  updated_at: Timestamp,
};
const Provider = Type.Object(ProviderProps);
/** List items carry `"credentials": null`, as observed on Auth0 (the single-object responses do not). */
const ListedProvider = Type.Object({ ...ProviderProps, credentials: Type.Null() });
type ProviderOut = Static<typeof Provider>;

const view = (tenant: string, p: PhoneProviderRecord): ProviderOut => ({
  id: p.id,
  tenant,
  name: p.name,
  channel: 'phone',
  disabled: p.disabled,
  configuration: p.configuration,
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});

/** `/api/v2/branding/phone/providers`: the tenant's one phone provider (reference §2, P1-P5). */
export interface PhoneProviderRouteDeps {
  phoneProviders: PhoneProviderService;
}

export function phoneProviderRoutes(deps: PhoneProviderRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const svc = deps.phoneProviders;
    const tags = ['phone-providers'];

    app.get(
      '/branding/phone/providers',
      {
        config: { scope: 'read:phone_providers' },
        schema: { tags, querystring: DisabledQuery, response: responses({ 200: Type.Object({ providers: Type.Array(ListedProvider) }) }) },
      },
      async (req) => {
        const list = await svc.list(req.tenant, { disabled: req.query.disabled });
        return { providers: list.map((p) => ({ ...view(req.tenant.name, p), credentials: null })) };
      },
    );

    app.post(
      '/branding/phone/providers',
      { config: { scope: 'create:phone_providers' }, schema: { tags, body: CreateBody, response: responses({ 201: Provider }) } },
      async (req, reply) => {
        const b = req.body;
        const p = await svc.create(req.tenant, { name: b.name, credentials: b.credentials, disabled: b.disabled, configuration: b.configuration });
        return reply.code(201).send(view(req.tenant.name, p));
      },
    );

    app.get(
      '/branding/phone/providers/:id',
      { config: { scope: 'read:phone_providers' }, schema: { tags, params: IdParam('pro'), response: responses({ 200: Provider }) } },
      async (req) => view(req.tenant.name, await svc.get(req.tenant, req.params.id)),
    );

    app.patch(
      '/branding/phone/providers/:id',
      {
        config: { scope: 'update:phone_providers' },
        schema: { tags, params: IdParam('pro'), querystring: ForceQuery, body: UpdateBody, response: responses({ 200: Provider }) },
      },
      async (req) => {
        const b = req.body;
        const patch = {
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.credentials !== undefined ? { credentials: b.credentials } : {}),
          ...(b.disabled !== undefined ? { disabled: b.disabled } : {}),
          ...(b.configuration !== undefined ? { configuration: b.configuration } : {}),
        };
        return view(req.tenant.name, await svc.update(req.tenant, req.params.id, patch, req.query.force ?? false));
      },
    );

    app.delete(
      '/branding/phone/providers/:id',
      {
        config: { scope: 'delete:phone_providers' },
        schema: { tags, params: IdParam('pro'), querystring: ForceQuery, response: responses({ 204: Type.Null() }) },
      },
      async (req, reply) => {
        await svc.delete(req.tenant, req.params.id, req.query.force ?? false);
        return reply.code(204).send(null);
      },
    );
  };
}
