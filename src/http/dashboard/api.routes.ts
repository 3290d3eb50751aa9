import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { OperatorService } from '../../domain/operators/operator-service.js';
import type { OperatorRecord } from '../../domain/operators/ports.js';
import type { TenantAccess } from '../../domain/operators/tenant-access.js';
import { normalizeHost } from '../../domain/tenants/tenant-service.js';
import { clearSessionCookie, requireSession, setSessionCookie } from './session.js';

const Strict = { additionalProperties: false } as const;
const SignInBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }, Strict);
const TokenBody = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 64 }) }, Strict);
const OperatorOut = Type.Object({ email: Type.String(), role: Type.String(), tenants: Type.Union([Type.Literal('*'), Type.Array(Type.String())]) });
const SessionOut = Type.Object({ operator: OperatorOut, csrf_token: Type.String(), expires_at: Type.String(), idle_timeout_seconds: Type.Integer() });
const TenantOut = Type.Object({
  name: Type.String(),
  friendly_name: Type.String(),
  domains: Type.Array(Type.String()),
  here: Type.Boolean(),
  dashboard_url: Type.Union([Type.String(), Type.Null()]),
});
const TokenOut = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
  tenant: Type.String(),
  api_origin: Type.String(),
  same_origin: Type.Boolean(),
});

/** What the dashboard's own API needs: sign-in and sessions, and the tenants and tokens of an operator. */
export interface DashboardApiDeps {
  operators: Pick<OperatorService, 'signIn' | 'authenticate' | 'checkCsrf' | 'signOut' | 'policy'>;
  tenantAccess: Pick<TenantAccess, 'list' | 'mint'>;
}

const operatorView = (op: OperatorRecord) => ({ email: op.email, role: op.role, tenants: op.tenants === '*' ? ('*' as const) : [...op.tenants] });
const scheme = (req: FastifyRequest) => (req.protocol === 'https' ? 'https' : 'http');
const host = (req: FastifyRequest) => normalizeHost(req.headers.host);

/**
 * `/dashboard/api`: the only private endpoints of the dashboard. Everything else it shows or changes
 * goes through the public Management API with a token minted here. No route is tenant-bound
 * (`global`): operators may manage several tenants, and the default tenant may be switched off.
 */
export function dashboardApiRoutes(c: DashboardApiDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const config = { global: true };
    const tags = ['dashboard'];
    const hide = true;

    app.post('/session', { config, schema: { hide, tags, body: SignInBody, response: { 200: SessionOut } } }, async (req, reply) => {
      const s = await c.operators.signIn(req.body.email, req.body.password, req.ip);
      setSessionCookie(req, reply, s.sessionId, Math.floor(c.operators.policy.absoluteMs / 1000));
      reply.header('cache-control', 'no-store');
      return { operator: operatorView(s.operator), csrf_token: s.csrfToken, expires_at: s.session.expiresAt, idle_timeout_seconds: Math.floor(c.operators.policy.idleMs / 1000) };
    });

    // Reading the session gives the page its CSRF token again after a reload (the cookie is HttpOnly).
    app.get('/session', { config, schema: { hide, tags, response: { 200: SessionOut } } }, async (req, reply) => {
      const s = await requireSession(c.operators, req, { csrf: false });
      reply.header('cache-control', 'no-store');
      return { operator: operatorView(s.operator), csrf_token: s.csrfToken, expires_at: s.session.expiresAt, idle_timeout_seconds: Math.floor(c.operators.policy.idleMs / 1000) };
    });

    app.delete('/session', { config, schema: { hide, tags } }, async (req, reply) => {
      const s = await requireSession(c.operators, req, { csrf: true });
      await c.operators.signOut(s.sessionId);
      clearSessionCookie(req, reply);
      return reply.code(204).send();
    });

    app.get('/tenants', { config, schema: { hide, tags, response: { 200: Type.Object({ tenants: Type.Array(TenantOut) }) } } }, async (req, reply) => {
      const s = await requireSession(c.operators, req, { csrf: false });
      reply.header('cache-control', 'no-store');
      return { tenants: await c.tenantAccess.list(s.operator, host(req), scheme(req)) };
    });

    app.post('/token', { config, schema: { hide, tags, body: TokenBody, response: { 200: TokenOut } } }, async (req, reply) => {
      const s = await requireSession(c.operators, req, { csrf: true });
      reply.header('cache-control', 'no-store');
      return c.tenantAccess.mint(s.operator, req.body.tenant, host(req), scheme(req));
    });
  };
}
