import type { FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { FlowContext, PresentedClient } from '../../domain/auth/flows/common.js';

/** The flow context of a request: tenant, the Host (issuer and audiences), caller IP and agent. */
export function flowContext(req: FastifyRequest): FlowContext {
  return { tenant: req.tenant, host: req.hostName, ip: req.ip, userAgent: req.headers['user-agent'] };
}

/**
 * Client credentials as presented: HTTP Basic (RFC 6749 2.3.1) or `client_id`/`client_secret` in
 * the body; both at once is refused. A missing secret is left to the client's auth method to judge.
 */
export function presentedClient(req: FastifyRequest, body: { client_id?: unknown; client_secret?: unknown }): PresentedClient {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  const bodyId = typeof body.client_id === 'string' ? body.client_id : undefined;
  const bodySecret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
  if (basic) {
    if (bodySecret !== undefined) throw new AppError('invalid_request', 'Use one client authentication method, not two');
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 1) throw new AppError('invalid_client', 'Malformed HTTP Basic credentials');
    let clientId: string;
    let secret: string;
    try {
      clientId = decodeURIComponent(decoded.slice(0, i));
      secret = decodeURIComponent(decoded.slice(i + 1));
    } catch {
      throw new AppError('invalid_client', 'Malformed HTTP Basic credentials');
    }
    if (bodyId !== undefined && bodyId !== clientId) throw new AppError('invalid_request', 'client_id does not match the Authorization header');
    return { clientId, secret };
  }
  return { clientId: bodyId, secret: bodySecret };
}

/** The bearer token of the Authorization header (the mfa_token of /mfa/* calls). */
export function bearer(req: FastifyRequest): string {
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) {
    const e = new AppError('missing_authentication', header ? 'Bad HTTP authentication header format' : 'Missing authentication');
    e.headers = { 'www-authenticate': 'Bearer realm="mfa"' };
    throw e;
  }
  return m[1]!;
}
