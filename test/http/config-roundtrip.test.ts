import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect } from '../helpers/harness.js';

/** What Auth0's configuration tools export comes back unchanged: clients, client grants, tenant settings, resource servers. */
describeEachDialect('config round-trips and resource servers', (env) => {
  /** Every property the Deploy CLI exports for an application, with values of each documented shape. */
  const CLIENT = {
    name: 'Round Trip App',
    description: 'every property',
    app_type: 'regular_web',
    is_first_party: true,
    grant_types: ['client_credentials', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    client_metadata: { team: 'phones' },
    callbacks: ['https://app.example/callback'],
    logo_uri: 'https://app.example/logo.png',
    allowed_origins: ['https://app.example'],
    web_origins: ['https://app.example', 'https://www.app.example'],
    allowed_logout_urls: ['https://app.example/bye'],
    allowed_clients: ['abcdefabcdefabcdefabcdefabcdef12'],
    client_aliases: ['rt'],
    jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 36000, secret_encoded: false, scopes: {} },
    oidc_conformant: true,
    refresh_token: {
      rotation_type: 'rotating',
      expiration_type: 'expiring',
      leeway: 0,
      token_lifetime: 2592000,
      infinite_token_lifetime: false,
      idle_token_lifetime: 1296000,
      infinite_idle_token_lifetime: false,
    },
    cross_origin_authentication: false,
    sso: false,
    sso_disabled: false,
    custom_login_page_on: true,
    native_social_login: { apple: { enabled: false }, facebook: { enabled: false }, google: { enabled: true } },
    organization_usage: 'deny',
    organization_require_behavior: 'no_prompt',
    initiate_login_uri: 'https://app.example/login',
    mobile: { android: { app_package_name: 'com.example', sha256_cert_fingerprints: [] }, ios: { team_id: 'T', app_bundle_identifier: 'com.example' } },
    addons: { samlp: { audience: 'urn:x', mappings: { email: 'mail' } } },
    encryption_key: null,
    oidc_logout: { backchannel_logout_urls: ['https://app.example/bc'], backchannel_logout_initiators: { mode: 'all' } },
    require_pushed_authorization_requests: false,
    compliance_level: null,
    par_request_expiry: 60,
    is_token_endpoint_ip_header_trusted: false,
  };

  const sameValues = (got: Record<string, unknown>, sent: Record<string, unknown>, what: string) => {
    for (const [k, v] of Object.entries(sent)) assert.equal(JSON.stringify(got[k]), JSON.stringify(v), `${what}: ${k}`);
  };

  test('every client property round-trips byte for byte through POST, GET, list and PATCH', async () => {
    const { api } = env();
    const token = await env().token();
    const created = await api('POST', '/api/v2/clients', { token, body: CLIENT });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().client_id as string;
    sameValues(created.json(), CLIENT, 'POST');
    sameValues((await api('GET', `/api/v2/clients/${id}`, { token })).json(), CLIENT, 'GET');
    const listed = (await api('GET', '/api/v2/clients?per_page=100', { token })).json().find((c: { client_id: string }) => c.client_id === id);
    sameValues(listed, CLIENT, 'list');

    const patch = {
      web_origins: [],
      jwt_configuration: { alg: 'HS256', lifetime_in_seconds: 60 },
      refresh_token: null,
      organization_usage: 'allow',
      sso: true,
    };
    const patched = await api('PATCH', `/api/v2/clients/${id}`, { token, body: patch });
    assert.equal(patched.statusCode, 200, patched.body);
    const after = (await api('GET', `/api/v2/clients/${id}`, { token })).json();
    // jwt_configuration is replaced whole, but secret_encoded is fixed at creation (as Auth0's).
    sameValues(after, { ...patch, jwt_configuration: { ...patch.jwt_configuration, secret_encoded: false } }, 'PATCH');
    const changed = await api('PATCH', `/api/v2/clients/${id}`, { token, body: { jwt_configuration: { alg: 'HS256', secret_encoded: true } } });
    assert.equal(changed.statusCode, 400, changed.body);
    assert.match(changed.json().message, /secret_encoded cannot be changed/);
    const { web_origins: _w, jwt_configuration: _j, refresh_token: _r, organization_usage: _o, sso: _s, ...untouched } = CLIENT;
    sameValues(after, untouched, 'PATCH keeps the others');
  });

  test('client properties are checked by type (400 invalid_body)', async () => {
    const { api } = env();
    const token = await env().token();
    for (const bad of [
      { oidc_conformant: 'yes' },
      { web_origins: 'https://x' },
      { jwt_configuration: { alg: 'none' } },
      { organization_usage: 'sometimes' },
      { refresh_token: { rotation_type: 'rotating' } },
      { native_social_login: { apple: { enabled: 'no' } } },
      { par_request_expiry: 1 },
      { no_such_property: true },
    ]) {
      const res = await api('POST', '/api/v2/clients', { token, body: { name: 'typed', ...bad } });
      assert.equal(res.statusCode, 400, `${JSON.stringify(bad)} → ${res.body}`);
      assert.equal(res.json().errorCode, 'invalid_body');
    }
  });

  test('tenant settings: the exported settings round-trip; null removes one; behaviour settings unchanged', async () => {
    const { api } = env();
    const token = await env().token();
    const settings = {
      friendly_name: 'Round Trip Inc',
      support_email: 'help@rt.example',
      flags: { enable_client_connections: false, revoke_refresh_token_grant: false },
      session_lifetime: 168,
      idle_session_lifetime: 72,
      sandbox_version: '18',
      default_audience: '',
      error_page: { html: '', show_log_link: false, url: 'https://rt.example/error' },
      session_cookie: { mode: 'non-persistent' },
      allowed_logout_urls: ['https://rt.example'],
    };
    const res = await api('PATCH', '/api/v2/tenants/settings', { token, body: settings });
    assert.equal(res.statusCode, 200, res.body);
    const got = (await api('GET', '/api/v2/tenants/settings', { token })).json();
    sameValues(got, settings, 'tenant settings');
    assert.equal((await api('PATCH', '/api/v2/tenants/settings', { token, body: { session_cookie: null } })).statusCode, 200);
    const after = (await api('GET', '/api/v2/tenants/settings', { token })).json();
    assert.equal(after.session_cookie, undefined);
    assert.deepEqual(after.flags, settings.flags);
    const bad = await api('PATCH', '/api/v2/tenants/settings', { token, body: { flags: { x: 'yes' } } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errorCode, 'invalid_body');
    const other = await env().createTenant('rt-other', 'rt-other.example');
    const theirs = (await api('GET', '/api/v2/tenants/settings', { token: other.token, host: 'rt-other.example' })).json();
    assert.equal(theirs.flags, undefined, "another tenant does not see this tenant's settings");
  });

  test('resource servers: CRUD, unique identifier, system Management API, client grants to them', async () => {
    const { api } = env();
    const token = await env().token();
    const body = {
      identifier: 'https://api.rt.example',
      name: 'RT API',
      scopes: [{ value: 'read:things', description: 'Read things' }],
      signing_alg: 'RS256',
      token_lifetime: 3600,
      allow_offline_access: true,
      skip_consent_for_verifiable_first_party_clients: true,
    };
    const created = await api('POST', '/api/v2/resource-servers', { token, body });
    assert.equal(created.statusCode, 201, created.body);
    const rs = created.json();
    assert.match(rs.id, /^[0-9a-f]{24}$/);
    sameValues(rs, body, 'POST');
    assert.equal(rs.token_lifetime_for_web, 7200, "Auth0's default for a property left out");
    sameValues((await api('GET', `/api/v2/resource-servers/${rs.id}`, { token })).json(), body, 'GET');

    const dup = await api('POST', '/api/v2/resource-servers', { token, body: { identifier: body.identifier } });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().errorCode, 'resource_server_conflict');
    assert.equal((await api('POST', '/api/v2/resource-servers', { token, body: { identifier: 'https://localhost/api/v2/' } })).statusCode, 409);
    const noId = await api('POST', '/api/v2/resource-servers', { token, body: { name: 'x' } });
    assert.equal(noId.statusCode, 400);
    assert.equal((await api('PATCH', `/api/v2/resource-servers/${rs.id}`, { token, body: { identifier: 'https://other' } })).statusCode, 400, 'identifier cannot change');

    const patched = await api('PATCH', `/api/v2/resource-servers/${rs.id}`, { token, body: { name: 'RT API v2', token_lifetime: 7200 } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().name, 'RT API v2');
    assert.deepEqual(patched.json().scopes, body.scopes);

    const list = (await api('GET', '/api/v2/resource-servers?include_totals=true', { token })).json();
    assert.equal(list.total, 2);
    const system = list.resource_servers.find((r: { is_system?: boolean }) => r.is_system === true);
    assert.equal(system.identifier, 'https://localhost/api/v2/');
    assert.equal(system.name, 'Auth0 Management API');
    assert.ok(system.scopes.some((s: { value: string }) => s.value === 'read:clients'));
    assert.deepEqual(
      (await api('GET', `/api/v2/resource-servers?identifiers=${encodeURIComponent(body.identifier)}`, { token })).json().map((r: { id: string }) => r.id),
      [rs.id],
    );
    assert.equal((await api('GET', `/api/v2/resource-servers/${system.id}`, { token })).json().is_system, true);
    const noDelete = await api('DELETE', `/api/v2/resource-servers/${system.id}`, { token });
    assert.equal(noDelete.statusCode, 400);
    assert.equal(noDelete.json().errorCode, 'system_resource_server');
    assert.equal((await api('PATCH', `/api/v2/resource-servers/${system.id}`, { token, body: { name: 'x' } })).statusCode, 400);

    // A client grant may name the resource server; an identifier that is no API of the tenant stays refused.
    const client = (await api('POST', '/api/v2/clients', { token, body: { name: 'rs-m2m' } })).json();
    const grant = await api('POST', '/api/v2/client-grants', {
      token,
      body: { client_id: client.client_id, audience: body.identifier, scope: ['read:things'], organization_usage: 'allow', allow_any_organization: true },
    });
    assert.equal(grant.statusCode, 201, grant.body);
    assert.equal(grant.json().organization_usage, 'allow');
    const byAny = (await api('GET', '/api/v2/client-grants?allow_any_organization=true', { token })).json();
    assert.deepEqual(byAny.map((g: { id: string }) => g.id), [grant.json().id]);
    const cleared = await api('PATCH', `/api/v2/client-grants/${grant.json().id}`, { token, body: { organization_usage: null } });
    assert.equal(cleared.statusCode, 200, cleared.body);
    assert.equal(cleared.json().organization_usage, undefined);
    assert.deepEqual(cleared.json().scope, ['read:things'], 'a PATCH without scope keeps it');
    const unknownAudience = await api('POST', '/api/v2/client-grants', { token, body: { client_id: client.client_id, audience: 'https://nope.example', scope: [] } });
    assert.equal(unknownAudience.statusCode, 404, 'as Auth0: no resource with that identifier');
    assert.equal(unknownAudience.json().message, 'No resource with identifier https://nope.example');

    assert.equal((await api('DELETE', `/api/v2/resource-servers/${rs.id}`, { token })).statusCode, 204);
    const gone = await api('GET', `/api/v2/resource-servers/${rs.id}`, { token });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().errorCode, 'inexistent_resource_server');
  });

  test('resource servers: each route checks its scope; tenants never see each other', async () => {
    const { api } = env();
    const token = await env().token();
    const rs = (await api('POST', '/api/v2/resource-servers', { token, body: { identifier: 'urn:iso:a' } })).json();
    const calls: Array<[string, string, string, unknown]> = [
      ['GET', '/api/v2/resource-servers', 'read:resource_servers', undefined],
      ['GET', `/api/v2/resource-servers/${rs.id}`, 'read:resource_servers', undefined],
      ['POST', '/api/v2/resource-servers', 'create:resource_servers', { identifier: 'urn:iso:scoped' }],
      ['PATCH', `/api/v2/resource-servers/${rs.id}`, 'update:resource_servers', { name: 'n' }],
      ['DELETE', `/api/v2/resource-servers/${rs.id}`, 'delete:resource_servers', undefined],
    ];
    const wrong = await env().token(['read:clients']);
    for (const [method, url, scope, body] of calls) {
      const refused = await api(method as 'GET', url, { token: wrong, body });
      assert.equal(refused.statusCode, 403, `${method} ${url}`);
      assert.equal(refused.json().errorCode, 'insufficient_scope');
      const allowed = await api(method as 'GET', url, { token: await env().token([scope]), body });
      assert.ok(allowed.statusCode < 300, `${method} ${url} with ${scope} → ${allowed.body}`);
    }

    const b = await env().createTenant('rs-tenant-b', 'rs-b.example');
    const mine = (await api('POST', '/api/v2/resource-servers', { token, body: { identifier: 'urn:iso:shared' } })).json();
    const asB = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
      api(method, url, { token: b.token, host: 'rs-b.example', ...(body !== undefined ? { body } : {}) });
    const listB = (await asB('GET', '/api/v2/resource-servers')).json();
    assert.deepEqual(listB.map((r: { identifier: string }) => r.identifier), ['https://rs-b.example/api/v2/'], "B sees only its own Management API");
    assert.equal((await asB('GET', `/api/v2/resource-servers/${mine.id}`)).statusCode, 404);
    assert.equal((await asB('PATCH', `/api/v2/resource-servers/${mine.id}`, { name: 'x' })).statusCode, 404);
    assert.equal((await asB('DELETE', `/api/v2/resource-servers/${mine.id}`)).statusCode, 404);
    assert.equal((await asB('POST', '/api/v2/resource-servers', { identifier: 'urn:iso:shared' })).statusCode, 201, 'identifiers are unique per tenant only');
    const systemA = (await api('GET', '/api/v2/resource-servers', { token })).json().find((r: { is_system?: boolean }) => r.is_system);
    assert.notEqual(listB[0].id, systemA.id);
    assert.equal((await asB('GET', `/api/v2/resource-servers/${systemA.id}`)).statusCode, 404);
  });
});
