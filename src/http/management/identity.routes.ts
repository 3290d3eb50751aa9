import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '../../container.js';
import { connectionRoutes } from './connections.routes.js';
import { userAuthenticationMethodRoutes } from './user-authentication-methods.routes.js';
import { userRoutes } from './users.routes.js';

/** Users, user blocks, connections, authentication methods and Guardian enrollments (one line in index.ts). */
export function identityRoutes(c: Container): FastifyPluginAsync {
  return async (app) => {
    await app.register(userRoutes(c));
    await app.register(connectionRoutes(c));
    await app.register(userAuthenticationMethodRoutes(c));
  };
}
