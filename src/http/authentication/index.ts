import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '../../container.js';
import { tokenRoutes } from './token.routes.js';
import { wellKnownRoutes } from './well-known.routes.js';

/** The Authentication API: JSON and form bodies, OAuth2 error bodies. */
export function authenticationRoutes(c: Container): FastifyPluginAsync {
  return async (app) => {
    await app.register(formbody, { bodyLimit: c.config.bodyLimit });
    await app.register(wellKnownRoutes(c));
    await app.register(tokenRoutes(c));
  };
}
