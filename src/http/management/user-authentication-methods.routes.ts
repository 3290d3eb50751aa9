import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EnrollmentAdmin } from '../../domain/auth/enrollment-admin.js';
import type { UserDirectory } from '../../domain/auth/user-directory.js';
import type { EnrollmentRecord } from '../../domain/auth/mfa-ports.js';
import { AppError } from '../../domain/errors.js';
import type { TenantRecord } from '../../domain/ports.js';
import { PageQuery, paging, responses, Strict } from '../schemas/common.js';
import { USER_ID_PATTERN } from './users.schemas.js';

/**
 * A user's MFA phone enrollments seen through the Management API: `/users/{id}/authentication-methods`
 * (Auth0's `phone|dev_…` methods), `/users/{id}/enrollments` and `/guardian/enrollments/{id}` (Guardian
 * enrollments, `dev_…`). Read and delete only; the MFA flows create and confirm enrollments.
 */
const ENROLLMENT_ID = 'dev_[A-Za-z0-9]{1,64}';
const UserParam = Type.Object({ id: Type.String({ pattern: USER_ID_PATTERN, maxLength: 161 }) }, Strict);
const MethodParams = Type.Object(
  {
    id: Type.String({ pattern: USER_ID_PATTERN, maxLength: 161 }),
    authentication_method_id: Type.String({ pattern: `^(?:(?:phone|sms|voice)\\|)?${ENROLLMENT_ID}$` }),
  },
  Strict,
);
const EnrollmentParam = Type.Object({ id: Type.String({ pattern: `^${ENROLLMENT_ID}$` }) }, Strict);
const ListQuery = Type.Object(
  {
    ...PageQuery,
    include_totals: Type.Optional(Type.Boolean()),
  },
  Strict,
);

const Method = Type.Object({
  id: Type.String(),
  type: Type.String(),
  confirmed: Type.Boolean(),
  phone_number: Type.Optional(Type.String()),
  preferred_authentication_method: Type.Optional(Type.String()),
  authentication_methods: Type.Array(Type.Object({ id: Type.String(), type: Type.String() })),
  created_at: Type.String(),
  last_auth_at: Type.Optional(Type.String()),
});
type MethodOut = Static<typeof Method>;

const Enrollment = Type.Object({
  id: Type.String(),
  status: Type.String(),
  type: Type.String(),
  name: Type.Optional(Type.String()),
  phone_number: Type.Optional(Type.String()),
  enrolled_at: Type.String(),
  last_auth: Type.Optional(Type.String()),
});
type EnrollmentOut = Static<typeof Enrollment>;

const methodView = (e: EnrollmentRecord): MethodOut => ({
  id: `phone|${e.id}`,
  type: e.type === 'phone' ? 'phone' : e.type,
  confirmed: e.status === 'confirmed',
  ...(e.phoneNumber ? { phone_number: e.phoneNumber } : {}),
  ...(e.preferredMethod ? { preferred_authentication_method: e.preferredMethod } : {}),
  authentication_methods: [
    { id: `sms|${e.id}`, type: 'phone' },
    { id: `voice|${e.id}`, type: 'phone' },
  ],
  created_at: e.createdAt,
  ...(e.lastAuth ? { last_auth_at: e.lastAuth } : {}),
});

const enrollmentView = (e: EnrollmentRecord): EnrollmentOut => ({
  id: e.id,
  status: e.status,
  type: e.type === 'phone' ? 'sms' : e.type,
  ...(e.phoneNumber ? { name: e.phoneNumber, phone_number: e.phoneNumber } : {}),
  enrolled_at: e.confirmedAt ?? e.createdAt,
  ...(e.lastAuth ? { last_auth: e.lastAuth } : {}),
});

/** `phone|dev_X`, `sms|dev_X`, `voice|dev_X` and `dev_X` all name enrollment `dev_X`. */
const enrollmentIdOf = (methodId: string) => methodId.slice(methodId.indexOf('|') + 1);

export interface AuthenticationMethodRouteDeps {
  directory: Pick<UserDirectory, 'getUser'>;
  enrollments: EnrollmentAdmin;
}

export function userAuthenticationMethodRoutes(deps: AuthenticationMethodRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const dir = deps.directory;
    const enrollments = deps.enrollments;
    const tags = ['users'];

    app.get(
      '/users/:id/authentication-methods',
      {
        config: { scope: 'read:authentication_methods' },
        schema: {
          tags,
          params: UserParam,
          querystring: ListQuery,
          response: responses({
            200: Type.Union([
              Type.Array(Method),
              Type.Object({ start: Type.Integer(), limit: Type.Integer(), total: Type.Integer(), authenticators: Type.Array(Method) }),
            ]),
          }),
        },
      },
      async (req) => {
        const user = await dir.getUser(req.tenant, req.params.id);
        const all = (await enrollments.listForUser(req.tenant, user.userId)).map(methodView);
        const { page, perPage } = paging(req.query);
        const items = req.query.page !== undefined || req.query.per_page !== undefined ? all.slice(page * perPage, (page + 1) * perPage) : all;
        return req.query.include_totals ? { start: page * perPage, limit: perPage, total: all.length, authenticators: items } : items;
      },
    );

    const methodOf = async (tenant: TenantRecord, userId: string, methodId: string) => {
      const e = await enrollments.get(tenant, enrollmentIdOf(methodId));
      if (!e || e.userId !== userId) throw new AppError('inexistent_authentication_method');
      return e;
    };

    app.get(
      '/users/:id/authentication-methods/:authentication_method_id',
      { config: { scope: 'read:authentication_methods' }, schema: { tags, params: MethodParams, response: responses({ 200: Method }) } },
      async (req) => {
        const user = await dir.getUser(req.tenant, req.params.id);
        return methodView(await methodOf(req.tenant, user.userId, req.params.authentication_method_id));
      },
    );

    app.delete(
      '/users/:id/authentication-methods/:authentication_method_id',
      { config: { scope: 'delete:authentication_methods' }, schema: { tags, params: MethodParams } },
      async (req, reply) => {
        const user = await dir.getUser(req.tenant, req.params.id);
        const e = await methodOf(req.tenant, user.userId, req.params.authentication_method_id);
        await enrollments.delete(req.tenant, e.id);
        return reply.code(204).send();
      },
    );

    app.get(
      '/users/:id/enrollments',
      { config: { scope: 'read:users' }, schema: { tags, params: UserParam, response: responses({ 200: Type.Array(Enrollment) }) } },
      async (req) => {
        const user = await dir.getUser(req.tenant, req.params.id);
        return (await enrollments.listForUser(req.tenant, user.userId)).map(enrollmentView);
      },
    );

    const guardianTags = ['guardian'];
    app.get(
      '/guardian/enrollments/:id',
      {
        config: { scope: 'read:guardian_enrollments' },
        schema: { tags: guardianTags, params: EnrollmentParam, response: responses({ 200: Enrollment }) },
      },
      async (req) => {
        const e = await enrollments.get(req.tenant, req.params.id);
        if (!e) throw new AppError('inexistent_enrollment');
        return enrollmentView(e);
      },
    );

    app.delete(
      '/guardian/enrollments/:id',
      { config: { scope: 'delete:guardian_enrollments' }, schema: { tags: guardianTags, params: EnrollmentParam } },
      async (req, reply) => {
        if (!(await enrollments.delete(req.tenant, req.params.id))) throw new AppError('inexistent_enrollment');
        return reply.code(204).send();
      },
    );
  };
}
