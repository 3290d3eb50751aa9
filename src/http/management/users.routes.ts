import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TokenIssuer } from '../../domain/auth/token-issuer.js';
import type { UserDirectory } from '../../domain/auth/user-directory.js';
import type { UserRecord, UserSort } from '../../domain/auth/ports.js';
import type { TenantRecord } from '../../domain/ports.js';
import { AppError } from '../../domain/errors.js';
import { paging, responses } from '../schemas/common.js';
import { project } from '../schemas/list.js';
import {
  CreateUser,
  IdentifierQuery,
  ListUsersQuery,
  GetUserQuery,
  UpdateUser,
  User,
  UserBlocks,
  UserIdParam,
  UserList,
  simpleQuery,
  userView,
} from './users.schemas.js';

/** `/api/v2/users` and `/api/v2/user-blocks`: users of the tenant's connections and their brute-force blocks. */
export interface UserRouteDeps {
  directory: UserDirectory;
  /** A password set through the API revokes the user's refresh tokens. */
  tokens: Pick<TokenIssuer, 'revokeRefreshTokens'>;
}

export function userRoutes(deps: UserRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const dir = deps.directory;
    const tags = ['users'];

    app.post(
      '/users',
      { config: { scope: 'create:users' }, schema: { tags, body: CreateUser, response: responses({ 201: User }) } },
      async (req, reply) => {
        const { verify_email: _v, ...input } = req.body;
        const user = await dir.createUser(req.tenant, input);
        return reply.code(201).send(userView(user));
      },
    );

    app.get(
      '/users',
      { config: { scope: 'read:users' }, schema: { tags, querystring: ListUsersQuery, response: responses({ 200: UserList }) } },
      async (req) => {
        const { page, perPage } = paging(req.query);
        const q = simpleQuery(req.query.q);
        const { items, total } = await dir.listUsers(req.tenant, {
          page,
          perPage,
          ...(q ? { q } : {}),
          ...(req.query.connection ? { connection: req.query.connection } : {}),
          ...(req.query.sort ? { sort: sortOf(req.query.sort) } : {}),
        });
        const users = items.map((u) => project(userView(u), req.query));
        return req.query.include_totals ? { start: page * perPage, limit: perPage, length: users.length, total, users } : users;
      },
    );

    app.get(
      '/users/:id',
      { config: { scope: 'read:users' }, schema: { tags, params: UserIdParam, querystring: GetUserQuery, response: responses({ 200: Type.Partial(User) }) } },
      async (req) => project(userView(await dir.getUser(req.tenant, req.params.id)), req.query),
    );

    app.patch(
      '/users/:id',
      { config: { scope: 'update:users' }, schema: { tags, params: UserIdParam, body: UpdateUser, response: responses({ 200: User }) } },
      async (req) => {
        const { verify_email: _v, connection, ...input } = req.body;
        const user = await dir.getUser(req.tenant, req.params.id);
        if (connection !== undefined && connection !== user.connection) {
          throw new AppError('invalid_body', 'Payload validation error: a user cannot be moved to another connection');
        }
        const updated = await dir.updateUser(req.tenant, req.params.id, input);
        // A password set by an administrator ends the sessions the old one opened, as a reset does (docs/authentication.md).
        if (input.password !== undefined) await deps.tokens.revokeRefreshTokens(req.tenant.id, req.params.id);
        return userView(updated);
      },
    );

    app.delete(
      '/users/:id',
      { config: { scope: 'delete:users' }, schema: { tags, params: UserIdParam } },
      async (req, reply) => {
        await dir.deleteUser(req.tenant, req.params.id);
        return reply.code(204).send();
      },
    );

    // ---- user-blocks (brute-force protection) ----
    const identifierOf = (u: UserRecord) => u.email ?? u.phoneNumber ?? u.username ?? u.userId;
    const blocksFor = async (tenant: TenantRecord, users: UserRecord[], identifier?: string) => {
      const out: Array<{ identifier: string; ip: string; connection: string }> = [];
      for (const u of users) {
        for (const b of await dir.blocksOf(tenant, u)) out.push({ identifier: identifier ?? identifierOf(u), ip: b.ip, connection: b.connection });
      }
      return { blocked_for: out };
    };
    const blockTags = ['user-blocks'];

    app.get(
      '/user-blocks',
      { config: { scope: 'read:users' }, schema: { tags: blockTags, querystring: IdentifierQuery, response: responses({ 200: UserBlocks }) } },
      async (req) => blocksFor(req.tenant, await dir.usersByIdentifier(req.tenant, req.query.identifier), req.query.identifier),
    );

    app.delete(
      '/user-blocks',
      { config: { scope: 'update:users' }, schema: { tags: blockTags, querystring: IdentifierQuery } },
      async (req, reply) => {
        for (const u of await dir.usersByIdentifier(req.tenant, req.query.identifier)) await dir.unblock(req.tenant, u.userId);
        return reply.code(204).send();
      },
    );

    app.get(
      '/user-blocks/:id',
      { config: { scope: 'read:users' }, schema: { tags: blockTags, params: UserIdParam, response: responses({ 200: UserBlocks }) } },
      async (req) => blocksFor(req.tenant, [await dir.getUser(req.tenant, req.params.id)]),
    );

    app.delete(
      '/user-blocks/:id',
      { config: { scope: 'update:users' }, schema: { tags: blockTags, params: UserIdParam } },
      async (req, reply) => {
        const user = await dir.getUser(req.tenant, req.params.id);
        await dir.unblock(req.tenant, user.userId);
        return reply.code(204).send();
      },
    );
  };
}

/** `field:1|-1`, already checked against USER_SORT_FIELDS by the schema. */
function sortOf(sort: string): UserSort {
  const [field, order] = sort.split(':') as [UserSort['field'], string];
  return { field, ascending: order === '1' };
}
