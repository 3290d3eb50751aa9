import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ClientService } from '../../domain/clients/client-service.js';
import type { ClientGrantRecord } from '../../domain/ports.js';
import { IdParam, responses, Strict } from '../schemas/common.js';
import { CheckpointParams, listBody, listPage, listQuery, listResponse, OffsetParams } from '../schemas/list.js';

const Scope = Type.Array(Type.String({ minLength: 1, maxLength: 280 }), { maxItems: 200 });
const OrganizationUsage = Type.Union([Type.Literal('deny'), Type.Literal('allow'), Type.Literal('require')]);
const SubjectType = Type.Union([Type.Literal('client'), Type.Literal('user'), Type.Literal('anonymous_user')]);
const DefaultFor = Type.Literal('third_party_clients');
const DetailTypes = Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 100, uniqueItems: true });

/** Grant properties stored and returned unchanged; unifone has no organizations nor user-bound grants. */
const StoredCreate = {
  organization_usage: Type.Optional(OrganizationUsage),
  allow_any_organization: Type.Optional(Type.Boolean()),
  subject_type: Type.Optional(SubjectType),
  default_for: Type.Optional(DefaultFor),
  authorization_details_types: Type.Optional(DetailTypes),
  allow_all_scopes: Type.Optional(Type.Boolean()),
};
/** On update, `null` removes a property (the SDK's `UpdateClientGrantRequestContent`). */
const StoredUpdate = {
  organization_usage: Type.Optional(Type.Union([OrganizationUsage, Type.Null()])),
  allow_any_organization: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  authorization_details_types: Type.Optional(DetailTypes),
  allow_all_scopes: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
};
const STORED = Object.keys(StoredCreate);

const CreateGrant = Type.Object(
  {
    client_id: Type.String({ minLength: 1, maxLength: 64 }),
    audience: Type.String({ minLength: 1, maxLength: 600 }),
    scope: Type.Optional(Scope),
    ...StoredCreate,
  },
  Strict,
);
const UpdateGrant = Type.Object({ scope: Type.Optional(Scope), ...StoredUpdate }, Strict);

const Grant = Type.Object({
  id: Type.String(),
  client_id: Type.String(),
  audience: Type.String(),
  scope: Type.Array(Type.String()),
  organization_usage: Type.Optional(Type.String()),
  allow_any_organization: Type.Optional(Type.Boolean()),
  subject_type: Type.Optional(Type.String()),
  default_for: Type.Optional(Type.String()),
  authorization_details_types: Type.Optional(Type.Array(Type.String())),
  allow_all_scopes: Type.Optional(Type.Boolean()),
});
const view = (g: ClientGrantRecord): Static<typeof Grant> => ({
  id: g.id,
  client_id: g.clientId,
  audience: g.audience,
  scope: g.scope,
  ...(g.properties as Partial<Static<typeof Grant>>),
});

/** Auth0's `GET /api/v2/client-grants` parameters (the SDK's `ListClientGrantsRequestParameters`, plus `page`/`per_page`). */
const ListQuery = listQuery({
  ...OffsetParams,
  ...CheckpointParams,
  audience: Type.Optional(Type.String({ maxLength: 600 })),
  client_id: Type.Optional(Type.String({ maxLength: 64 })),
  allow_any_organization: Type.Optional(Type.Boolean()),
  subject_type: Type.Optional(SubjectType),
  default_for: Type.Optional(DefaultFor),
});

const storedOf = (b: Record<string, unknown>) => Object.fromEntries(STORED.filter((k) => b[k] !== undefined).map((k) => [k, b[k]]));

/** `/api/v2/client-grants`: which scopes of an API (the Management API or a resource server) an application may request. */
export interface ClientGrantRouteDeps {
  clients: ClientService;
}

export function clientGrantRoutes(deps: ClientGrantRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const svc = deps.clients;
    app.post(
      '/client-grants',
      { config: { scope: 'create:client_grants' }, schema: { tags: ['client-grants'], body: CreateGrant, response: responses({ 201: Grant }) } },
      async (req, reply) => {
        const b = req.body;
        const g = await svc.createGrant(req.tenant.id, { clientId: b.client_id, audience: b.audience, scope: b.scope ?? [], properties: storedOf(b) });
        return reply.code(201).send(view(g));
      },
    );
    app.get(
      '/client-grants',
      {
        config: { scope: 'read:client_grants' },
        schema: { tags: ['client-grants'], querystring: ListQuery, response: responses({ 200: listResponse('client_grants', Grant, { checkpoint: true }) }) },
      },
      async (req) => {
        const q = req.query;
        // Grants "default for" third-party clients do not exist here (every grant names its client).
        const all =
          q.default_for !== undefined
            ? []
            : await svc.listGrants(req.tenant.id, {
                clientId: q.client_id,
                audience: q.audience,
                allowAnyOrganization: q.allow_any_organization,
                subjectType: q.subject_type,
              });
        const page = listPage(all, q, (g) => `${g.createdAt}|${g.id}`);
        return listBody('client_grants', page, page.items.map(view), q);
      },
    );
    app.patch(
      '/client-grants/:id',
      {
        config: { scope: 'update:client_grants' },
        schema: { tags: ['client-grants'], params: IdParam('cgr'), body: UpdateGrant, response: responses({ 200: Grant }) },
      },
      async (req) => {
        const b = req.body;
        return view(await svc.updateGrant(req.tenant.id, req.params.id, { scope: b.scope, properties: storedOf(b) }));
      },
    );
    app.delete(
      '/client-grants/:id',
      { config: { scope: 'delete:client_grants' }, schema: { tags: ['client-grants'], params: IdParam('cgr') } },
      async (req, reply) => {
        await svc.deleteGrant(req.tenant.id, req.params.id);
        return reply.code(204).send();
      },
    );
  };
}
