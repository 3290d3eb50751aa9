import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { assertGrantAllowed, authenticateClient, type AuthDeps, type FlowContext } from '../../domain/auth/flows/common.js';
import { mfaOobLogin, mfaRecoveryLogin } from '../../domain/auth/flows/mfa-verify.js';
import { passwordLogin } from '../../domain/auth/flows/password-login.js';
import { passwordlessLogin } from '../../domain/auth/flows/passwordless.js';
import { refreshLogin } from '../../domain/auth/flows/refresh.js';
import { mfaApiAudience, type TokenRequest } from '../../domain/auth/token-issuer.js';
import { AppError } from '../../domain/errors.js';
import type { ClientRecord, TokenKeys } from '../../domain/ports.js';
import type { ResourceServerService } from '../../domain/resource-servers/resource-server-service.js';
import type { TenantService } from '../../domain/tenants/tenant-service.js';
import { managementAudience, managementAudienceHost } from '../../domain/scopes.js';
import { flowContext, presentedClient } from './flow-context.js';

export const GRANT = {
  clientCredentials: 'client_credentials',
  password: 'password',
  passwordRealm: 'http://auth0.com/oauth/grant-type/password-realm',
  passwordless: 'http://auth0.com/oauth/grant-type/passwordless/otp',
  mfaOob: 'http://auth0.com/oauth/grant-type/mfa-oob',
  mfaRecovery: 'http://auth0.com/oauth/grant-type/mfa-recovery-code',
  refresh: 'refresh_token',
} as const;

/** Every grant type this server answers, for /.well-known/openid-configuration. */
export const SUPPORTED_GRANTS: string[] = Object.values(GRANT);

const TokenBody = Type.Object(
  {
    grant_type: Type.String({ minLength: 1, maxLength: 200 }),
    client_id: Type.Optional(Type.String({ maxLength: 128 })),
    client_secret: Type.Optional(Type.String({ maxLength: 512 })),
    audience: Type.Optional(Type.String({ maxLength: 600 })),
    scope: Type.Optional(Type.String({ maxLength: 8000 })),
  },
  { additionalProperties: Type.String({ maxLength: 8000 }) },
);
type TokenBodyT = Static<typeof TokenBody>;

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.Optional(Type.String()),
  id_token: Type.Optional(Type.String()),
  refresh_token: Type.Optional(Type.String()),
  recovery_code: Type.Optional(Type.String()),
});

const param = (body: TokenBodyT, name: string): string | undefined => {
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** The client-credentials grant for the Management API (machine-to-machine). */
async function clientCredentials(c: TokenRouteDeps, req: FastifyRequest, body: TokenBodyT) {
  const creds = presentedClient(req, body);
  if (!creds.clientId) throw new AppError('invalid_request', 'Missing required parameter: client_id');
  if (creds.secret === undefined) throw new AppError('invalid_client', 'Client authentication is required');
  const client = await c.auth.clients.authenticate(req.tenant.id, creds.clientId, creds.secret);
  if (!client) throw new AppError('invalid_client', 'Invalid client credentials');
  assertGrantAllowed(client, GRANT.clientCredentials);
  if (!body.audience) throw new AppError('access_denied', 'No audience parameter was provided, and no default audience has been configured');
  const hosts = await c.tenants.hostsOf(req.tenant, req.hostName);
  const audHost = managementAudienceHost(body.audience);
  if (!audHost || !hosts.includes(audHost)) throw new AppError('access_denied', `Service not found: ${body.audience}`);
  const granted = await c.auth.clients.managementScopes(req.tenant.id, client.clientId, hosts);
  if (granted.length === 0) throw new AppError('access_denied', `Client has not been granted scopes for ${body.audience}`);
  const requested = body.scope?.split(/\s+/).filter(Boolean);
  const scopes = requested ? granted.filter((s) => requested.includes(s)) : granted;
  const ttl = c.accessTokenTtl;
  const accessToken = await c.tokenKeys.sign(
    req.tenant.id,
    {
      iss: `https://${req.hostName}/`,
      sub: `${client.clientId}@clients`,
      aud: managementAudience(audHost),
      azp: client.clientId,
      scope: scopes.join(' '),
      gty: 'client-credentials',
    },
    ttl,
  );
  return { access_token: accessToken, token_type: 'Bearer' as const, expires_in: ttl, scope: scopes.join(' ') };
}

/**
 * What a user login asks for, checked before the credentials are: no audience (the userinfo
 * audience), the MFA API of this host (`https://{host}/mfa/`; the flows require the second factor
 * first when the user has one, mfaApiNeedsSecondFactor), or an API the tenant registered
 * (`/api/v2/resource-servers`, the identifier exactly). Anything else is 403 `access_denied`
 * "Service not found: X", Auth0's answer. User tokens never address the Management API
 * (client-credentials tokens only), whatever the spelling.
 */
async function tokenRequest(c: TokenRouteDeps, ctx: FlowContext, body: TokenBodyT): Promise<TokenRequest> {
  const audience = body.audience || undefined;
  if (audience && audience !== mfaApiAudience(ctx.host)) {
    // Any spelling of any host: a Management API audience, or an MFA API other than this host's.
    const reserved = managementAudienceHost(audience) !== undefined || /^https:\/\/[^/]+\/mfa\/?$/i.test(audience);
    if (reserved || !(await c.resourceServers.isRegistered(ctx.tenant.id, audience))) throw new AppError('access_denied', `Service not found: ${audience}`);
  }
  return { scope: body.scope ?? 'openid profile', audience };
}

/** The user grants: the client authenticates (public clients may omit the secret) and must allow the grant. */
async function userGrant(c: TokenRouteDeps, req: FastifyRequest, body: TokenBodyT) {
  if (!SUPPORTED_GRANTS.includes(body.grant_type)) throw new AppError('unsupported_grant_type', `Unsupported grant type: ${body.grant_type}`);
  const deps = c.auth;
  const ctx = flowContext(req);
  const client: ClientRecord = await authenticateClient(deps, ctx.tenant.id, presentedClient(req, body));
  const p = (n: string) => param(body, n);
  switch (body.grant_type) {
    case GRANT.password:
      assertGrantAllowed(client, GRANT.password);
      return passwordLogin(deps, ctx, client, { username: p('username'), password: p('password'), realm: p('realm'), req: await tokenRequest(c, ctx, body) });
    case GRANT.passwordRealm:
      assertGrantAllowed(client, GRANT.passwordRealm, [GRANT.password]);
      if (!p('realm')) throw new AppError('invalid_request', 'Missing required parameter: realm');
      return passwordLogin(deps, ctx, client, { username: p('username'), password: p('password'), realm: p('realm'), req: await tokenRequest(c, ctx, body) });
    case GRANT.passwordless:
      assertGrantAllowed(client, GRANT.passwordless);
      return passwordlessLogin(deps, ctx, client, { username: p('username'), otp: p('otp'), realm: p('realm'), req: await tokenRequest(c, ctx, body) });
    case GRANT.mfaOob:
      assertGrantAllowed(client, GRANT.mfaOob);
      return mfaOobLogin(deps, ctx, client, { mfaToken: p('mfa_token'), oobCode: p('oob_code'), bindingCode: p('binding_code') });
    case GRANT.mfaRecovery:
      assertGrantAllowed(client, GRANT.mfaRecovery);
      return mfaRecoveryLogin(deps, ctx, client, { mfaToken: p('mfa_token'), recoveryCode: p('recovery_code') });
    case GRANT.refresh:
      assertGrantAllowed(client, GRANT.refresh);
      return refreshLogin(deps, ctx, client, p('refresh_token'), body.scope);
    default:
      throw new AppError('unsupported_grant_type', `Unsupported grant type: ${body.grant_type}`);
  }
}

/** `POST /oauth/token`: the grant dispatcher (JSON and form bodies). */
export interface TokenRouteDeps {
  /** The flows' dependencies (clients, codes, MFA, token issuance). */
  auth: AuthDeps;
  tenants: Pick<TenantService, 'hostsOf'>;
  /** The tenant's registered APIs: the audiences a user login may name. */
  resourceServers: Pick<ResourceServerService, 'isRegistered'>;
  tokenKeys: Pick<TokenKeys, 'sign'>;
  /** Management API token lifetime, seconds. */
  accessTokenTtl: number;
}

export function tokenRoutes(c: TokenRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/oauth/token',
      { schema: { tags: ['authentication'], body: TokenBody, response: { 200: TokenResponse } } },
      async (req) => {
        const body = req.body;
        if (body.grant_type === GRANT.clientCredentials) return clientCredentials(c, req, body);
        return userGrant(c, req, body);
      },
    );
  };
}
