import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect } from '../helpers/harness.js';

describeEachDialect('/api/v2/clients and /api/v2/client-grants', (env) => {
  test('create, get, list, update, rotate and delete an application', async () => {
    const { api } = env();
    const token = await env().token();
    const created = await api('POST', '/api/v2/clients', {
      token,
      body: { name: 'My App', app_type: 'regular_web', client_metadata: { team: 'phones' }, callbacks: ['https://app.example/cb'] },
    });
    assert.equal(created.statusCode, 201, created.body);
    const c = created.json();
    assert.match(c.client_id, /^[A-Za-z0-9]{32}$/);
    assert.match(c.client_secret, /^[A-Za-z0-9]{64}$/);
    assert.equal(c.tenant, 'default');
    assert.deepEqual(c.client_metadata, { team: 'phones' });
    assert.deepEqual(c.grant_types, ['client_credentials']);

    const got = await api('GET', `/api/v2/clients/${c.client_id}`, { token });
    assert.equal(got.statusCode, 200);
    assert.equal(got.json().client_secret, c.client_secret, 'read:client_keys shows the secret');
    const noKeys = await env().token(['read:clients']);
    assert.equal((await api('GET', `/api/v2/clients/${c.client_id}`, { token: noKeys })).json().client_secret, undefined);

    const page = await api('GET', '/api/v2/clients?include_totals=true&per_page=1&page=1', { token });
    assert.equal(page.statusCode, 200, page.body);
    assert.equal(page.json().total, 2);
    assert.equal(page.json().clients.length, 1);
    assert.equal(page.json().clients[0].client_id, c.client_id);

    const patched = await api('PATCH', `/api/v2/clients/${c.client_id}`, { token, body: { name: 'Renamed', grant_types: ['password', 'client_credentials'] } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().name, 'Renamed');
    assert.deepEqual(patched.json().client_metadata, { team: 'phones' }, 'PATCH is partial');

    const updateOnly = await env().token(['update:clients']);
    const refused = await api('POST', `/api/v2/clients/${c.client_id}/rotate-secret`, { token: updateOnly });
    assert.equal(refused.statusCode, 403, 'update:clients alone cannot rotate (and so read) a secret');
    assert.equal(refused.json().errorCode, 'insufficient_scope');
    const rotated = await api('POST', `/api/v2/clients/${c.client_id}/rotate-secret`, { token: await env().token(['update:client_keys']) });
    assert.equal(rotated.statusCode, 200, rotated.body);
    assert.notEqual(rotated.json().client_secret, c.client_secret);

    assert.equal((await api('DELETE', `/api/v2/clients/${c.client_id}`, { token })).statusCode, 204);
    const gone = await api('GET', `/api/v2/clients/${c.client_id}`, { token });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().errorCode, 'inexistent_client');
  });

  test('client grants created concurrently: one 201, the others 409 (never a 500)', async () => {
    const { api } = env();
    const token = await env().token();
    const client = (await api('POST', '/api/v2/clients', { token, body: { name: 'racer' } })).json();
    const body = { client_id: client.client_id, audience: 'https://localhost/api/v2/', scope: ['read:clients'] };
    const results = await Promise.all(Array.from({ length: 4 }, () => api('POST', '/api/v2/client-grants', { token, body })));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409]);
    for (const r of results.filter((x) => x.statusCode === 409)) assert.equal(r.json().errorCode, 'client_grant_conflict');
    // The race itself, made certain: the insert that loses to the unique constraint says conflict.
    const tenant = (await env().c.repos.tenants.findByName('default'))!;
    const dup = { id: 'cgr_RACERRACERRACERRACER00', clientId: client.client_id, audience: body.audience, scope: ['read:clients'], createdAt: new Date().toISOString() };
    await assert.rejects(env().c.repos.clientGrants.insert(tenant.id, dup), (e: unknown) => (e as { code?: string }).code === 'client_grant_conflict');
  });

  test('client grants: create, 409 on a duplicate, list by client, narrow scopes, delete', async () => {
    const { api } = env();
    const token = await env().token();
    const client = (await api('POST', '/api/v2/clients', { token, body: { name: 'm2m' } })).json();
    const body = { client_id: client.client_id, audience: 'https://localhost/api/v2/', scope: ['read:phone_providers', 'read:phone_templates'] };
    const created = await api('POST', '/api/v2/client-grants', { token, body });
    assert.equal(created.statusCode, 201, created.body);
    const g = created.json();
    assert.match(g.id, /^cgr_[A-Za-z0-9]{22}$/);
    assert.equal((await api('POST', '/api/v2/client-grants', { token, body })).statusCode, 409);

    // The grant lets the client get a token with exactly those scopes.
    const tok = await api('POST', '/oauth/token', {
      body: { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, audience: 'https://localhost/api/v2/' },
    });
    assert.equal(tok.json().scope, 'read:phone_providers read:phone_templates');

    const listed = await api('GET', `/api/v2/client-grants?client_id=${client.client_id}`, { token });
    assert.deepEqual(listed.json(), [g]);
    const narrowed = await api('PATCH', `/api/v2/client-grants/${g.id}`, { token, body: { scope: ['read:phone_templates'] } });
    assert.deepEqual(narrowed.json().scope, ['read:phone_templates']);
    assert.equal((await api('DELETE', `/api/v2/client-grants/${g.id}`, { token })).statusCode, 204);
    assert.equal((await api('DELETE', `/api/v2/client-grants/${g.id}`, { token })).statusCode, 404);
    const denied = await api('POST', '/oauth/token', {
      body: { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, audience: 'https://localhost/api/v2/' },
    });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().error, 'access_denied');
  });

  test('bad input on clients and grants answers 400/404/415 with the Auth0 body', async () => {
    const { api, app } = env();
    const token = await env().token();
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/api/v2/clients', {}, 400, 'invalid_body'],
      ['POST', '/api/v2/clients', { name: 'x', extra: 1 }, 400, 'invalid_body'],
      ['POST', '/api/v2/clients', { name: 7 }, 400, 'invalid_body'],
      ['POST', '/api/v2/clients', { name: 'x'.repeat(256) }, 400, 'invalid_body'],
      ['POST', '/api/v2/clients', { name: 'x', app_type: 'robot' }, 400, 'invalid_body'],
      ['POST', '/api/v2/clients', { name: 'x', grant_types: ['no_such_grant'] }, 400, 'invalid_body'],
      ['POST', '/api/v2/clients', '{"name":', 400, 'invalid_json'],
      ['POST', '/api/v2/clients', '{"__proto__":{"x":1},"name":"a"}', 400, 'invalid_json'],
      ['GET', '/api/v2/clients/not%20an%20id', undefined, 400, 'invalid_uri'],
      ['GET', '/api/v2/clients/abc', undefined, 404, 'inexistent_client'],
      ['GET', '/api/v2/clients?per_page=1000', undefined, 400, 'invalid_query_string'],
      ['GET', '/api/v2/clients?nope=1', undefined, 400, 'invalid_query_string'],
      ['POST', '/api/v2/client-grants', { client_id: 'abc', audience: 'https://localhost/api/v2/', scope: [] }, 404, 'inexistent_client'],
      ['POST', '/api/v2/client-grants', { client_id: 'abc', audience: 'https://x/other', scope: [] }, 404, 'inexistent_resource_server'],
      ['POST', '/api/v2/client-grants', { client_id: 'abc', audience: 'https://localhost/api/v2/', scope: ['fly:away'] }, 400, 'invalid_body'],
      ['PATCH', '/api/v2/client-grants/cgr_1', { scope: [] }, 400, 'invalid_uri'],
      ['GET', '/api/v2/nothing-here', undefined, 404, 'not_found'],
    ];
    for (const [method, url, body, status, code] of cases) {
      const res = await api(method as 'GET', url, { token, body });
      assert.equal(res.statusCode, status, `${method} ${url} ${JSON.stringify(body)} → ${res.body}`);
      const b = res.json();
      assert.equal(b.statusCode, status);
      assert.equal(b.errorCode, code, res.body);
      assert.equal(typeof b.message, 'string');
      assert.equal(typeof b.error, 'string');
    }
    const wrongType = await app.inject({
      method: 'POST',
      url: '/api/v2/clients',
      headers: { host: 'localhost', authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    assert.equal(wrongType.statusCode, 415);
    assert.equal(wrongType.json().errorCode, 'unsupported_media_type');
    const form = await app.inject({
      method: 'POST',
      url: '/api/v2/clients',
      headers: { host: 'localhost', authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x',
    });
    assert.equal(form.statusCode, 415);
  });
});
