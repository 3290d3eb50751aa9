import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ConnectionCatalog } from '../../domain/auth/connection-catalog.js';
import type { ClientService } from '../../domain/clients/client-service.js';
import { AppError } from '../../domain/errors.js';
import type { ClientRecord } from '../../domain/ports.js';
import { responses, Strict } from '../schemas/common.js';
import { CheckpointParams, FieldParams, listBody, listPage, listQuery, listResponse, OffsetParams, project } from '../schemas/list.js';
import { APP_TYPES, STORED_CLIENT_PROPERTY_NAMES, storedClientBody, storedClientCreateBody, storedClientOut } from './clients.schemas.js';

/**
 * Auth0's grant types. The flows unifone serves at /oauth/token are the password, password-realm,
 * passwordless, MFA, refresh-token and client-credentials grants; the others (authorization_code,
 * implicit, device code, CIBA, token exchange) are stored so configurations written for Auth0 apply,
 * and /oauth/token answers `unsupported_grant_type` for them (docs/api.md, Clients).
 */
const GRANT_TYPES = [
  'authorization_code',
  'implicit',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:openid:params:grant-type:ciba',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'client_credentials',
  'password',
  'refresh_token',
  'http://auth0.com/oauth/grant-type/password-realm',
  'http://auth0.com/oauth/grant-type/passwordless/otp',
  'http://auth0.com/oauth/grant-type/mfa-oob',
  'http://auth0.com/oauth/grant-type/mfa-otp',
  'http://auth0.com/oauth/grant-type/mfa-recovery-code',
] as const;

const Metadata = Type.Record(Type.String({ maxLength: 255 }), Type.String({ maxLength: 255 }), { maxProperties: 10 });
const AppType = Type.Union(APP_TYPES.map((v) => Type.Literal(v)));
const AuthMethod = Type.Union([Type.Literal('client_secret_post'), Type.Literal('client_secret_basic'), Type.Literal('none')]);

const ClientBody = {
  description: Type.Optional(Type.String({ maxLength: 140 })),
  app_type: Type.Optional(AppType),
  is_first_party: Type.Optional(Type.Boolean()),
  grant_types: Type.Optional(Type.Array(Type.Union(GRANT_TYPES.map((g) => Type.Literal(g))), { maxItems: 20, uniqueItems: true })),
  client_metadata: Type.Optional(Metadata),
  callbacks: Type.Optional(Type.Array(Type.String({ format: 'uri', maxLength: 2048 }), { maxItems: 100 })),
  token_endpoint_auth_method: Type.Optional(AuthMethod),
};
const CreateClient = Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }), ...ClientBody, ...storedClientCreateBody }, Strict);
const UpdateClient = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })), ...ClientBody, ...storedClientBody }, Strict);

const Client = Type.Object({
  tenant: Type.String(),
  client_id: Type.String(),
  client_secret: Type.Optional(Type.String()),
  name: Type.String(),
  description: Type.Optional(Type.String()),
  app_type: Type.Optional(Type.String()),
  is_first_party: Type.Boolean(),
  grant_types: Type.Array(Type.String()),
  client_metadata: Metadata,
  callbacks: Type.Array(Type.String()),
  token_endpoint_auth_method: Type.String(),
  /** Always false: unifone has no global (all-applications) client. */
  global: Type.Boolean(),
  ...storedClientOut,
});
type ClientOut = Static<typeof Client>;

const ClientIdParam = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) }, Strict);
/** Auth0's `GET /api/v2/clients` parameters (the SDK's `ListClientsRequestParameters`), plus checkpoint paging as Auth0 documents for `q`. */
const ListQuery = listQuery({
  ...OffsetParams,
  ...CheckpointParams,
  ...FieldParams,
  is_global: Type.Optional(Type.Boolean()),
  is_first_party: Type.Optional(Type.Boolean()),
  app_type: Type.Optional(Type.String({ maxLength: 1000, pattern: '^[a-z0-9_]+(,[a-z0-9_]+)*$' })),
  external_client_id: Type.Optional(Type.String({ maxLength: 255 })),
  q: Type.Optional(Type.String({ maxLength: 1000 })),
});
const GetQuery = listQuery(FieldParams);

/** Auth0's documented `q` of the application list: a client grant condition. Undefined: not one of them. */
function parseClientQ(q: string): { allowAnyOrganization: true } | { organizationId: string } | undefined {
  const m = /^\s*client_grant\.(allow_any_organization|organization_id):"?([^"\s]+)"?\s*$/.exec(q);
  if (!m) return undefined;
  if (m[1] === 'allow_any_organization') return m[2] === 'true' ? { allowAnyOrganization: true } : undefined;
  return { organizationId: m[2]! };
}

/** `/api/v2/clients`: applications. The secret is shown on create and to tokens holding `read:client_keys`. */
export interface ClientRouteDeps {
  clients: ClientService;
  /** A new application is enabled on the tenant's default connections. */
  connections: Pick<ConnectionCatalog, 'enableClient'>;
}

export function clientRoutes(deps: ClientRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const svc = deps.clients;
    const view = (tenant: string, client: ClientRecord, secret?: string): ClientOut => ({
      tenant,
      client_id: client.clientId,
      ...(secret !== undefined ? { client_secret: secret } : {}),
      name: client.name,
      ...(client.description !== null ? { description: client.description } : {}),
      ...(client.appType !== null ? { app_type: client.appType } : {}),
      is_first_party: client.isFirstParty,
      grant_types: client.grantTypes,
      client_metadata: client.clientMetadata,
      callbacks: client.callbacks,
      token_endpoint_auth_method: client.tokenEndpointAuthMethod,
      global: false,
      ...client.properties,
    });
    const canSeeKeys = (scopes: ReadonlySet<string> | undefined) => Boolean(scopes?.has('read:client_keys'));
    const secretIf = (scopes: ReadonlySet<string> | undefined, client: ClientRecord) =>
      canSeeKeys(scopes) ? svc.secretOf(client) : undefined;
    /** The stored-only properties named in a request body. */
    /**
     * `jwt_configuration.secret_encoded` is fixed when the application is created (Auth0 refuses it in
     * an update, and the Deploy CLI strips it from every PATCH): a PATCH that replaces
     * `jwt_configuration` keeps the stored value, and one that names another value is refused.
     */
    const keepSecretEncoded = (given: Record<string, unknown>, stored: ClientRecord): Record<string, unknown> => {
      const before = (stored.properties['jwt_configuration'] as Record<string, unknown> | undefined)?.['secret_encoded'];
      if (given['secret_encoded'] !== undefined && before !== undefined && given['secret_encoded'] !== before) {
        throw new AppError('invalid_body', 'jwt_configuration.secret_encoded cannot be changed after the application is created');
      }
      return before === undefined || given['secret_encoded'] !== undefined ? given : { ...given, secret_encoded: before };
    };
    const storedOf = (b: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(STORED_CLIENT_PROPERTY_NAMES.filter((k) => b[k] !== undefined).map((k) => [k, b[k]]));

    app.post(
      '/clients',
      { config: { scope: 'create:clients' }, schema: { tags: ['clients'], body: CreateClient, response: responses({ 201: Client }) } },
      async (req, reply) => {
        const b = req.body;
        const { client, secret } = await svc.create(req.tenant.id, {
          name: b.name,
          description: b.description,
          appType: b.app_type,
          isFirstParty: b.is_first_party,
          grantTypes: b.grant_types,
          clientMetadata: b.client_metadata,
          callbacks: b.callbacks,
          tokenEndpointAuthMethod: b.token_endpoint_auth_method,
          properties: storedOf(b),
        });
        // As on Auth0, a new application is enabled on every existing connection.
        await deps.connections.enableClient(req.tenant, client.clientId);
        return reply.code(201).send(view(req.tenant.name, client, secret));
      },
    );

    app.get(
      '/clients',
      {
        config: { scope: 'read:clients' },
        schema: { tags: ['clients'], querystring: ListQuery, response: responses({ 200: listResponse('clients', Client, { checkpoint: true }) }) },
      },
      async (req) => {
        const q = req.query;
        const byQ = q.q !== undefined ? parseClientQ(q.q) : undefined;
        if (q.q !== undefined && !byQ) {
          throw new AppError('invalid_query_string', 'Query validation error: q supports client_grant.organization_id and client_grant.allow_any_organization:true');
        }
        let all = await svc.listFiltered(req.tenant.id, {
          isFirstParty: q.is_first_party,
          appTypes: q.app_type?.split(','),
        });
        // No global client, no external client ids and no organizations here: those filters select nothing.
        if (q.is_global === true || q.external_client_id !== undefined || (byQ && 'organizationId' in byQ)) all = [];
        if (byQ && 'allowAnyOrganization' in byQ) {
          const withGrant = new Set((await svc.listGrants(req.tenant.id, { allowAnyOrganization: true })).map((g) => g.clientId));
          all = all.filter((c) => withGrant.has(c.clientId));
        }
        const page = listPage(all, q, (c) => `${c.createdAt}|${c.clientId}`);
        const views = page.items.map((cl) => view(req.tenant.name, cl, secretIf(req.principal?.scopes, cl)));
        return listBody('clients', page, views, q);
      },
    );

    app.get(
      '/clients/:id',
      {
        config: { scope: 'read:clients' },
        schema: { tags: ['clients'], params: ClientIdParam, querystring: GetQuery, response: responses({ 200: Type.Partial(Client) }) },
      },
      async (req) => {
        const cl = await svc.get(req.tenant.id, req.params.id);
        return project(view(req.tenant.name, cl, secretIf(req.principal?.scopes, cl)), req.query);
      },
    );

    app.patch(
      '/clients/:id',
      {
        config: { scope: 'update:clients' },
        schema: { tags: ['clients'], params: ClientIdParam, body: UpdateClient, response: responses({ 200: Client }) },
      },
      async (req) => {
        const b = req.body;
        const properties = storedOf(b);
        if (properties['jwt_configuration'] !== undefined) {
          properties['jwt_configuration'] = keepSecretEncoded(properties['jwt_configuration'] as Record<string, unknown>, await svc.get(req.tenant.id, req.params.id));
        }
        const cl = await svc.update(req.tenant.id, req.params.id, {
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
          ...(b.app_type !== undefined ? { appType: b.app_type } : {}),
          ...(b.is_first_party !== undefined ? { isFirstParty: b.is_first_party } : {}),
          ...(b.grant_types !== undefined ? { grantTypes: b.grant_types } : {}),
          ...(b.client_metadata !== undefined ? { clientMetadata: b.client_metadata } : {}),
          ...(b.callbacks !== undefined ? { callbacks: b.callbacks } : {}),
          ...(b.token_endpoint_auth_method !== undefined ? { tokenEndpointAuthMethod: b.token_endpoint_auth_method } : {}),
          properties,
        });
        return view(req.tenant.name, cl, secretIf(req.principal?.scopes, cl));
      },
    );

    app.post(
      '/clients/:id/rotate-secret',
      // As Auth0: a new secret is a key change (update:client_keys), and the answer shows it, so
      // update:clients alone must not be enough to take over an application.
      { config: { scope: 'update:client_keys' }, schema: { tags: ['clients'], params: ClientIdParam, response: responses({ 200: Client }) } },
      async (req) => {
        const { client, secret } = await svc.rotateSecret(req.tenant.id, req.params.id);
        return view(req.tenant.name, client, secret);
      },
    );

    app.delete(
      '/clients/:id',
      { config: { scope: 'delete:clients' }, schema: { tags: ['clients'], params: ClientIdParam } },
      async (req, reply) => {
        await svc.delete(req.tenant.id, req.params.id);
        return reply.code(204).send();
      },
    );
  };
}
