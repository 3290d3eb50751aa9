import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { ActiveSession, OperatorService } from '../../domain/operators/operator-service.js';

/** The session cookie. Not `__Host-`: that prefix demands `Path=/`, and this cookie is for /dashboard only. */
export const SESSION_COOKIE = 'unifone_session';
export const CSRF_HEADER = 'x-csrf-token';

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

const secure = (req: FastifyRequest) => req.protocol === 'https';

/** HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure under TLS. */
export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, sessionId: string, maxAgeSeconds: number): void {
  const attrs = [`${SESSION_COOKIE}=${sessionId}`, 'Path=/dashboard', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (secure(req)) attrs.push('Secure');
  reply.header('set-cookie', attrs.join('; '));
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  const attrs = [`${SESSION_COOKIE}=`, 'Path=/dashboard', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0'];
  if (secure(req)) attrs.push('Secure');
  reply.header('set-cookie', attrs.join('; '));
}

/**
 * The request's live session, or 401 `session_required`. With `csrf`, the `X-CSRF-Token` header must
 * carry the session's token (403 `invalid_csrf_token` otherwise): every state-changing call asks for it.
 */
export async function requireSession(
  operators: Pick<OperatorService, 'authenticate' | 'checkCsrf'>,
  req: FastifyRequest,
  opts: { csrf: boolean },
): Promise<ActiveSession & { sessionId: string }> {
  const sessionId = readCookie(req, SESSION_COOKIE);
  const active = await operators.authenticate(sessionId);
  if (!active || !sessionId) throw new AppError('session_required');
  if (opts.csrf) {
    const header = req.headers[CSRF_HEADER];
    if (!operators.checkCsrf(sessionId, typeof header === 'string' ? header : undefined)) throw new AppError('invalid_csrf_token');
  }
  return { ...active, sessionId };
}
