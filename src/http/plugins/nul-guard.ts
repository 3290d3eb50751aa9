import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';

/** Deep enough for any document the APIs take; deeper values are not searched (the body limit bounds the work). */
const MAX_DEPTH = 64;

function holdsNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (depth > MAX_DEPTH || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some((x) => holdsNul(x, depth + 1));
  const o = v as Record<string, unknown>;
  for (const k in o) if (Object.hasOwn(o, k) && (k.includes('\u0000') || holdsNul(o[k], depth + 1))) return true;
  return false;
}

/**
 * Refuses U+0000 anywhere in a request's path parameters, query string or body, on every route.
 * PostgreSQL text cannot hold it (a query with one fails, and the request would end in a 500), no
 * field of either API has a use for it, and refusing it here makes both databases answer alike:
 * 400 `invalid_uri`, `invalid_query_string` or `invalid_body`.
 */
export function registerNulGuard(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request, and a promise per request for a
  // check that never waits is work for nothing.
  app.addHook('preValidation', (req, _reply, done) => {
    if (holdsNul(req.params)) done(new AppError('invalid_uri', 'Path validation error: the NUL character (U+0000) is not allowed'));
    else if (holdsNul(req.query)) done(new AppError('invalid_query_string', 'Query validation error: the NUL character (U+0000) is not allowed'));
    else if (holdsNul(req.body)) done(new AppError('invalid_body', 'Payload validation error: the NUL character (U+0000) is not allowed'));
    else done();
  });
}
