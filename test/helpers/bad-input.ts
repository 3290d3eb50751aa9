import assert from 'node:assert/strict';

/**
 * What the bad-input tests share: which error body a path gets, the checks of both shapes, and
 * well-formed but unknown values for the path parameters of the Management API.
 */

/** The error body a request gets: Auth0's Management API shape under /api/v2, the OAuth2 shape elsewhere. */
export type ApiFamily = 'management' | 'authentication';

/** The family of a request path (with or without its query string), decided on the decoded path as the server does. */
export function apiFamilyOf(url: string): ApiFamily {
  const raw = url.split('?')[0]!;
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {
    // a malformed escape: the server decides on the raw path too
  }
  return path === '/api/v2' || path.startsWith('/api/v2/') ? 'management' : 'authentication';
}

/** Why `body` is not a well-formed error body of `family` for `status`; undefined when it is. */
export function errorShapeProblem(family: ApiFamily, status: number, body: string, contentType: string | undefined): string | undefined {
  if (!/^application\/json\b/i.test(contentType ?? '')) return `content-type ${contentType ?? '(none)'} is not JSON`;
  let b: unknown;
  try {
    b = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  if (!b || typeof b !== 'object' || Array.isArray(b)) return 'the body is not an object';
  const o = b as Record<string, unknown>;
  if (family === 'management') {
    if (o['statusCode'] !== status) return `statusCode ${String(o['statusCode'])} is not ${status}`;
    for (const k of ['error', 'message', 'errorCode']) if (typeof o[k] !== 'string' || o[k] === '') return `"${k}" is not a non-empty string`;
    return undefined;
  }
  for (const k of ['error', 'error_description']) if (typeof o[k] !== 'string' || o[k] === '') return `"${k}" is not a non-empty string`;
  return undefined;
}

/** Asserts a Management API error: the status, and Auth0's `{statusCode, error, message, errorCode}`. */
export function assertAuth0Body(res: { statusCode: number; body: string; headers?: Record<string, unknown> }, status: number, where: string): Record<string, unknown> {
  assert.equal(res.statusCode, status, `${where} → ${res.statusCode} ${res.body}`);
  const problem = errorShapeProblem('management', status, res.body, String(res.headers?.['content-type'] ?? 'application/json'));
  assert.equal(problem, undefined, `${where}: ${problem} in ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

/** Asserts an Authentication API error: the status, and the OAuth2 `{error, error_description}`. */
export function assertOAuthBody(res: { statusCode: number; body: string; headers?: Record<string, unknown> }, status: number, where: string): Record<string, unknown> {
  assert.equal(res.statusCode, status, `${where} → ${res.statusCode} ${res.body}`);
  const problem = errorShapeProblem('authentication', status, res.body, String(res.headers?.['content-type'] ?? 'application/json'));
  assert.equal(problem, undefined, `${where}: ${problem} in ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

/**
 * Fills the path parameters of a Management API path (OpenAPI `{id}` or Fastify `:id` spelling)
 * with well-formed values that name nothing.
 */
export function wellFormedPath(path: string): string {
  return path
    .replace(/:(\w+)/g, '{$1}')
    .replace('/providers/{id}', '/providers/pro_AAAAAAAAAAAAAAAAAAAAAA')
    .replace('/templates/{id}', '/templates/tem_AAAAAAAAAAAAAAAAAAAAAA')
    .replace('/client-grants/{id}', '/client-grants/cgr_AAAAAAAAAAAAAAAAAAAAAA')
    .replace('/clients/{id}', '/clients/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
    .replace('/resource-servers/{id}', '/resource-servers/000000000000000000000000')
    .replace('/notifications/{id}', '/notifications/ntf_AAAAAAAAAAAAAAAAAAAAAA')
    .replace('/logs/{id}', '/logs/00000000000000000000000000')
    .replace('/actions/actions/{actionId}/versions/{id}', '/actions/actions/00000000-0000-4000-8000-000000000000/versions/00000000-0000-4000-8000-000000000000')
    .replace('/actions/actions/{id}', '/actions/actions/00000000-0000-4000-8000-000000000000')
    .replace('/actions/actions/{actionId}', '/actions/actions/00000000-0000-4000-8000-000000000000')
    .replace('/executions/{id}', '/executions/00000000-0000-4000-8000-000000000000')
    .replace('/users/{id}', '/users/auth0%7C000000000000000000000000')
    .replace('/user-blocks/{id}', '/user-blocks/auth0%7C000000000000000000000000')
    .replace('{authentication_method_id}', 'phone%7Cdev_AAAAAAAAAAAAAAAA')
    .replace('/guardian/enrollments/{id}', '/guardian/enrollments/dev_AAAAAAAAAAAAAAAA')
    .replace('/connections/{id}', '/connections/con_AAAAAAAAAAAAAAAA')
    .replace('/quarantines/{id}', '/quarantines/fq_00000000000000000000000000')
    .replace('/safe-prefixes/{prefix}', '/safe-prefixes/%2B4420')
    .replace('/status/{id}', '/status/ntf_AAAAAAAAAAAAAAAAAAAAAA')
    .replace('{triggerId}', 'custom-phone-provider')
    .replace('{name}', 'sms');
}
