import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { TenantRecord, TokenKeys } from '../../domain/ports.js';
import type { ManagementScope } from '../../domain/scopes.js';
import { managementAudience } from '../../domain/scopes.js';
import { normalizeHost, type TenantService } from '../../domain/tenants/tenant-service.js';
import { isManagementPath, isManagementRequest } from './error-handler.js';

export interface Principal {
  clientId: string;
  scopes: ReadonlySet<string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant this request addresses (from its Host). Set for every route but the global ones. */
    tenant: TenantRecord;
    /** The lower-cased Host header. */
    hostName: string;
    /** The Management API caller, set on `/api/v2` routes after the token was checked. */
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** The scope a Management API route requires. Every `/api/v2` route must name one, or be `public`. */
    scope?: ManagementScope;
    /** A route that needs no token (documents, health). */
    public?: boolean;
    /** A route that is not bound to a tenant (health, metrics). */
    global?: boolean;
  }
}

/**
 * Resolves the tenant of every request from its Host header, and on Management API routes checks the
 * bearer token (signature with that tenant's keys, issuer, audience, expiry) and the route's scope.
 * A Management API route that declares neither a scope nor `public` refuses to register, so no route
 * can be left unprotected by omission.
 */
export interface RequestContextDeps {
  tenants: Pick<TenantService, 'resolve' | 'hostsOf'>;
  tokenKeys: Pick<TokenKeys, 'verify'>;
}

/**
 * The scopes of a verified token's payload. A token verified before comes back as the same payload
 * object (the keys' cache), so its set is made once: a token with every scope holds 59, split
 * and put in a set on every Management API request before.
 */
const scopeSets = new WeakMap<object, ReadonlySet<string>>();
function scopesOf(payload: Record<string, unknown>): ReadonlySet<string> {
  let scopes = scopeSets.get(payload);
  if (!scopes) {
    scopes = new Set(typeof payload['scope'] === 'string' ? payload['scope'].split(' ').filter(Boolean) : []);
    scopeSets.set(payload, scopes);
  }
  return scopes;
}

export function registerRequestContext(app: FastifyInstance, c: RequestContextDeps): void {
  app.decorateRequest('tenant', null as unknown as TenantRecord);
  app.decorateRequest('hostName', '');
  app.decorateRequest('principal', undefined);

  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    if (!isManagementPath(url)) return;
    const cfg = (route.config ?? {}) as { scope?: string; public?: boolean };
    if (!cfg.scope && !cfg.public) throw new Error(`Management API route ${route.method} ${url} declares no scope`);
  });

  app.addHook('onRequest', async (request) => {
    const cfg = request.routeOptions.config;
    if (cfg.global) return;
    request.hostName = normalizeHost(request.headers.host);
    const tenant = await c.tenants.resolve(request.hostName);
    if (!tenant) throw new AppError('inexistent_tenant');
    request.tenant = tenant;

    // Decided by the route that matched, never by the raw URL: the router decodes the path, so
    // `/%61pi/v2/clients` reaches the `/api/v2/clients` handler. Every Management API route names a
    // scope (or is public: see onRoute above), so a scope means a token is needed, whatever the spelling.
    if (cfg.public || !(cfg.scope || isManagementRequest(request))) return;
    const header = request.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      const e = new AppError('missing_authentication', header ? 'Bad HTTP authentication header format' : 'Missing authentication');
      e.headers = { 'www-authenticate': 'Bearer realm="api"' };
      throw e;
    }
    const hosts = await c.tenants.hostsOf(tenant, request.hostName);
    const payload = await c.tokenKeys.verify(tenant.id, m[1]!, {
      issuers: hosts.map((h) => `https://${h}/`),
      audiences: hosts.map(managementAudience),
    });
    // Only client-credentials tokens address the Management API: a user's token never does, whatever its audience.
    if (!payload || typeof payload.sub !== 'string' || payload['gty'] !== 'client-credentials') {
      const e = new AppError('invalid_token');
      e.headers = { 'www-authenticate': 'Bearer realm="api", error="invalid_token"' };
      throw e;
    }
    const scopes = scopesOf(payload);
    request.principal = { clientId: String(payload['azp'] ?? payload.sub.replace(/@clients$/, '')), scopes };
    const required = cfg.scope;
    if (required && !scopes.has(required)) {
      throw new AppError('insufficient_scope', `Insufficient scope, expected any of: ${required}`);
    }
  });
}
