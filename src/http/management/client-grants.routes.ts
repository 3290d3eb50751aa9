import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ClientService } from '../../domain/clients/client-service.js';
import type { ClientGrantRecord } from '../../domain/ports.js';
import { IdParam, responses, Strict } from '../schemas/common.js';

const Scope = Type.Array(Type.String({ minLength: 1, maxLength: 280 }), { maxItems: 200 });
const Grant = Type.Object({ id: Type.String(), client_id: Type.String(), audience: Type.String(), scope: Type.Array(Type.String()) });
const view = (g: ClientGrantRecord) => ({ id: g.id, client_id: g.clientId, audience: g.audience, scope: g.scope });

/** `/api/v2/client-grants`: which Management API scopes an application may request. */
export interface ClientGrantRouteDeps {
  clients: ClientService;
}

export function clientGrantRoutes(deps: ClientGrantRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const svc = deps.clients;
    app.post(
      '/client-grants',
      {
        config: { scope: 'create:client_grants' },
        schema: {
          tags: ['client-grants'],
          body: Type.Object(
            { client_id: Type.String({ minLength: 1, maxLength: 64 }), audience: Type.String({ minLength: 1, maxLength: 600 }), scope: Scope },
            Strict,
          ),
          response: responses({ 201: Grant }),
        },
      },
      async (req, reply) => {
        const g = await svc.createGrant(req.tenant.id, { clientId: req.body.client_id, audience: req.body.audience, scope: req.body.scope });
        return reply.code(201).send(view(g));
      },
    );
    app.get(
      '/client-grants',
      {
        config: { scope: 'read:client_grants' },
        schema: {
          tags: ['client-grants'],
          querystring: Type.Object(
            { client_id: Type.Optional(Type.String({ maxLength: 64 })), audience: Type.Optional(Type.String({ maxLength: 600 })) },
            Strict,
          ),
          response: responses({ 200: Type.Array(Grant) }),
        },
      },
      async (req) => {
        const filter = {
          ...(req.query.client_id !== undefined ? { clientId: req.query.client_id } : {}),
          ...(req.query.audience !== undefined ? { audience: req.query.audience } : {}),
        };
        return (await svc.listGrants(req.tenant.id, filter)).map(view);
      },
    );
    app.patch(
      '/client-grants/:id',
      {
        config: { scope: 'update:client_grants' },
        schema: { tags: ['client-grants'], params: IdParam('cgr'), body: Type.Object({ scope: Scope }, Strict), response: responses({ 200: Grant }) },
      },
      async (req) => view(await svc.updateGrant(req.tenant.id, req.params.id, req.body.scope)),
    );
    app.delete(
      '/client-grants/:id',
      { config: { scope: 'delete:client_grants' }, schema: { tags: ['client-grants'], params: IdParam('cgr') } },
      async (req, reply) => {
        await svc.deleteGrant(req.tenant.id, req.params.id);
        return reply.code(204).send();
      },
    );
  };
}
