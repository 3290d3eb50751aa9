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
    await app.register(wellKnownRoutes(c));
    await app.register(tokenRoutes(c));
    await app.register(mfaRoutes(c));
    await app.register(passwordlessRoutes(c));
    await app.register(dbConnectionRoutes(c));
  };
}
