import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAuth0Body, assertOAuthBody, wellFormedPath } from '../helpers/bad-input.js';
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
      const url = wellFormedPath(op.path);
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
      const url = wellFormedPath(op.path);
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
      const url = wellFormedPath(op.path);
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
      const unknown = wellFormedPath(op.path);
      assertAuth0Body(await api(op.method as 'GET', unknown, { token, body }), 404, `${op.method} ${unknown}`);
    }
  });

  test('every route with a query schema refuses unknown or mistyped parameters (400 invalid_query_string)', async () => {
    const { api } = env();
    const token = await env().token();
    let checked = 0;
    for (const op of await managementOperations(env())) {
      if (op.query.length === 0 || op.method !== 'GET') continue;
      const url = wellFormedPath(op.path);
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

  test('a path that does not decode, or an overlong path parameter, gets the API error body (400 invalid_uri)', async () => {
    const { api } = env();
    const token = await env().token();
    for (const url of ['/api/v2/clients/%ff', '/api/v2/users/%ed%a0%80', '/api/v2/actions/actions/%', `/api/v2/clients/${'x'.repeat(101)}`, `/api/v2/actions/actions/${'y'.repeat(3000)}/versions`]) {
      for (const t of [token, undefined]) {
        const b = assertAuth0Body(await api('GET', url, { ...(t ? { token: t } : {}) }), 400, `GET ${url.slice(0, 60)}`);
        assert.equal(b['errorCode'], 'invalid_uri');
      }
    }
    for (const [method, url] of [['DELETE', '/mfa/authenticators/%c0%af'], ['POST', '/webhooks/twilio/status/%zz'], ['GET', '/dashboard/assets/%ff'], ['DELETE', `/mfa/authenticators/${'z'.repeat(101)}`]] as const) {
      assert.equal(assertOAuthBody(await api(method, url), 400, `${method} ${url.slice(0, 60)}`)['error'], 'invalid_uri');
    }
  });

  test('the NUL character in a path, a query string or a body is refused (400) on both databases', async () => {
    const { api } = env();
    const token = await env().token();
    const cases: Array<[string, string, unknown, string]> = [
      ['GET', '/api/v2/users/auth0%7C%00', undefined, 'invalid_uri'],
      ['GET', '/api/v2/users?q=phone_number%3A%00', undefined, 'invalid_query_string'],
      ['GET', '/api/v2/user-blocks?identifier=%2B1415%00', undefined, 'invalid_query_string'],
      ['POST', '/api/v2/clients', { name: 'a\u0000b' }, 'invalid_body'],
      ['PATCH', '/api/v2/tenants/settings', { friendly_name: 'x', flags: { '\u0000': true } }, 'invalid_body'],
    ];
    for (const [method, url, body, code] of cases) {
      assert.equal(assertAuth0Body(await api(method as 'GET', url, { token, body }), 400, `${method} ${url}`)['errorCode'], code);
    }
  });
});
