import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { describeEachDialect } from '../helpers/harness.js';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const provider = (delivery_methods: string[]) => ({
  name: 'twilio',
  configuration: { sid: SID, default_from: '+14155552671', delivery_methods },
  credentials: { auth_token: 'tenant-provider-token' },
});

function expectError(res: LightMyRequestResponse, status: number, errorCode: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().errorCode, errorCode, res.body);
}

describeEachDialect('/api/v2/tenants/settings', (env) => {
  test('GET: defaults of a new tenant, null fields omitted, UPE on', async () => {
    const { api } = env();
    const res = await api('GET', '/api/v2/tenants/settings', { token: await env().token(['read:tenant_settings']) });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { friendly_name: 'default', enabled_locales: ['en'], phone_consolidated_experience: true });
  });

  test('PATCH: partial update, persistence, null clears, default_redirection_uri is the home URL', async () => {
    const { api, c } = env();
    const t = await env().createTenant('settings-a', 'settings-a.test');
    const opts = (body?: unknown) => ({ token: t.token, host: 'settings-a.test', ...(body !== undefined ? { body } : {}) });
    const all = {
      friendly_name: 'Acme Phones',
      picture_url: 'https://cdn.acme.test/logo.png',
      support_email: 'support@acme.test',
      support_url: 'http://help.acme.test/',
      default_redirection_uri: 'https://acme.test/home',
      enabled_locales: ['fr-CA', 'en', 'es-419'],
      phone_consolidated_experience: false,
    };
    const patched = await api('PATCH', '/api/v2/tenants/settings', opts(all));
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(patched.json(), all);
    assert.deepEqual((await api('GET', '/api/v2/tenants/settings', opts())).json(), all);
    assert.equal((await c.repos.tenants.findById(t.tenantId))?.homeUrl, 'https://acme.test/home');

    const partial = await api('PATCH', '/api/v2/tenants/settings', opts({ friendly_name: 'Acme', picture_url: null }));
    assert.equal(partial.statusCode, 200, partial.body);
    const { picture_url: _gone, ...rest } = all;
    assert.deepEqual(partial.json(), { ...rest, friendly_name: 'Acme' }, 'only the given fields change; null clears');
    assert.deepEqual((await api('PATCH', '/api/v2/tenants/settings', opts({}))).json(), { ...rest, friendly_name: 'Acme' });

    // Auth0's field projection.
    const some = await api('GET', '/api/v2/tenants/settings?fields=friendly_name,phone_consolidated_experience', opts());
    assert.deepEqual(some.json(), { friendly_name: 'Acme', phone_consolidated_experience: false });
    const without = await api('GET', '/api/v2/tenants/settings?fields=enabled_locales,support_email,support_url,default_redirection_uri&include_fields=false', opts());
    assert.deepEqual(without.json(), { friendly_name: 'Acme', phone_consolidated_experience: false });
    expectError(await api('GET', '/api/v2/tenants/settings?fields=Bad-Field', opts()), 400, 'invalid_query_string');
    expectError(await api('GET', '/api/v2/tenants/settings?page=1', opts()), 400, 'invalid_query_string');
  });

  test('PATCH: 400 for each kind of bad input, and nothing is written', async () => {
    const { api } = env();
    const token = await env().token();
    const bad: unknown[] = [
      { tenant_name: 'x' },
      { friendly_name: '' },
      { friendly_name: 'x'.repeat(256) },
      { friendly_name: 42 },
      { friendly_name: null },
      { support_email: 'not-an-email' },
      { support_email: `${'a'.repeat(250)}@x.test` },
      { picture_url: 'javascript:alert(1)' },
      { picture_url: 'ftp://cdn.test/logo.png' },
      { support_url: 'not a url' },
      { support_url: `https://x.test/${'a'.repeat(2040)}` },
      { default_redirection_uri: 'http://acme.test/' },
      { enabled_locales: [] },
      { enabled_locales: ['english'] },
      { enabled_locales: ['en', 'en'] },
      { enabled_locales: 'en' },
      { enabled_locales: null },
      { phone_consolidated_experience: 'false' },
      { phone_consolidated_experience: null },
      ['friendly_name'],
      'x',
      null,
    ];
    for (const body of bad) {
      expectError(await api('PATCH', '/api/v2/tenants/settings', { token, body: JSON.stringify(body) }), 400, 'invalid_body');
    }
    expectError(await api('PATCH', '/api/v2/tenants/settings', { token, body: '{"friendly_name": "x"' }), 400, 'invalid_json');
    expectError(await api('PATCH', '/api/v2/tenants/settings', { token }), 400, 'invalid_body');
    const now = (await api('GET', '/api/v2/tenants/settings', { token })).json();
    assert.equal(now.friendly_name, 'default');
    assert.equal(now.phone_consolidated_experience, true);
  });

  test('401 without a token, 403 without the scope', async () => {
    const { api } = env();
    const wrong = await env().token(['read:tenant_settings']);
    expectError(await api('GET', '/api/v2/tenants/settings'), 401, 'missing_authentication');
    expectError(await api('PATCH', '/api/v2/tenants/settings', { body: {} }), 401, 'missing_authentication');
    expectError(await api('GET', '/api/v2/tenants/settings', { token: 'not.a.jwt' }), 401, 'invalid_token');
    const res = await api('PATCH', '/api/v2/tenants/settings', { token: wrong, body: { friendly_name: 'x' } });
    expectError(res, 403, 'insufficient_scope');
    assert.equal(res.json().message, 'Insufficient scope, expected any of: update:tenant_settings');
    expectError(await api('GET', '/api/v2/tenants/settings', { token: await env().token(['update:tenant_settings']) }), 403, 'insufficient_scope');
  });

  test('turning UPE on is refused (409) while the enabled sms factor needs a delivery method the provider lacks', async () => {
    const { api } = env();
    const t = await env().createTenant('settings-upe', 'settings-upe.test');
    const opts = (body?: unknown) => ({ token: t.token, host: 'settings-upe.test', ...(body !== undefined ? { body } : {}) });
    const upe = (on: boolean) => api('PATCH', '/api/v2/tenants/settings', opts({ phone_consolidated_experience: on }));
    assert.equal((await upe(false)).statusCode, 200);
    // In legacy mode none of these is checked against the tenant provider.
    assert.equal((await api('POST', '/api/v2/branding/phone/providers', opts(provider(['text'])))).statusCode, 201);
    assert.equal((await api('PUT', '/api/v2/guardian/factors/phone/message-types', opts({ message_types: ['sms', 'voice'] }))).statusCode, 200);
    assert.equal((await api('PUT', '/api/v2/guardian/factors/sms', opts({ enabled: true }))).statusCode, 200);

    expectError(await upe(true), 409, 'message_type_not_supported');
    assert.equal((await api('GET', '/api/v2/tenants/settings', opts())).json().phone_consolidated_experience, false, 'nothing written');

    // Fixing the message types (or disabling the factor) lets the switch through.
    assert.equal((await api('PUT', '/api/v2/guardian/factors/phone/message-types', opts({ message_types: ['sms'] }))).statusCode, 200);
    const on = await upe(true);
    assert.equal(on.statusCode, 200, on.body);
    assert.equal(on.json().phone_consolidated_experience, true);
    assert.equal((await upe(true)).statusCode, 200, 'setting it again is a no-op');
  });

  test('turning UPE on without a provider is allowed (Terraform sets the flag before creating the provider)', async () => {
    const { api } = env();
    const t = await env().createTenant('settings-noprov', 'settings-noprov.test');
    const opts = (body?: unknown) => ({ token: t.token, host: 'settings-noprov.test', ...(body !== undefined ? { body } : {}) });
    assert.equal((await api('PATCH', '/api/v2/tenants/settings', opts({ phone_consolidated_experience: false }))).statusCode, 200);
    assert.equal((await api('PUT', '/api/v2/guardian/factors/phone/message-types', opts({ message_types: ['voice'] }))).statusCode, 200);
    assert.equal((await api('PUT', '/api/v2/guardian/factors/sms', opts({ enabled: true }))).statusCode, 200);
    const on = await api('PATCH', '/api/v2/tenants/settings', opts({ phone_consolidated_experience: true }));
    assert.equal(on.statusCode, 200, on.body);
    // From now on the provider must carry the message types.
    const created = await api('POST', '/api/v2/branding/phone/providers', opts(provider(['voice'])));
    assert.equal(created.statusCode, 201, created.body);
    expectError(await api('PUT', '/api/v2/guardian/factors/phone/message-types', opts({ message_types: ['sms'] })), 409, 'message_type_not_supported');
  });

  test('no request of this suite got a 5xx', () => {
    assert.ok(env().logs.some((l) => l.includes('"statusCode":200')), 'responses are logged with their status');
    const failures = env().logs.filter((l) => /"statusCode":5\d\d/.test(l) || l.includes('unhandled error'));
    assert.deepEqual(failures, []);
  });
});
