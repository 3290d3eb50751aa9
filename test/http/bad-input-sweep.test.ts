import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';

interface Operation {
  method: string;
  path: string;
  body?: { type?: string; properties?: Record<string, { maxLength?: number; type?: string }>; additionalProperties?: unknown };
  query: string[];
  pathParams: string[];
}

/** Every Management API operation, read from the server's own OpenAPI document. */
async function managementOperations(env: TestEnv): Promise<Operation[]> {
  const doc = (await env.api('GET', '/api/v2/openapi.json')).json() as {
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Operation['body'] }> }; parameters?: Array<{ in: string; name: string }> }>>;
  };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/v2/')) continue;
    for (const [method, op] of Object.entries(methods)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        ...(op.requestBody ? { body: op.requestBody.content['application/json']?.schema } : {}),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      });
    }
  }
  return ops;
}

/** Fills path parameters with well-formed but unknown values. */
const wellFormed = (path: string) =>
  path
    .replace('/providers/{id}', '/providers/pro_AAAAAAAAAAAAAAAAAAAAAA')
    .replace('/templates/{id}', '/templates/tem_AAAAAAAAAAAAAAAAAAAAAA')
    .replace('/client-grants/{id}', '/client-grants/cgr_AAAAAAAAAAAAAAAAAAAAAA')
    .replace('/clients/{id}', '/clients/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
    .replace('/resource-servers/{id}', '/resource-servers/000000000000000000000000')
    .replace('/notifications/{id}', '/notifications/ntf_AAAAAAAAAAAAAAAAAAAAAA')
    .replace('/logs/{id}', '/logs/00000000000000000000000000')
    .replace('/actions/actions/{actionId}/versions/{id}', '/actions/actions/00000000-0000-4000-8000-000000000000/versions/00000000-0000-4000-8000-000000000000')
    .replace('/actions/actions/{id}', '/actions/actions/00000000-0000-4000-8000-000000000000')
    .replace('/executions/{id}', '/executions/00000000-0000-4000-8000-000000000000')
    .replace('/users/{id}', '/users/auth0%7C000000000000000000000000')
    .replace('/user-blocks/{id}', '/user-blocks/auth0%7C000000000000000000000000')
    .replace('{authentication_method_id}', 'phone%7Cdev_AAAAAAAAAAAAAAAA')
    .replace('/guardian/enrollments/{id}', '/guardian/enrollments/dev_AAAAAAAAAAAAAAAA')
    .replace('/connections/{id}', '/connections/con_AAAAAAAAAAAAAAAA')
    .replace('/quarantines/{id}', '/quarantines/fq_00000000000000000000000000')
    .replace('/safe-prefixes/{prefix}', '/safe-prefixes/%2B4420')
    .replace('{triggerId}', 'custom-phone-provider')
    .replace('{name}', 'sms');

function assertAuth0Body(res: { statusCode: number; body: string }, status: number, where: string): Record<string, unknown> {
  assert.equal(res.statusCode, status, `${where} → ${res.statusCode} ${res.body}`);
  const b = JSON.parse(res.body) as Record<string, unknown>;
  assert.equal(b['statusCode'], status, where);
  assert.equal(typeof b['error'], 'string', where);
  assert.equal(typeof b['message'], 'string', where);
  assert.equal(typeof b['errorCode'], 'string', where);
  return b;
}

describeEachDialect('bad input on every Management API route', (env) => {
  test('the OpenAPI document lists the Management API routes', async () => {
    const ops = await managementOperations(env());
    assert.ok(ops.length >= 40, `only ${ops.length} operations`);
  });

  test('every route refuses a missing token (401) and a token without its scope (403)', async () => {
    const { c, api } = env();
    const tenant = (await c.repos.tenants.findByName('default'))!;
    const noScopes = await c.tokenKeys.sign(tenant.id, { iss: 'https://localhost/', aud: 'https://localhost/api/v2/', sub: 'x@clients', gty: 'client-credentials', scope: '' }, 60);
    for (const op of await managementOperations(env())) {
      const url = wellFormed(op.path);
      const body = op.body ? {} : undefined;
      assertAuth0Body(await api(op.method as 'GET', url, { body }), 401, `${op.method} ${url} without token`);
      // The router decodes percent-escapes: every spelling of the path must be checked as well.
      for (const spelled of [url.replace('/api/', '/%61pi/'), url.replace('/api/v2/', '/api/%762/'), url.replace(/\/([a-z])/g, (_, ch: string) => `/%${ch.charCodeAt(0).toString(16)}`)]) {
        assertAuth0Body(await api(op.method as 'GET', spelled, { body }), 401, `${op.method} ${spelled} without token`);
      }
      const b = assertAuth0Body(await api(op.method as 'GET', url, { body, token: noScopes }), 403, `${op.method} ${url} without scope`);
      assert.equal(b['errorCode'], 'insufficient_scope');
    }
  });

  test('every route with a body refuses malformed JSON (400), other content types (415) and non-object bodies (400)', async () => {
    const { api, app } = env();
    const token = await env().token();
    for (const op of await managementOperations(env())) {
      if (!op.body) continue;
      const url = wellFormed(op.path);
      const where = `${op.method} ${url}`;
      assert.equal(assertAuth0Body(await api(op.method as 'POST', url, { token, body: '{"a":' }), 400, where)['errorCode'], 'invalid_json');
      assert.equal(assertAuth0Body(await api(op.method as 'POST', url, { token, body: '{"a":1}}' }), 400, where)['errorCode'], 'invalid_json');
      const wrongType = await app.inject({
        method: op.method as 'POST',
        url,
        headers: { host: 'localhost', authorization: `Bearer ${token}`, 'content-type': 'text/xml' },
        payload: '<a/>',
      });
      assert.equal(assertAuth0Body(wrongType, 415, where)['errorCode'], 'unsupported_media_type');
      if (op.path.endsWith('/reset')) continue; // its body is free-form (Auth0: schema `unknown`)
      const wrongShapes = op.body.type === 'array' ? ['{}', '"text"', '12', 'null'] : ['[]', '"text"', '12', 'null'];
      for (const bad of wrongShapes) {
        const res = await api(op.method as 'POST', url, { token, body: bad });
        assert.equal(assertAuth0Body(res, 400, `${where} ${bad}`)['errorCode'], 'invalid_body');
      }
    }
  });

  test('every strict body refuses unknown properties and oversized strings (400 invalid_body)', async () => {
    const { api } = env();
    const token = await env().token();
    let oversizedChecked = 0;
    for (const op of await managementOperations(env())) {
      if (!op.body || op.path.endsWith('/reset') || op.body.additionalProperties !== false) continue;
      const url = wellFormed(op.path);
      const res = await api(op.method as 'POST', url, { token, body: { zz_unknown_field: 1 } });
      assert.equal(assertAuth0Body(res, 400, `${op.method} ${url} unknown field`)['errorCode'], 'invalid_body');
      for (const [name, prop] of Object.entries(op.body.properties ?? {})) {
        if (prop.type !== 'string' || prop.maxLength === undefined) continue;
        const big = await api(op.method as 'POST', url, { token, body: { [name]: 'x'.repeat(prop.maxLength + 1) } });
        assert.equal(assertAuth0Body(big, 400, `${op.method} ${url} oversized ${name}`)['errorCode'], 'invalid_body');
        oversizedChecked++;
      }
    }
    assert.ok(oversizedChecked >= 5, `checked ${oversizedChecked} oversized fields`);
  });

  test('every id route refuses a malformed id (400 invalid_uri) and answers 404 for an unknown one', async () => {
    const { api } = env();
    const token = await env().token();
    for (const op of await managementOperations(env())) {
      if (!op.pathParams.includes('id')) continue;
      const body = op.body
        ? op.path.endsWith('/try')
          ? { to: '+14155552671' }
          : op.path.endsWith('/test')
            ? { payload: {} }
          : op.path.endsWith('/connections/{id}/clients')
            ? [{ client_id: 'x', status: false }]
          : op.path.includes('/clients/')
            ? { name: 'x' }
            : op.path.includes('client-grants')
              ? { scope: [] }
              : {}
        : undefined;
      const bad = op.path.replace('{id}', 'not-a-valid-id!');
      assert.equal(assertAuth0Body(await api(op.method as 'GET', bad, { token, body }), 400, `${op.method} ${bad}`)['errorCode'], 'invalid_uri');
      const unknown = wellFormed(op.path);
      assertAuth0Body(await api(op.method as 'GET', unknown, { token, body }), 404, `${op.method} ${unknown}`);
    }
  });

  test('every route with a query schema refuses unknown or mistyped parameters (400 invalid_query_string)', async () => {
    const { api } = env();
    const token = await env().token();
    let checked = 0;
    for (const op of await managementOperations(env())) {
      if (op.query.length === 0 || op.method !== 'GET') continue;
      const url = wellFormed(op.path);
      const res = await api('GET', `${url}?zz_unknown=1`, { token });
      assert.equal(assertAuth0Body(res, 400, `GET ${url}?zz_unknown=1`)['errorCode'], 'invalid_query_string');
      const typed = op.query.find((q) => ['disabled', 'include_totals', 'page', 'per_page'].includes(q));
      if (typed) {
        const res2 = await api('GET', `${url}?${typed}=banana`, { token });
        assert.equal(assertAuth0Body(res2, 400, `GET ${url}?${typed}=banana`)['errorCode'], 'invalid_query_string');
      }
      checked++;
    }
    assert.ok(checked >= 4);
  });
});
