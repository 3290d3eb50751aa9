import type { FastifyPluginAsync } from 'fastify';
import { connectionRoutes, type ConnectionRouteDeps } from './connections.routes.js';
import { userAuthenticationMethodRoutes, type AuthenticationMethodRouteDeps } from './user-authentication-methods.routes.js';
import { userRoutes, type UserRouteDeps } from './users.routes.js';

export type IdentityRouteDeps = UserRouteDeps & ConnectionRouteDeps & AuthenticationMethodRouteDeps;

/** Users, user blocks, connections, authentication methods and Guardian enrollments (one line in index.ts). */
export function identityRoutes(deps: IdentityRouteDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(userRoutes(deps));
    await app.register(connectionRoutes(deps));
    await app.register(userAuthenticationMethodRoutes(deps));
  };
}
