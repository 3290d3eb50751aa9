import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PhoneProviderService } from '../../domain/phone-provider/phone-provider-service.js';
import type { ProviderRegistry } from '../../domain/phone-provider/provider-registry.js';
import type { PhoneProviderConfiguration, PhoneProviderRecord } from '../../domain/ports.js';
import { DisabledQuery, IdParam, responses, Strict, Timestamp } from '../schemas/common.js';

/** `?force=true`: our extension, to disable or delete a provider the MFA phone factor depends on. */
const ForceQuery = Type.Object({ force: Type.Optional(Type.Boolean()) }, Strict);

/**
 * The request and response schemas, from the registered provider kinds. One configuration shape for
 * every kind: Auth0 accepts (and keeps) one kind's keys on a provider of another, so the keys are not
 * tied to `name` here; the service applies the generic rules and the kind's own.
 */
function schemasOf(kinds: ProviderRegistry) {
  const Name = Type.Union(kinds.names.map((n) => Type.Literal(n)));
  const props = Object.entries(kinds.configurationProperties);
  // delivery_methods is required in requests; every other key depends on the kind.
  const Configuration = Type.Object(Object.fromEntries(props.map(([k, s]) => [k, k === 'delivery_methods' ? s : Type.Optional(s)])), Strict);
  const Credentials = Type.Object(Object.fromEntries(Object.entries(kinds.credentialsProperties).map(([k, s]) => [k, Type.Optional(s)])), Strict);
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
  // Response schemas list every key that may be sent: the serializer drops anything else, so a
  // credential can never reach a response even by mistake. Every configuration key is optional, even
  // delivery_methods (always present): a required key would be written first, and Auth0 returns the
  // kind's keys first, delivery_methods last (the registry's order).
  const ProviderProps = {
    id: Type.String(),
    tenant: Type.String(),
    name: Name,
    channel: Type.Literal('phone'),
    disabled: Type.Boolean(),
    configuration: Type.Object(Object.fromEntries(props.map(([k, s]): [string, TSchema] => [k, Type.Optional(s)]))),
    created_at: Timestamp,
    updated_at: Timestamp,
  };
  const Provider = Type.Object(ProviderProps);
  /** List items carry `"credentials": null`, as observed on Auth0 (the single-object responses do not). */
  const ListedProvider = Type.Object({ ...ProviderProps, credentials: Type.Null() });
  return { CreateBody, UpdateBody, Provider, ListedProvider };
}

/** The body keys as the service takes them (the schema checked their shapes). */
interface ProviderBody {
  name?: string;
  credentials?: Record<string, unknown>;
  disabled?: boolean;
  configuration?: PhoneProviderConfiguration;
}

const view = (tenant: string, p: PhoneProviderRecord) => ({
  id: p.id,
  tenant,
  name: p.name,
  channel: 'phone' as const,
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
    const { CreateBody, UpdateBody, Provider, ListedProvider } = schemasOf(svc.kinds);

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
        const b = req.body as ProviderBody & { name: string; credentials: Record<string, unknown> };
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
        const b = req.body as ProviderBody;
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
