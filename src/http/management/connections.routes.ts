import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ConnectionCatalog } from '../../domain/auth/connection-catalog.js';
import type { ConnectionRecord } from '../../domain/auth/ports.js';
import { responses, Strict } from '../schemas/common.js';
import { CheckpointParams, FieldParams, listBody, listPage, listQuery, listResponse, OffsetParams, project } from '../schemas/list.js';

const Identifiers = Type.Array(Type.Union([Type.Literal('email'), Type.Literal('phone_number'), Type.Literal('username')]), {
  minItems: 1,
  maxItems: 3,
  uniqueItems: true,
});

/** Options of both strategies in one strict object; which apply to which strategy is checked by the domain (400). */
const Options = Type.Object(
  {
    identifiers: Type.Optional(Identifiers),
    disable_signup: Type.Optional(Type.Boolean()),
    brute_force_protection: Type.Optional(Type.Boolean()),
    brute_force_threshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    breached_password_action: Type.Optional(Type.Union([Type.Literal('block'), Type.Literal('notify')])),
    password_min_length: Type.Optional(Type.Integer({ minimum: 1, maximum: 128 })),
    totp: Type.Optional(
      Type.Object(
        {
          length: Type.Optional(Type.Integer({ minimum: 4, maximum: 10 })),
          time_step: Type.Optional(Type.Integer({ minimum: 60, maximum: 3600 })),
        },
        Strict,
      ),
    ),
  },
  Strict,
);

const ClientIds = Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), { maxItems: 1000, uniqueItems: true });
const NAME = '^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$';

const CreateConnection = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128, pattern: NAME }),
    strategy: Type.Union([Type.Literal('auth0'), Type.Literal('sms')]),
    options: Type.Optional(Options),
    enabled_clients: Type.Optional(ClientIds),
  },
  Strict,
);
const UpdateConnection = Type.Object({ options: Type.Optional(Options), enabled_clients: Type.Optional(ClientIds) }, Strict);

const Connection = Type.Object({
  id: Type.String(),
  name: Type.String(),
  strategy: Type.String(),
  options: Type.Object(
    {
      identifiers: Type.Optional(Type.Array(Type.String())),
      disable_signup: Type.Boolean(),
      brute_force_protection: Type.Boolean(),
      brute_force_threshold: Type.Optional(Type.Integer()),
      breached_password_action: Type.Optional(Type.String()),
      password_min_length: Type.Optional(Type.Integer()),
      totp: Type.Optional(Type.Object({ length: Type.Integer(), time_step: Type.Integer() })),
    },
    { additionalProperties: false },
  ),
  enabled_clients: Type.Array(Type.String()),
  realms: Type.Array(Type.String()),
  is_domain_connection: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
type ConnectionOut = Static<typeof Connection>;

const IdParam = Type.Object({ id: Type.String({ pattern: '^con_[A-Za-z0-9]{16}$' }) }, Strict);
/** Auth0's `GET /api/v2/connections` parameters; `strategy` may repeat, and a strategy unifone lacks selects nothing. */
const ListQuery = listQuery({
  ...OffsetParams,
  ...CheckpointParams,
  ...FieldParams,
  strategy: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }), { maxItems: 50 })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});
const GetQuery = listQuery(FieldParams);

const view = (c: ConnectionRecord): ConnectionOut => ({
  id: c.id,
  name: c.name,
  strategy: c.strategy,
  options: c.options as ConnectionOut['options'],
  enabled_clients: c.enabledClients,
  realms: [c.name],
  is_domain_connection: false,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

/**
 * `/api/v2/connections`: the database (`auth0`) and passwordless (`sms`) connections. Every tenant
 * has `Username-Password-Authentication` and `sms` from its first use of users or connections.
 */
export interface ConnectionRouteDeps {
  connections: ConnectionCatalog;
}

export function connectionRoutes(deps: ConnectionRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const cat = deps.connections;
    const tags = ['connections'];

    app.post(
      '/connections',
      { config: { scope: 'create:connections' }, schema: { tags, body: CreateConnection, response: responses({ 201: Connection }) } },
      async (req, reply) => {
        const b = req.body;
        const conn = await cat.create(req.tenant, {
          name: b.name,
          strategy: b.strategy,
          ...(b.options ? { options: b.options } : {}),
          ...(b.enabled_clients ? { enabledClients: b.enabled_clients } : {}),
        });
        return reply.code(201).send(view(conn));
      },
    );

    app.get(
      '/connections',
      {
        config: { scope: 'read:connections' },
        schema: { tags, querystring: ListQuery, response: responses({ 200: listResponse('connections', Connection, { checkpoint: true }) }) },
      },
      async (req) => {
        const q = req.query;
        const all = (await cat.list(req.tenant)).filter((x) => (!q.strategy || q.strategy.includes(x.strategy)) && (!q.name || x.name === q.name));
        const page = listPage(all, q, (c) => `${c.createdAt}|${c.id}`);
        return listBody('connections', page, page.items.map(view), q);
      },
    );

    app.get(
      '/connections/:id',
      {
        config: { scope: 'read:connections' },
        schema: { tags, params: IdParam, querystring: GetQuery, response: responses({ 200: Type.Partial(Connection) }) },
      },
      async (req) => project(view(await cat.get(req.tenant, req.params.id)), req.query),
    );

    app.patch(
      '/connections/:id',
      {
        config: { scope: 'update:connections' },
        schema: { tags, params: IdParam, body: UpdateConnection, response: responses({ 200: Connection }) },
      },
      async (req) => {
        const b = req.body;
        const conn = await cat.update(req.tenant, req.params.id, {
          ...(b.options ? { options: b.options } : {}),
          ...(b.enabled_clients ? { enabledClients: b.enabled_clients } : {}),
        });
        return view(conn);
      },
    );

    app.delete(
      '/connections/:id',
      { config: { scope: 'delete:connections' }, schema: { tags, params: IdParam } },
      async (req, reply) => {
        await cat.delete(req.tenant, req.params.id);
        return reply.code(204).send();
      },
    );
  };
}
