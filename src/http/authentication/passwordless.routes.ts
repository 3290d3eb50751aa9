import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authenticateClient, type AuthDeps } from '../../domain/auth/flows/common.js';
import { passwordlessStart } from '../../domain/auth/flows/passwordless.js';
import { AppError } from '../../domain/errors.js';
import { flowContext, presentedClient } from './flow-context.js';

/**
 * `POST /passwordless/start` (reference §6.6). The body is checked by the flow, not by a schema,
 * so that bad input gets Auth0's own `bad.*` error codes.
 */
export function passwordlessRoutes(c: { auth: AuthDeps }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/passwordless/start',
      { schema: { tags: ['authentication'], body: Type.Object({}, { additionalProperties: Type.Unknown() }) } },
      async (req) => {
        const body = req.body as Record<string, unknown>;
        return passwordlessStart(c.auth, flowContext(req), body, async (p) => {
          const known = p.clientId ? await c.auth.clients.get(req.tenant.id, p.clientId).catch(() => undefined) : undefined;
          if (!known) throw new AppError('bad.client_id', `Unknown client: ${p.clientId ?? ''}`);
          return authenticateClient(c.auth, req.tenant.id, presentedClient(req, { client_id: p.clientId, client_secret: p.secret }));
        });
      },
    );
  };
}
