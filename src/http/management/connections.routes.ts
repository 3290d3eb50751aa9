import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { ConnectionCatalog } from '../../domain/auth/connection-catalog.js';
import type { ConnectionRecord, SmsConnectionOptions } from '../../domain/auth/ports.js';
import { hasLegacyPasswordlessProvider } from '../../domain/notifications/legacy-passwordless.js';
import { AppError } from '../../domain/errors.js';
import type { TenantRecord } from '../../domain/ports.js';
import { DEFAULT_PER_PAGE, responses, Strict } from '../schemas/common.js';
import { CheckpointParams, FieldParams, listBody, listPage, listQuery, listResponse, OffsetParams, project } from '../schemas/list.js';

const orNull = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });

/**
 * Auth0's legacy delivery options of the `sms` strategy (how a tenant in legacy mode sends its
 * passwordless codes). `null` removes a key on PATCH; the secrets (`twilio_token`,
 * `gateway_authentication.secret`) are write-only.
 */
const LegacySmsOptions = {
  provider: Type.Optional(orNull(Type.Union([Type.Literal('twilio'), Type.Literal('sms_gateway')]))),
  twilio_sid: Type.Optional(orNull(Text(255))),
  twilio_token: Type.Optional(orNull(Text(255))),
  from: Type.Optional(orNull(Text(64))),
  messaging_service_sid: Type.Optional(orNull(Text(255))),
  template: Type.Optional(orNull(Text(10_000))),
  syntax: Type.Optional(orNull(Type.Union([Type.Literal('md_with_macros'), Type.Literal('liquid')]))),
  gateway_url: Type.Optional(orNull(Text(2048))),
  gateway_authentication: Type.Optional(
    orNull(
      Type.Object(
        {
          method: Type.Literal('bearer'),
          subject: Text(255),
          audience: Text(255),
          secret: Type.Optional(Text(1024)),
          secret_base64_encoded: Type.Optional(Type.Boolean()),
        },
        Strict,
      ),
    ),
  ),
  forward_req_info: Type.Optional(orNull(Type.Boolean())),
};

/** Open objects (Auth0 adds to their shapes over time): stored and returned as given. */
const OpenObject = (props: Record<string, TSchema> = {}) => Type.Object(props, { additionalProperties: true });
const Opt = <T extends TSchema>(s: T) => Type.Optional(orNull(s));
const IdentifierName = Type.Union([Type.Literal('email'), Type.Literal('phone_number'), Type.Literal('username')]);
const Attribute = OpenObject({ identifier: Type.Optional(OpenObject({ active: Type.Optional(Type.Boolean()) })) });

/**
 * Auth0's documented options of the `auth0` strategy, stored and returned as given (the domain's
 * STORED_DATABASE_OPTION_KEYS; docs/api.md says which act). `null` removes one on PATCH.
 */
const Auth0DatabaseOptions = {
  attributes: Opt(Type.Object({ email: Type.Optional(Attribute), phone_number: Type.Optional(Attribute), username: Type.Optional(Attribute) }, Strict)),
  authentication_methods: Opt(OpenObject()),
  passwordPolicy: Opt(Type.Union(['none', 'low', 'fair', 'good', 'excellent'].map((p) => Type.Literal(p)))),
  password_options: Opt(OpenObject()),
  password_complexity_options: Opt(OpenObject({ min_length: Type.Optional(Type.Integer({ minimum: 1, maximum: 128 })) })),
  password_history: Opt(OpenObject()),
  password_no_personal_info: Opt(OpenObject()),
  password_dictionary: Opt(OpenObject()),
  passkey_options: Opt(OpenObject()),
  requires_username: Opt(Type.Boolean()),
  validation: Opt(OpenObject()),
  mfa: Opt(Type.Object({ active: Type.Optional(Type.Boolean()), return_enroll_settings: Type.Optional(Type.Boolean()) }, Strict)),
  import_mode: Opt(Type.Boolean()),
  enabledDatabaseCustomization: Opt(Type.Boolean()),
  enable_script_context: Opt(Type.Boolean()),
  non_persistent_attrs: Opt(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
  precedence: Opt(Type.Array(IdentifierName, { maxItems: 3, uniqueItems: true })),
  realm_fallback: Opt(Type.Boolean()),
  set_user_root_attributes: Opt(Type.Union([Type.Literal('on_each_login'), Type.Literal('on_first_login'), Type.Literal('never_on_login')])),
};
/** The same as shown (any JSON, as stored). */
const Auth0DatabaseOptionsOut = Object.fromEntries(Object.keys(Auth0DatabaseOptions).map((k) => [k, Type.Optional(Type.Unknown())]));

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
    disable_self_service_change_password: Type.Optional(Type.Boolean()),
    ...Auth0DatabaseOptions,
    name: Opt(Type.String({ minLength: 1, maxLength: 128 })),
    totp: Type.Optional(
      Type.Object(
        {
          length: Type.Optional(Type.Integer({ minimum: 4, maximum: 10 })),
          time_step: Type.Optional(Type.Integer({ minimum: 60, maximum: 3600 })),
        },
        Strict,
      ),
    ),
    ...LegacySmsOptions,
  },
  Strict,
);

const ClientIds = Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), { maxItems: 1000, uniqueItems: true });
const NAME = '^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$';

/**
 * Properties Auth0 returns and its tools send back: a connection's realm here is its name, and there
 * are no domain connections, so only the values a GET shows are accepted (400 otherwise).
 */
const EchoedProperties = {
  realms: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 10 })),
  is_domain_connection: Type.Optional(Type.Boolean()),
};

const CreateConnection = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128, pattern: NAME }),
    strategy: Type.Union([Type.Literal('auth0'), Type.Literal('sms')]),
    options: Type.Optional(Options),
    enabled_clients: Type.Optional(ClientIds),
    ...EchoedProperties,
  },
  Strict,
);
const UpdateConnection = Type.Object({ options: Type.Optional(Options), enabled_clients: Type.Optional(ClientIds), ...EchoedProperties }, Strict);

/** `realms` other than the connection's name, or `is_domain_connection: true`: 400. */
function checkEchoed(name: string, b: { realms?: string[] | undefined; is_domain_connection?: boolean | undefined }): void {
  if (b.realms !== undefined && (b.realms.length !== 1 || b.realms[0] !== name)) {
    throw new AppError('invalid_body', `Payload validation error: a connection's only realm is its name (realms: ["${name}"])`);
  }
  if (b.is_domain_connection === true) throw new AppError('invalid_body', 'Payload validation error: domain connections are not supported (is_domain_connection: false)');
}

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
      disable_self_service_change_password: Type.Optional(Type.Boolean()),
      ...Auth0DatabaseOptionsOut,
      name: Type.Optional(Type.String()),
      totp: Type.Optional(Type.Object({ length: Type.Integer(), time_step: Type.Integer() })),
      // The legacy options as stored, without the secrets (never part of a response).
      provider: Type.Optional(Type.String()),
      twilio_sid: Type.Optional(Type.String()),
      from: Type.Optional(Type.String()),
      messaging_service_sid: Type.Optional(Type.String()),
      template: Type.Optional(Type.String()),
      syntax: Type.Optional(Type.String()),
      gateway_url: Type.Optional(Type.String()),
      gateway_authentication: Type.Optional(
        Type.Object(
          { method: Type.String(), subject: Type.String(), audience: Type.String(), secret_base64_encoded: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
      ),
      forward_req_info: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  enabled_clients: Type.Array(Type.String()),
  realms: Type.Array(Type.String()),
  is_domain_connection: Type.Boolean(),
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
/** `GET /connections/{id}/clients`: checkpoint paging only, as Auth0's. */
const ClientsQuery = listQuery(CheckpointParams);
const EnabledClients = Type.Object({ clients: Type.Array(Type.Object({ client_id: Type.String() })), next: Type.Optional(Type.String()) });
/** `PATCH /connections/{id}/clients`: at most 50 changes a request, as Auth0's. */
const ClientStatuses = Type.Array(
  Type.Object({ client_id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), status: Type.Boolean() }, Strict),
  { minItems: 1, maxItems: 50 },
);

/** The options as shown: the sealed secrets (`*_sealed`) are left out, whatever else is stored. */
function optionsView(c: ConnectionRecord): ConnectionOut['options'] {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.options)) if (!k.endsWith('_sealed')) out[k] = v;
  return out as ConnectionOut['options'];
}

const view = (c: ConnectionRecord): ConnectionOut => ({
  id: c.id,
  name: c.name,
  strategy: c.strategy,
  options: optionsView(c),
  enabled_clients: c.enabledClients,
  realms: [c.name],
  is_domain_connection: false,
});

/** Whether an `sms` connection names a legacy provider: it sends through it only in legacy mode. */
const hasLegacyProvider = (c: ConnectionRecord) => c.strategy === 'sms' && hasLegacyPasswordlessProvider(c.options as SmsConnectionOptions);

/** RFC 7234 warn-code 299 ("miscellaneous persistent warning"), agent "-". */
export const UNUSED_LEGACY_OPTIONS_WARNING =
  '299 - "The legacy delivery options of the sms connection (provider and its settings) are kept but not used: ' +
  'the tenant uses the Unified Phone Experience (phone_consolidated_experience is true), so passwordless codes go through the tenant phone provider"';

/** Says, in a `Warning` header, that the legacy options shown are not used while the tenant is on the unified experience. */
function warnUnusedLegacy(reply: FastifyReply, tenant: TenantRecord, shown: ConnectionRecord[]): void {
  if (tenant.phoneConsolidatedExperience && shown.some(hasLegacyProvider)) void reply.header('warning', UNUSED_LEGACY_OPTIONS_WARNING);
}

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
        checkEchoed(b.name, b);
        const conn = await cat.create(req.tenant, {
          name: b.name,
          strategy: b.strategy,
          ...(b.options ? { options: b.options } : {}),
          ...(b.enabled_clients ? { enabledClients: b.enabled_clients } : {}),
        });
        warnUnusedLegacy(reply, req.tenant, [conn]);
        return reply.code(201).send(view(conn));
      },
    );

    app.get(
      '/connections',
      {
        config: { scope: 'read:connections' },
        schema: { tags, querystring: ListQuery, response: responses({ 200: listResponse('connections', Connection, { checkpoint: true }) }) },
      },
      async (req, reply) => {
        const q = req.query;
        const all = (await cat.list(req.tenant)).filter((x) => (!q.strategy || q.strategy.includes(x.strategy)) && (!q.name || x.name === q.name));
        const page = listPage(all, q, (c) => `${c.createdAt}|${c.id}`);
        warnUnusedLegacy(reply, req.tenant, page.items);
        return listBody('connections', page, page.items.map(view), q);
      },
    );

    app.get(
      '/connections/:id',
      {
        config: { scope: 'read:connections' },
        schema: { tags, params: IdParam, querystring: GetQuery, response: responses({ 200: Type.Partial(Connection) }) },
      },
      async (req, reply) => {
        const conn = await cat.get(req.tenant, req.params.id);
        warnUnusedLegacy(reply, req.tenant, [conn]);
        return project(view(conn), req.query);
      },
    );

    app.patch(
      '/connections/:id',
      {
        config: { scope: 'update:connections' },
        schema: { tags, params: IdParam, body: UpdateConnection, response: responses({ 200: Connection }) },
      },
      async (req, reply) => {
        const b = req.body;
        if (b.realms !== undefined || b.is_domain_connection !== undefined) checkEchoed((await cat.get(req.tenant, req.params.id)).name, b);
        const conn = await cat.update(req.tenant, req.params.id, {
          ...(b.options ? { options: b.options } : {}),
          ...(b.enabled_clients ? { enabledClients: b.enabled_clients } : {}),
        });
        warnUnusedLegacy(reply, req.tenant, [conn]);
        return view(conn);
      },
    );

    // Auth0's way to read and change a connection's applications (its `enabled_clients` property is
    // deprecated there); the Deploy CLI uses these.
    app.get(
      '/connections/:id/clients',
      {
        config: { scope: 'read:connections' },
        schema: { tags, params: IdParam, querystring: ClientsQuery, response: responses({ 200: EnabledClients }) },
      },
      async (req) => {
        const conn = await cat.get(req.tenant, req.params.id);
        const page = listPage(conn.enabledClients, { take: req.query.take ?? DEFAULT_PER_PAGE, ...(req.query.from !== undefined ? { from: req.query.from } : {}) }, (id) => id);
        return { clients: page.items.map((client_id) => ({ client_id })), ...(page.kind === 'checkpoint' && page.next !== undefined ? { next: page.next } : {}) };
      },
    );

    app.patch(
      '/connections/:id/clients',
      { config: { scope: 'update:connections' }, schema: { tags, params: IdParam, body: ClientStatuses } },
      async (req, reply) => {
        await cat.setClientStatuses(req.tenant, req.params.id, req.body.map((x) => ({ clientId: x.client_id, status: x.status })));
        return reply.code(204).send();
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
