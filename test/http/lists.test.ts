import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect } from '../helpers/harness.js';

/** Auth0's list parameters and the properties configuration tools (Deploy CLI, Terraform) round-trip. */
describeEachDialect('Management API lists and config round-trips', (env) => {
  const get = async (url: string, token?: string, host?: string) => {
    const res = await env().api('GET', url, { token: token ?? (await env().token()), ...(host ? { host } : {}) });
    return res;
  };

  test("the Deploy CLI's list requests answer 200 with Auth0's paged bodies", async () => {
    const token = await env().token();
    const cl = await env().api('POST', '/api/v2/clients', { token, body: { name: 'deploy-cli-app' } });
    assert.equal(cl.statusCode, 201, cl.body);

    const clients = await get('/api/v2/clients?is_global=false&include_totals=true&page=0&per_page=50', token);
    assert.equal(clients.statusCode, 200, clients.body);
    const cb = clients.json();
    assert.deepEqual(Object.keys(cb).sort(), ['clients', 'length', 'limit', 'start', 'total']);
    assert.equal(cb.start, 0);
    assert.equal(cb.limit, 50);
    assert.equal(cb.total, cb.clients.length);
    assert.equal(cb.length, cb.clients.length);
    assert.ok(cb.clients.some((c: { client_id: string }) => c.client_id === cl.json().client_id));
    assert.ok(cb.clients.every((c: { global: boolean }) => c.global === false));

    const connections = await get('/api/v2/connections?include_totals=true&page=0&per_page=50', token);
    assert.equal(connections.statusCode, 200, connections.body);
    assert.deepEqual(Object.keys(connections.json()).sort(), ['connections', 'length', 'limit', 'start', 'total']);
    assert.ok(connections.json().total >= 2, 'the default connections are listed');
    const dbOnly = await get('/api/v2/connections?strategy=auth0&include_totals=true&page=0&per_page=50', token);
    assert.deepEqual(dbOnly.json().connections.map((c: { strategy: string }) => c.strategy), ['auth0']);
    const both = await get('/api/v2/connections?strategy=auth0&strategy=sms', token);
    assert.deepEqual(both.json().map((c: { strategy: string }) => c.strategy).sort(), ['auth0', 'sms']);
    assert.deepEqual((await get('/api/v2/connections?strategy=google-oauth2', token)).json(), []);
    const byName = await get('/api/v2/connections?name=sms', token);
    assert.deepEqual(byName.json().map((c: { name: string }) => c.name), ['sms']);

    const grants = await get('/api/v2/client-grants?include_totals=true&page=0&per_page=50', token);
    assert.equal(grants.statusCode, 200, grants.body);
    assert.deepEqual(Object.keys(grants.json()).sort(), ['client_grants', 'length', 'limit', 'start', 'total']);
    assert.ok(grants.json().total >= 1, 'the bootstrap grant is listed');

    const actions = await get('/api/v2/actions/actions?include_totals=true&page=0&per_page=100', token);
    assert.equal(actions.statusCode, 200, actions.body);
    assert.deepEqual(Object.keys(actions.json()).sort(), ['actions', 'page', 'per_page', 'total']);
    assert.deepEqual((await get('/api/v2/actions/actions?installed=true', token)).json().actions, []);
    const bindings = await get('/api/v2/actions/triggers/custom-phone-provider/bindings?include_totals=true&page=0&per_page=50', token);
    assert.equal(bindings.statusCode, 200, bindings.body);
    assert.deepEqual(Object.keys(bindings.json()).sort(), ['bindings', 'page', 'per_page', 'total']);

    const apis = await get('/api/v2/resource-servers?include_totals=true&page=0&per_page=50', token);
    assert.equal(apis.statusCode, 200, apis.body);
    assert.deepEqual(Object.keys(apis.json()).sort(), ['length', 'limit', 'resource_servers', 'start', 'total']);
  });

  test('client filters: is_global, is_first_party, app_type (a comma list), q', async () => {
    const token = await env().token();
    const spa = (await env().api('POST', '/api/v2/clients', { token, body: { name: 'filter-spa', app_type: 'spa', is_first_party: false } })).json();
    const ids = (b: Array<{ client_id: string }>) => b.map((c) => c.client_id);
    assert.deepEqual((await get('/api/v2/clients?is_global=true', token)).json(), []);
    assert.deepEqual(ids((await get('/api/v2/clients?is_first_party=false', token)).json()), [spa.client_id]);
    assert.deepEqual(ids((await get('/api/v2/clients?app_type=spa,native', token)).json()), [spa.client_id]);
    assert.ok(!ids((await get('/api/v2/clients?app_type=non_interactive', token)).json()).includes(spa.client_id));
    assert.deepEqual((await get('/api/v2/clients?q=client_grant.organization_id:org_1', token)).json(), []);
    const badQ = await get('/api/v2/clients?q=name:x', token);
    assert.equal(badQ.statusCode, 400);
    assert.equal(badQ.json().errorCode, 'invalid_query_string');
  });

  test('unknown query parameters are refused with the Auth0 400 body; wrong types too', async () => {
    const token = await env().token();
    for (const url of [
      '/api/v2/clients?nope=1',
      '/api/v2/connections?nope=1',
      '/api/v2/client-grants?nope=1',
      '/api/v2/resource-servers?nope=1',
      '/api/v2/actions/actions?nope=1',
      '/api/v2/clients?per_page=101',
      '/api/v2/clients?take=0',
      '/api/v2/connections?include_totals=maybe',
      '/api/v2/client-grants?from=%%%',
      '/api/v2/client-grants?from=bm90LWEtY3Vyc29y',
    ]) {
      const res = await get(url, token);
      assert.equal(res.statusCode, 400, `${url} → ${res.body}`);
      const b = res.json();
      assert.deepEqual([b.statusCode, b.error, b.errorCode], [400, 'Bad Request', 'invalid_query_string'], url);
      assert.match(b.message, /^Query validation error/);
    }
  });

  test('fields / include_fields trim lists and single objects', async () => {
    const token = await env().token();
    const c = (await env().api('POST', '/api/v2/clients', { token, body: { name: 'fields-app', logo_uri: 'https://x.example/l.png' } })).json();
    const only = await get(`/api/v2/clients/${c.client_id}?fields=client_id,name`, token);
    assert.deepEqual(only.json(), { client_id: c.client_id, name: 'fields-app' });
    const without = (await get(`/api/v2/clients/${c.client_id}?fields=client_secret,logo_uri&include_fields=false`, token)).json();
    assert.equal(without.client_secret, undefined);
    assert.equal(without.logo_uri, undefined);
    assert.equal(without.name, 'fields-app');
    const list = (await get('/api/v2/clients?fields=client_id&include_totals=true', token)).json();
    for (const item of list.clients) assert.deepEqual(Object.keys(item), ['client_id']);
    const conns = (await get('/api/v2/connections?fields=name,strategy', token)).json();
    for (const item of conns) assert.deepEqual(Object.keys(item).sort(), ['name', 'strategy']);
    const conn = conns[0];
    const oneConn = (await get('/api/v2/connections?name=' + conn.name, token)).json()[0];
    assert.deepEqual((await get(`/api/v2/connections/${oneConn.id}?fields=id`, token)).json(), { id: oneConn.id });
    const settings = (await get('/api/v2/tenants/settings?fields=friendly_name', token)).json();
    assert.deepEqual(Object.keys(settings), ['friendly_name']);

    // Users and logs take them too.
    const user = await env().api('POST', '/api/v2/users', { token, body: { connection: 'Username-Password-Authentication', email: 'fields@example.com', password: 'Fields-passw0rd-1' } });
    assert.equal(user.statusCode, 201, user.body);
    const users = (await get('/api/v2/users?fields=user_id,email&include_totals=true', token)).json();
    assert.deepEqual(users.users.map((u: object) => Object.keys(u).sort()), [['email', 'user_id']]);
    const one = (await get(`/api/v2/users/${encodeURIComponent(user.json().user_id)}?fields=identities&include_fields=false`, token)).json();
    assert.equal(one.identities, undefined);
    assert.equal(one.email, 'fields@example.com');
    // Auth0's sort (field:1|-1) and primary_order.
    await env().api('POST', '/api/v2/users', { token, body: { connection: 'Username-Password-Authentication', email: 'a-fields@example.com', password: 'Fields-passw0rd-2' } });
    const byEmail = async (order: string) => ((await get(`/api/v2/users?sort=email:${order}&primary_order=true&fields=email`, token)).json() as Array<{ email: string }>).map((u) => u.email);
    assert.deepEqual(await byEmail('1'), ['a-fields@example.com', 'fields@example.com']);
    assert.deepEqual(await byEmail('-1'), ['fields@example.com', 'a-fields@example.com']);
    assert.equal((await get('/api/v2/users?sort=password_hash:1', token)).statusCode, 400, 'only the listed fields sort');
    const tenant = (await env().c.repos.tenants.findByName('default'))!;
    await env().c.repos.logs.insert(tenant.id, { log_id: '90020261204000000000000000000001', date: new Date().toISOString(), type: 'fp', description: 'Wrong email or password.', client_id: null, client_name: null, ip: '203.0.113.9', user_id: null, details: {} });
    const logs = (await get('/api/v2/logs?fields=log_id,type', token)).json() as object[];
    assert.ok(logs.length > 0);
    for (const l of logs) assert.deepEqual(Object.keys(l).sort(), ['log_id', 'type']);
  });

  test('checkpoint pagination (from/take) walks every item once, on clients, connections and client grants', async () => {
    const token = await env().token();
    for (let i = 0; i < 5; i++) {
      const c = (await env().api('POST', '/api/v2/clients', { token, body: { name: `walk-${i}` } })).json();
      const g = await env().api('POST', '/api/v2/client-grants', { token, body: { client_id: c.client_id, audience: 'https://localhost/api/v2/', scope: ['read:clients'] } });
      assert.equal(g.statusCode, 201, g.body);
    }
    for (const [path, key, id] of [
      ['/api/v2/clients', 'clients', 'client_id'],
      ['/api/v2/client-grants', 'client_grants', 'id'],
      ['/api/v2/connections', 'connections', 'id'],
    ] as const) {
      const everything = (await get(`${path}?per_page=100`, token)).json() as Array<Record<string, string>>;
      const seen: string[] = [];
      let from: string | undefined;
      for (let round = 0; round < 50; round++) {
        const res = await get(`${path}?include_totals=true&take=2${from ? `&from=${from}` : ''}`, token);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        assert.deepEqual(Object.keys(body).filter((k) => k !== 'next'), [key], `${path}: checkpoint shape`);
        assert.ok(body[key].length <= 2);
        seen.push(...body[key].map((x: Record<string, string>) => x[id]));
        if (body.next === undefined) break;
        from = body.next;
      }
      assert.deepEqual(seen, everything.map((x) => x[id]!), `${path}: every item once, in list order`);
      assert.ok(seen.length >= 2);
    }
  });

  test('offset paging: page and per_page select the window; totals count the whole list', async () => {
    const token = await env().token();
    const all = (await get('/api/v2/clients?per_page=100', token)).json() as Array<{ client_id: string }>;
    assert.ok(all.length >= 3);
    const p1 = (await get('/api/v2/clients?page=1&per_page=2&include_totals=true', token)).json();
    assert.equal(p1.start, 2);
    assert.equal(p1.limit, 2);
    assert.equal(p1.total, all.length);
    assert.deepEqual(p1.clients.map((c: { client_id: string }) => c.client_id), all.slice(2, 4).map((c) => c.client_id));
    const grants = (await get('/api/v2/client-grants?page=0&per_page=1', token)).json();
    assert.equal(grants.length, 1);
  });
});
