import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Container } from '../../container.js';
import { AppError } from '../../domain/errors.js';
import { managementAudience, managementAudienceHost } from '../../domain/scopes.js';

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
});

/** Client credentials from the body or from HTTP Basic (RFC 6749 2.3.1); both at once is refused. */
function clientCredentials(req: FastifyRequest, body: TokenBodyT): { clientId: string; secret: string } {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    if (body.client_secret !== undefined) throw new AppError('invalid_request', 'Use one client authentication method, not two');
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 1) throw new AppError('invalid_client', 'Malformed HTTP Basic credentials');
    const clientId = decodeURIComponent(decoded.slice(0, i));
    if (body.client_id !== undefined && body.client_id !== clientId) throw new AppError('invalid_request', 'client_id does not match the Authorization header');
    return { clientId, secret: decodeURIComponent(decoded.slice(i + 1)) };
  }
  if (!body.client_id) throw new AppError('invalid_request', 'Missing required parameter: client_id');
  if (body.client_secret === undefined) throw new AppError('invalid_client', 'Client authentication is required');
  return { clientId: body.client_id, secret: body.client_secret };
}

/** `POST /oauth/token`: the client-credentials grant for the Management API. */
export function tokenRoutes(c: Container): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/oauth/token',
      { schema: { tags: ['authentication'], body: TokenBody, response: { 200: TokenResponse } } },
      async (req, reply) => {
        const body = req.body;
        reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
        if (body.grant_type !== 'client_credentials') {
          throw new AppError('unsupported_grant_type', `Unsupported grant type: ${body.grant_type}`);
        }
        const creds = clientCredentials(req, body);
        const client = await c.services.clients.authenticate(req.tenant.id, creds.clientId, creds.secret);
        if (!client) throw new AppError('invalid_client', 'Invalid client credentials');
        if (!client.grantTypes.includes('client_credentials')) {
          throw new AppError('unauthorized_client', "Grant type 'client_credentials' not allowed for the client.");
        }
        if (!body.audience) throw new AppError('access_denied', 'No audience parameter was provided, and no default audience has been configured');
        const hosts = await c.services.tenants.hostsOf(req.tenant, req.hostName);
        const audHost = managementAudienceHost(body.audience);
        if (!audHost || !hosts.includes(audHost)) {
          throw new AppError('access_denied', `Service not found: ${body.audience}`);
        }
        const granted = await c.services.clients.managementScopes(req.tenant.id, client.clientId, hosts);
        if (granted.length === 0) throw new AppError('access_denied', `Client has not been granted scopes for ${body.audience}`);
        const requested = body.scope?.split(/\s+/).filter(Boolean);
        const scopes = requested ? granted.filter((s) => requested.includes(s)) : granted;
        const ttl = c.config.accessTokenTtl;
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
      },
    );
  };
}
