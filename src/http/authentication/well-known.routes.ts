import type { FastifyPluginAsync } from 'fastify';
import type { TokenKeys } from '../../domain/ports.js';
import { SUPPORTED_GRANTS } from './token.routes.js';

/** `/.well-known/jwks.json` and `/.well-known/openid-configuration` for the tenant of the Host. */
export interface WellKnownRouteDeps {
  tokenKeys: Pick<TokenKeys, 'jwks'>;
}

export function wellKnownRoutes(c: WellKnownRouteDeps): FastifyPluginAsync {
  return async (app) => {
    // Both documents depend on the Host (its tenant, its issuer): a shared cache must key on it.
    app.addHook('onSend', async (_req, reply) => {
      reply.header('vary', 'Host');
    });
    app.get('/.well-known/jwks.json', { schema: { tags: ['authentication'] } }, async (req, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return c.tokenKeys.jwks(req.tenant.id);
    });
    app.get('/.well-known/openid-configuration', { schema: { tags: ['authentication'] } }, async (req) => {
      const base = `https://${req.hostName}`;
      return {
        issuer: `${base}/`,
        token_endpoint: `${base}/oauth/token`,
        jwks_uri: `${base}/.well-known/jwks.json`,
        grant_types_supported: SUPPORTED_GRANTS,
        response_types_supported: ['token'],
        mfa_challenge_endpoint: `${base}/mfa/challenge`,
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: ['openid', 'profile', 'email', 'phone', 'offline_access'],
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'phone_number', 'phone_number_verified'],
      };
    });
  };
}
