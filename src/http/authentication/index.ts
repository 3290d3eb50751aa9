import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '../../container.js';
import { dbConnectionRoutes } from './dbconnections.routes.js';
import { mfaRoutes } from './mfa.routes.js';
import { passwordlessRoutes } from './passwordless.routes.js';
import { tokenRoutes } from './token.routes.js';
import { wellKnownRoutes } from './well-known.routes.js';

/** The Authentication API: JSON and form bodies, OAuth2 error bodies. */
export function authenticationRoutes(c: Container): FastifyPluginAsync {
  return async (app) => {
    await app.register(formbody, { bodyLimit: c.config.bodyLimit });
    // Tokens, oob_codes, recovery codes: nothing the Authentication API answers may be cached (RFC 6749
    // §5.1), errors included. The discovery documents are public and cacheable.
    app.addHook('onSend', async (req, reply) => {
      if (!(req.routeOptions.url ?? '').startsWith('/.well-known/')) reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    });
    await app.register(wellKnownRoutes(c));
    await app.register(tokenRoutes(c));
    await app.register(mfaRoutes(c));
    await app.register(passwordlessRoutes(c));
    await app.register(dbConnectionRoutes(c));
  };
}
