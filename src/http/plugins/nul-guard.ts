import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';

/** Deep enough for any document the APIs take; deeper values are not searched (the body limit bounds the work). */
const MAX_DEPTH = 64;

function holdsNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (depth > MAX_DEPTH || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some((x) => holdsNul(x, depth + 1));
  for (const [k, x] of Object.entries(v)) if (k.includes('\u0000') || holdsNul(x, depth + 1)) return true;
  return false;
}

/**
 * Refuses U+0000 anywhere in a request's path parameters, query string or body, on every route.
 * PostgreSQL text cannot hold it (a query with one fails, and the request would end in a 500), no
 * field of either API has a use for it, and refusing it here makes both databases answer alike:
 * 400 `invalid_uri`, `invalid_query_string` or `invalid_body`.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    if (holdsNul(req.params)) throw new AppError('invalid_uri', 'Path validation error: the NUL character (U+0000) is not allowed');
    if (holdsNul(req.query)) throw new AppError('invalid_query_string', 'Query validation error: the NUL character (U+0000) is not allowed');
    if (holdsNul(req.body)) throw new AppError('invalid_body', 'Payload validation error: the NUL character (U+0000) is not allowed');
  });
}
