import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { AppError, type ErrorCode, errorCatalogue } from '../../domain/errors.js';
import { listPropertyNames } from '../../domain/property-names.js';

/** Which error body a request gets: Auth0's Management API shape, or the OAuth2 shape. */
export function isManagementPath(url: string): boolean {
  return url.startsWith('/api/v2/') || url === '/api/v2';
}

/**
 * Whether a request is for the Management API: by the route that matched (the router decodes
 * percent-escapes, so the raw URL can be spelled `/%61pi/v2/…`), or, with no route, by the decoded path.
 */
export function isManagementRequest(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  if (route !== undefined) return isManagementPath(route);
  return isManagementUrl(request.url);
}

/** Whether a raw request URL addresses the Management API, decided on its decoded path (or the raw one, if it does not decode). */
export function isManagementUrl(url: string): boolean {
  const path = url.split('?')[0]!;
  try {
    return isManagementPath(decodeURIComponent(path));
  } catch {
    return isManagementPath(path);
  }
}

/**
 * The headers of a 429, as Auth0's rate-limited answers carry them: `x-ratelimit-remaining` 0 and
 * `x-ratelimit-reset` (epoch seconds) from the `Retry-After` the refusal gave, unless it set its own
 * (the velocity limits also give `x-ratelimit-limit`; so do the refusals that count against a number).
 */
export function rateLimitHeaders(headers: Record<string, string> | undefined, nowMs: number): Record<string, string> | undefined {
  const retry = Number(headers?.['retry-after']);
  if (!headers || !Number.isFinite(retry) || headers['x-ratelimit-reset'] !== undefined) return headers;
  return { ...headers, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(nowMs / 1000) + retry) };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: AppError, management = isManagementRequest(request)): FastifyReply {
  const status = err.status;
  const headers = status === 429 ? rateLimitHeaders(err.headers, Date.now()) : err.headers;
  if (headers) reply.headers(headers);
  if (management) {
    return reply.code(status).type('application/json; charset=utf-8').send({
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message: err.message,
      errorCode: err.code,
      ...err.extra,
    });
  }
  return reply.code(status).type('application/json; charset=utf-8').send({
    error: err.code,
    error_description: err.message,
    ...err.extra,
  });
}

function describeValidation(e: FastifyError): string {
  const v = e.validation?.[0];
  if (!v) return e.message;
  const where = v.instancePath ? v.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
  const params = v.params as Record<string, unknown>;
  if (v.keyword === 'additionalProperties') {
    return `Additional properties not allowed: ${listPropertyNames([String(params['additionalProperty'])])}${where ? ` in ${where}` : ''}`;
  }
  if (v.keyword === 'required') return `Missing required property: ${where ? `${where}.` : ''}${String(params['missingProperty'])}`;
  return `${v.message ?? 'is invalid'}${where ? ` on property ${where}` : ''}`;
}

/** Maps Fastify's own errors (validation, body parsing) and thrown AppErrors to the API error bodies. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const err = e as FastifyError;
  if (err.validation) {
    const ctx = err.validationContext;
    const code: ErrorCode = ctx === 'querystring' ? 'invalid_query_string' : ctx === 'params' ? 'invalid_uri' : 'invalid_body';
    const prefix = code === 'invalid_body' ? 'Payload validation error' : code === 'invalid_uri' ? 'Path validation error' : 'Query validation error';
    return new AppError(code, `${prefix}: ${describeValidation(err)}`);
  }
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return new AppError('invalid_uri', 'Path validation error: the path is not a valid URL (a malformed percent-escape)');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('invalid_uri', 'Path validation error: a path parameter is longer than 100 characters');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('unsupported_media_type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_body', 'Payload validation error: the JSON body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_json');
    default:
      break;
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return new AppError('invalid_json');
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status === 404) return new AppError('not_found');
  if (status === 405) return new AppError('method_not_allowed');
  if (status === 413) return new AppError('payload_too_large');
  if (status === 415) return new AppError('unsupported_media_type');
  if (status === 429) return new AppError('too_many_requests');
  if (status >= 400 && status < 500) return new AppError('invalid_body', `Bad request: ${err.message}`);
  return new AppError('internal_error');
}

/**
 * Fastify's `frameworkErrors` option: the router's own refusals (a path that does not decode, a path
 * parameter past `maxParamLength`) happen before any route matched, and without it are answered in
 * Fastify's own body. The request has no route here, so the shape is decided on the raw URL.
 */
export function frameworkErrorHandler(e: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendError(request, reply, toAppError(e), isManagementUrl(request.raw.url ?? '/'));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((e, request, reply) => {
    const appErr = toAppError(e);
    if (appErr.status >= 500) request.log.error({ err: e }, 'unhandled error');
    return sendError(request, reply, appErr);
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new AppError('not_found')));
}
