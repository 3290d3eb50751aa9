import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import { dbConnectionRoutes } from './dbconnections.routes.js';
import { mfaRoutes } from './mfa.routes.js';
import { passwordlessRoutes } from './passwordless.routes.js';
import { tokenRoutes, type TokenRouteDeps } from './token.routes.js';
import { wellKnownRoutes, type WellKnownRouteDeps } from './well-known.routes.js';

/** What the Authentication API's routes need (the composition root builds it). */
export type AuthenticationRouteDeps = TokenRouteDeps & WellKnownRouteDeps & { bodyLimit: number };

/** The Authentication API: JSON and form bodies, OAuth2 error bodies. */
export function authenticationRoutes(deps: AuthenticationRouteDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(formbody, { bodyLimit: deps.bodyLimit });
    // Tokens, oob_codes, recovery codes: nothing the Authentication API answers may be cached (RFC 6749
    // §5.1), errors included. The discovery documents are public and cacheable.
    app.addHook('onSend', async (req, reply) => {
      if (!(req.routeOptions.url ?? '').startsWith('/.well-known/')) reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    });
    await app.register(wellKnownRoutes(deps));
    await app.register(tokenRoutes(deps));
    await app.register(mfaRoutes(deps));
    await app.register(passwordlessRoutes(deps));
    await app.register(dbConnectionRoutes(deps));
  };
}
