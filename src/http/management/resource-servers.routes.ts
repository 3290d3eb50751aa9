import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ResourceServerService, ResourceServerView } from '../../domain/resource-servers/resource-server-service.js';
import { managementAudience } from '../../domain/scopes.js';
import type { TenantService } from '../../domain/tenants/tenant-service.js';
import type { TenantRecord } from '../../domain/ports.js';
import { responses, Strict } from '../schemas/common.js';
import { FieldParams, listBody, listQuery, listResponse, offsetPage, OffsetParams, project } from '../schemas/list.js';

const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
const Open = Type.Object({}, { additionalProperties: true, maxProperties: 200 });
const Scope = Type.Object(
  { value: Type.String({ minLength: 1, maxLength: 280, pattern: '^\\S+$' }), description: Type.Optional(Type.String({ maxLength: 500 })) },
  Strict,
);
const Lifetime = Type.Integer({ minimum: 1, maximum: 2_592_000 });

/** Properties stored and returned as given (the SDK's `CreateResourceServerRequestContent`, less `signing_secret`). */
const Stored = {
  scopes: Type.Optional(Type.Array(Scope, { maxItems: 1000 })),
  signing_alg: Type.Optional(Type.Union(['HS256', 'RS256', 'RS512', 'PS256'].map((v) => Type.Literal(v)))),
  allow_offline_access: Type.Optional(Type.Boolean()),
  allow_online_access: Type.Optional(Type.Boolean()),
  allow_online_access_with_ephemeral_sessions: Type.Optional(Type.Boolean()),
  token_lifetime: Type.Optional(Lifetime),
  token_lifetime_for_web: Type.Optional(Lifetime),
  token_lifetime_for_anonymous_access_tokens: Type.Optional(Nullable(Lifetime)),
  token_dialect: Type.Optional(Type.Union(['access_token', 'access_token_authz', 'rfc9068_profile', 'rfc9068_profile_authz'].map((v) => Type.Literal(v)))),
  skip_consent_for_verifiable_first_party_clients: Type.Optional(Type.Boolean()),
  enforce_policies: Type.Optional(Type.Boolean()),
  token_encryption: Type.Optional(Nullable(Open)),
  consent_policy: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  authorization_details: Type.Optional(Nullable(Type.Array(Type.Unknown(), { maxItems: 100 }))),
  proof_of_possession: Type.Optional(Nullable(Open)),
  subject_type_authorization: Type.Optional(Open),
  authorization_policy: Type.Optional(Nullable(Open)),
};
const STORED = Object.keys(Stored);

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^<>]+$' });
const CreateBody = Type.Object(
  { identifier: Type.String({ minLength: 1, maxLength: 600, pattern: '^\\S+$' }), name: Type.Optional(Name), ...Stored },
  Strict,
);
const UpdateBody = Type.Object({ name: Type.Optional(Name), ...Stored }, Strict);

const ResourceServer = Type.Object({
  id: Type.String(),
  name: Type.String(),
  identifier: Type.String(),
  is_system: Type.Optional(Type.Boolean()),
  ...Object.fromEntries(STORED.map((k) => [k, Type.Optional(Type.Unknown())])),
});
type ResourceServerOut = Static<typeof ResourceServer>;

const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }, Strict);
/** Auth0's `GET /api/v2/resource-servers` parameters (the SDK's `ListResourceServerRequestParameters`). */
const ListQuery = listQuery({
  ...OffsetParams,
  ...FieldParams,
  identifiers: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 600 }), { maxItems: 100 })),
});
const GetQuery = listQuery(FieldParams);

const view = (r: ResourceServerView): ResourceServerOut => ({
  id: r.id,
  name: r.name,
  identifier: r.identifier,
  ...(r.isSystem ? { is_system: true } : {}),
  ...r.properties,
});
const storedOf = (b: Record<string, unknown>) => Object.fromEntries(STORED.filter((k) => b[k] !== undefined).map((k) => [k, b[k]]));

/**
 * `/api/v2/resource-servers`: the tenant's APIs. The Management API is listed as a system resource
 * server (`is_system: true`), addressed by the host of the request; it cannot be changed or deleted.
 */
export interface ResourceServerRouteDeps {
  resourceServers: ResourceServerService;
  tenants: Pick<TenantService, 'hostsOf'>;
}

export function resourceServerRoutes(deps: ResourceServerRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const svc = deps.resourceServers;
    const tags = ['resource-servers'];
    const system = (tenant: TenantRecord, host: string) => svc.system(tenant.id, managementAudience(host.toLowerCase()));

    app.get(
      '/resource-servers',
      {
        config: { scope: 'read:resource_servers' },
        schema: { tags, querystring: ListQuery, response: responses({ 200: listResponse('resource_servers', ResourceServer) }) },
      },
      async (req) => {
        const q = req.query;
        const all = await svc.list(req.tenant.id, system(req.tenant, req.hostName));
        const page = offsetPage(q.identifiers ? all.filter((r) => q.identifiers!.includes(r.identifier)) : all, q);
        return listBody('resource_servers', page, page.items.map(view), q);
      },
    );

    app.get(
      '/resource-servers/:id',
      {
        config: { scope: 'read:resource_servers' },
        schema: { tags, params: IdParam, querystring: GetQuery, response: responses({ 200: Type.Partial(ResourceServer) }) },
      },
      async (req) => project(view(await svc.get(req.tenant.id, req.params.id, system(req.tenant, req.hostName))), req.query),
    );

    app.post(
      '/resource-servers',
      { config: { scope: 'create:resource_servers' }, schema: { tags, body: CreateBody, response: responses({ 201: ResourceServer }) } },
      async (req, reply) => {
        const b = req.body;
        const hosts = await deps.tenants.hostsOf(req.tenant, req.hostName);
        const rs = await svc.create(
          req.tenant.id,
          { identifier: b.identifier, name: b.name, properties: storedOf(b) },
          system(req.tenant, req.hostName),
          hosts.map(managementAudience),
        );
        return reply.code(201).send(view(rs));
      },
    );

    app.patch(
      '/resource-servers/:id',
      { config: { scope: 'update:resource_servers' }, schema: { tags, params: IdParam, body: UpdateBody, response: responses({ 200: ResourceServer }) } },
      async (req) => {
        const b = req.body;
        return view(await svc.update(req.tenant.id, req.params.id, { name: b.name, properties: storedOf(b) }, system(req.tenant, req.hostName)));
      },
    );

    app.delete(
      '/resource-servers/:id',
      { config: { scope: 'delete:resource_servers' }, schema: { tags, params: IdParam } },
      async (req, reply) => {
        await svc.delete(req.tenant.id, req.params.id, system(req.tenant, req.hostName));
        return reply.code(204).send();
      },
    );
  };
}
