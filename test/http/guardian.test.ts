import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE as TWILIO_AUTH_TOKEN_PURPOSE } from '../../src/domain/purposes.js';
import { describeEachDialect } from '../helpers/harness.js';

const FACTORS = ['push-notification', 'sms', 'email', 'duo', 'otp', 'webauthn-roaming', 'webauthn-platform', 'recovery-code'];
const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const MSSID = `MG${'fedcba9876543210'.repeat(2)}`;
const AUTH_TOKEN = 'legacy-twilio-secret-0d9f8a7b';
const provider = (delivery_methods: string[]) => ({
  name: 'twilio',
  configuration: { sid: SID, default_from: '+14155552671', delivery_methods },
  credentials: { auth_token: 'tenant-provider-token' },
});

function expectError(res: LightMyRequestResponse, status: number, errorCode: string): void {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().errorCode, errorCode, res.body);
}

/** Legacy routes, each under `/phone/` and the deprecated `/sms/` alias, with a valid PUT body. */
const LEGACY = ['phone', 'sms'].flatMap((f) => [
  { path: `/api/v2/guardian/factors/${f}/providers/twilio`, body: { sid: SID } },
  { path: `/api/v2/guardian/factors/${f}/selected-provider`, body: { provider: 'twilio' } },
  { path: `/api/v2/guardian/factors/${f}/templates`, body: { enrollment_message: '{{code}} a', verification_message: '{{code}} b' } },
]);

/** Every route with its scope and a valid body, for the 401 / 403 / malformed-JSON sweeps. */
const ROUTES: Array<{ method: 'GET' | 'PUT'; path: string; scope: string; body?: unknown }> = [
  { method: 'GET', path: '/api/v2/guardian/factors', scope: 'read:guardian_factors' },
  { method: 'PUT', path: '/api/v2/guardian/factors/otp', scope: 'update:guardian_factors', body: { enabled: false } },
  { method: 'GET', path: '/api/v2/guardian/factors/phone/message-types', scope: 'read:guardian_factors' },
  { method: 'PUT', path: '/api/v2/guardian/factors/phone/message-types', scope: 'update:guardian_factors', body: { message_types: ['sms'] } },
  { method: 'GET', path: '/api/v2/guardian/policies', scope: 'read:mfa_policies' },
  { method: 'PUT', path: '/api/v2/guardian/policies', scope: 'update:mfa_policies', body: [] },
  ...LEGACY.flatMap((r) => [
    { method: 'GET' as const, path: r.path, scope: 'read:guardian_factors' },
    { method: 'PUT' as const, path: r.path, scope: 'update:guardian_factors', body: r.body },
  ]),
];

describeEachDialect('/api/v2/guardian', (env) => {
  test('factors: all eight in order, enable and disable with persistence, 404 for an unknown name', async () => {
    const { api } = env();
    const token = await env().token();
    const list = await api('GET', '/api/v2/guardian/factors', { token });
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(list.json(), FACTORS.map((name) => ({ name, enabled: false, trial_expired: false })));

    const put = await api('PUT', '/api/v2/guardian/factors/otp', { token, body: { enabled: true } });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), { enabled: true });
    const after = (await api('GET', '/api/v2/guardian/factors', { token })).json() as Array<{ name: string; enabled: boolean }>;
    assert.deepEqual(after.filter((f) => f.enabled).map((f) => f.name), ['otp']);
    assert.deepEqual((await api('PUT', '/api/v2/guardian/factors/otp', { token, body: { enabled: false } })).json(), { enabled: false });

    expectError(await api('PUT', '/api/v2/guardian/factors/fax', { token, body: { enabled: true } }), 404, 'inexistent_factor');
    expectError(await api('PUT', '/api/v2/guardian/factors/phone', { token, body: { enabled: true } }), 404, 'inexistent_factor');
    expectError(await api('PUT', '/api/v2/guardian/factors/SMS!', { token, body: { enabled: true } }), 400, 'invalid_uri');
    expectError(await api('PUT', `/api/v2/guardian/factors/${'a'.repeat(65)}`, { token, body: { enabled: true } }), 400, 'invalid_uri');
    for (const body of [{}, { enabled: 'true' }, { enabled: 1 }, { enabled: null }, { enabled: true, extra: 1 }, [true], 'true']) {
      expectError(await api('PUT', '/api/v2/guardian/factors/otp', { token, body: JSON.stringify(body) }), 400, 'invalid_body');
    }
  });

  test('concurrent changes of different factors and the policies are all kept (none overwrites another)', async () => {
    const { api } = env();
    const token = await env().token();
    const independent = FACTORS.filter((f) => f !== 'sms');
    for (const enabled of [true, false, true, false]) {
      const writes = await Promise.all([
        ...independent.map((f) => api('PUT', `/api/v2/guardian/factors/${f}`, { token, body: { enabled } })),
        api('PUT', '/api/v2/guardian/policies', { token, body: enabled ? ['all-applications'] : [] }),
      ]);
      for (const w of writes) assert.equal(w.statusCode, 200, w.body);
      const factors = (await api('GET', '/api/v2/guardian/factors', { token })).json() as Array<{ name: string; enabled: boolean }>;
      assert.deepEqual(factors.filter((f) => f.enabled).map((f) => f.name), enabled ? independent : [], `after setting every factor to ${enabled}`);
      assert.deepEqual((await api('GET', '/api/v2/guardian/policies', { token })).json(), enabled ? ['all-applications'] : []);
    }
  });

  test('sms under UPE needs an enabled provider that carries the message types', async () => {
    const { api } = env();
    const t = await env().createTenant('upe-sms', 'upe-sms.test');
    const opts = (body?: unknown) => ({ token: t.token, host: 'upe-sms.test', ...(body !== undefined ? { body } : {}) });
    const enableSms = () => api('PUT', '/api/v2/guardian/factors/sms', opts({ enabled: true }));

    // With no provider at all the factor can be enabled: configuration tools (Auth0's Deploy CLI)
    // write the factor before they create the provider, whose create is then checked against it.
    assert.deepEqual((await enableSms()).json(), { enabled: true });
    assert.deepEqual((await api('PUT', '/api/v2/guardian/factors/sms', opts({ enabled: false }))).json(), { enabled: false });
    const created = await api('POST', '/api/v2/branding/phone/providers', opts({ ...provider(['voice']), disabled: true }));
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    expectError(await enableSms(), 409, 'phone_provider_not_configured'); // a disabled provider does not count
    assert.equal((await api('PATCH', `/api/v2/branding/phone/providers/${id}`, opts({ disabled: false }))).statusCode, 200);
    expectError(await enableSms(), 409, 'message_type_not_supported'); // default message type sms needs text

    // Message types are checked against the provider even while the factor is disabled.
    expectError(await api('PUT', '/api/v2/guardian/factors/phone/message-types', opts({ message_types: ['sms'] })), 409, 'message_type_not_supported');
    const voice = await api('PUT', '/api/v2/guardian/factors/phone/message-types', opts({ message_types: ['voice'] }));
    assert.equal(voice.statusCode, 200, voice.body);
    assert.deepEqual(voice.json(), { message_types: ['voice'] });
    assert.deepEqual((await enableSms()).json(), { enabled: true });
    const factors = (await api('GET', '/api/v2/guardian/factors', opts())).json() as Array<{ name: string; enabled: boolean }>;
    assert.equal(factors.find((f) => f.name === 'sms')?.enabled, true);
    assert.deepEqual((await api('GET', '/api/v2/guardian/factors/phone/message-types', opts())).json(), { message_types: ['voice'] });

    // Disabling the factor is always allowed; an empty list of message types is accepted, as Auth0 does.
    assert.deepEqual((await api('PUT', '/api/v2/guardian/factors/sms', opts({ enabled: false }))).json(), { enabled: false });
    assert.deepEqual((await api('PUT', '/api/v2/guardian/factors/phone/message-types', opts({ message_types: [] }))).json(), { message_types: [] });
  });

  test('message types: 400 for bad input', async () => {
    const { api } = env();
    const token = await env().token();
    const bad: unknown[] = [{}, { message_types: ['fax'] }, { message_types: ['sms', 'sms'] }, { message_types: 'sms' }, { message_types: null }, { message_types: ['sms'], x: 1 }, ['sms']];
    for (const body of bad) {
      expectError(await api('PUT', '/api/v2/guardian/factors/phone/message-types', { token, body: JSON.stringify(body) }), 400, 'invalid_body');
    }
    expectError(await api('PUT', '/api/v2/guardian/factors/phone/message-types', { token }), 400, 'invalid_body');
    assert.deepEqual((await api('GET', '/api/v2/guardian/factors/phone/message-types', { token })).json(), { message_types: ['sms'] });
  });

  test('policies: default empty, set, persisted, cleared; 400 for bad input', async () => {
    const { api } = env();
    const token = await env().token();
    assert.deepEqual((await api('GET', '/api/v2/guardian/policies', { token })).json(), []);
    const put = await api('PUT', '/api/v2/guardian/policies', { token, body: ['all-applications', 'confidence-score'] });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), ['all-applications', 'confidence-score']);
    assert.deepEqual((await api('GET', '/api/v2/guardian/policies', { token })).json(), ['all-applications', 'confidence-score']);
    assert.deepEqual((await api('PUT', '/api/v2/guardian/policies', { token, body: [] })).json(), []);
    assert.deepEqual((await api('GET', '/api/v2/guardian/policies', { token })).json(), []);
    for (const body of [['never'], ['all-applications', 'all-applications'], { policies: [] }, 'all-applications', [1], null]) {
      expectError(await api('PUT', '/api/v2/guardian/policies', { token, body: JSON.stringify(body) }), 400, 'invalid_body');
    }
  });

  test('legacy endpoints answer 403 while the Unified Phone Experience is on', async () => {
    const { api } = env();
    const token = await env().token();
    for (const r of LEGACY) {
      const get = await api('GET', r.path, { token });
      expectError(get, 403, 'legacy_mfa_phone_provider_not_allowed');
      assert.match(get.json().message, /^Insufficient privileges to use this deprecated feature/);
      expectError(await api('PUT', r.path, { token, body: r.body }), 403, 'legacy_mfa_phone_provider_not_allowed');
    }
    const row = await env().c.repos.guardian.get((await env().c.repos.tenants.findByName('default'))!.id);
    assert.equal(row?.selectedProvider, 'auth0', 'a refused PUT writes nothing');
  });

  test('legacy mode: twilio settings persist, the auth token is sealed and never returned', async () => {
    const { api, c } = env();
    const t = await env().createTenant('legacy-twilio', 'legacy-twilio.test');
    const opts = (body?: unknown) => ({ token: t.token, host: 'legacy-twilio.test', ...(body !== undefined ? { body } : {}) });
    const off = await api('PATCH', '/api/v2/tenants/settings', opts({ phone_consolidated_experience: false }));
    assert.equal(off.statusCode, 200, off.body);
    const bodies: string[] = [];
    const call = async (method: 'GET' | 'PUT', path: string, body?: unknown) => {
      const res = await api(method, path, opts(body));
      bodies.push(res.body);
      return res;
    };

    const empty = await call('GET', '/api/v2/guardian/factors/phone/providers/twilio');
    assert.deepEqual(empty.json(), { sid: null, from: null, messaging_service_sid: null });
    const put = await call('PUT', '/api/v2/guardian/factors/phone/providers/twilio', { sid: SID, from: '+14155552671', auth_token: AUTH_TOKEN });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), { sid: SID, from: '+14155552671', messaging_service_sid: null });
    assert.deepEqual((await call('GET', '/api/v2/guardian/factors/sms/providers/twilio')).json(), put.json(), 'the /sms/ alias shares the data');

    const row = await c.repos.guardian.get(t.tenantId);
    assert.ok(row?.twilioAuthTokenSealed);
    assert.ok(!row.twilioAuthTokenSealed.includes(AUTH_TOKEN), 'sealed at rest');
    assert.equal(c.box.open(row.twilioAuthTokenSealed, TWILIO_AUTH_TOKEN_PURPOSE), AUTH_TOKEN);

    // Absent fields are kept (the token cannot be read back, so it must survive a read-edit-write); null clears.
    const merged = await call('PUT', '/api/v2/guardian/factors/sms/providers/twilio', { from: null, messaging_service_sid: MSSID });
    assert.deepEqual(merged.json(), { sid: SID, from: null, messaging_service_sid: MSSID });
    assert.equal((await c.repos.guardian.get(t.tenantId))?.twilioAuthTokenSealed, row.twilioAuthTokenSealed);
    await call('PUT', '/api/v2/guardian/factors/phone/providers/twilio', { auth_token: null });
    assert.equal((await c.repos.guardian.get(t.tenantId))?.twilioAuthTokenSealed, null);

    const bad: unknown[] = [
      { from: '+1234567890' }, { from: '4155552671' }, { from: 14155552671 }, { sid: 'AC123' }, { sid: 42 },
      { messaging_service_sid: SID }, { auth_token: '' }, { auth_token: 'x'.repeat(256) }, { auth_token: 5 }, { token: 'x' }, [],
    ];
    for (const body of bad) {
      expectError(await call('PUT', '/api/v2/guardian/factors/phone/providers/twilio', JSON.stringify(body)), 400, 'invalid_body');
    }
    for (const body of bodies) assert.ok(!body.includes(AUTH_TOKEN), `auth token leaked in ${body}`);
  });

  test('legacy mode: selected provider and templates (defaults, persistence, validation)', async () => {
    const { api } = env();
    const t = await env().createTenant('legacy-tpl', 'legacy-tpl.test');
    const opts = (body?: unknown) => ({ token: t.token, host: 'legacy-tpl.test', ...(body !== undefined ? { body } : {}) });
    assert.equal((await api('PATCH', '/api/v2/tenants/settings', opts({ phone_consolidated_experience: false }))).statusCode, 200);

    assert.deepEqual((await api('GET', '/api/v2/guardian/factors/phone/selected-provider', opts())).json(), { provider: 'auth0' });
    assert.deepEqual((await api('PUT', '/api/v2/guardian/factors/sms/selected-provider', opts({ provider: 'phone-message-hook' }))).json(), {
      provider: 'phone-message-hook',
    });
    assert.deepEqual((await api('GET', '/api/v2/guardian/factors/phone/selected-provider', opts())).json(), { provider: 'phone-message-hook' });
    for (const body of [{}, { provider: 'tenant' }, { provider: null }, { provider: 'twilio', x: 1 }]) {
      expectError(await api('PUT', '/api/v2/guardian/factors/phone/selected-provider', opts(JSON.stringify(body))), 400, 'invalid_body');
    }

    assert.deepEqual((await api('GET', '/api/v2/guardian/factors/sms/templates', opts())).json(), {
      enrollment_message: '{{code}} is your verification code for {{tenant.friendly_name}}. Please enter this code to verify your enrollment.',
      verification_message: '{{code}} is your verification code for {{tenant.friendly_name}}',
    });
    const tpl = { enrollment_message: 'Enroll with {{code}} at {{tenant.friendly_name}}', verification_message: `{{ code }} ${'x'.repeat(19000)}` };
    const put = await api('PUT', '/api/v2/guardian/factors/phone/templates', opts(tpl));
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), tpl);
    assert.deepEqual((await api('GET', '/api/v2/guardian/factors/sms/templates', opts())).json(), tpl);

    const shape: unknown[] = [
      { enrollment_message: 'a' }, { verification_message: 'a' }, { enrollment_message: '', verification_message: 'a' },
      { enrollment_message: 'a', verification_message: 'x'.repeat(20001) }, { enrollment_message: 1, verification_message: 'a' },
      { enrollment_message: 'a', verification_message: 'b', syntax: 'liquid' },
    ];
    for (const body of shape) expectError(await api('PUT', '/api/v2/guardian/factors/phone/templates', opts(JSON.stringify(body))), 400, 'invalid_body');
    for (const [field, text] of [['enrollment_message', 'code {{code'], ['verification_message', 'code}} here'], ['enrollment_message', '{{ }}'], ['verification_message', '{{a {{b}}']]) {
      const body = { enrollment_message: 'ok {{code}}', verification_message: 'ok {{code}}', [field!]: text };
      const res = await api('PUT', '/api/v2/guardian/factors/sms/templates', opts(body));
      expectError(res, 400, 'invalid_template');
      assert.match(res.json().message, new RegExp(`^Invalid ${field} template: `));
    }
    assert.deepEqual((await api('GET', '/api/v2/guardian/factors/phone/templates', opts())).json(), tpl, 'refused PUTs wrote nothing');
  });

  test('legacy mode: message types and the sms factor are not tied to a tenant provider', async () => {
    const { api } = env();
    const t = await env().createTenant('legacy-mfa', 'legacy-mfa.test');
    const opts = (body?: unknown) => ({ token: t.token, host: 'legacy-mfa.test', ...(body !== undefined ? { body } : {}) });
    assert.equal((await api('PATCH', '/api/v2/tenants/settings', opts({ phone_consolidated_experience: false }))).statusCode, 200);
    assert.equal((await api('POST', '/api/v2/branding/phone/providers', opts(provider(['text'])))).statusCode, 201);
    assert.equal((await api('PUT', '/api/v2/guardian/factors/phone/message-types', opts({ message_types: ['voice'] }))).statusCode, 200);
    assert.deepEqual((await api('PUT', '/api/v2/guardian/factors/sms', opts({ enabled: true }))).json(), { enabled: true });
  });

  test('every route: 401 without a token, 403 without its scope, 400 for malformed JSON', async () => {
    const { api } = env();
    const wrong = await env().token(['read:clients']);
    for (const r of ROUTES) {
      expectError(await api(r.method, r.path, r.body !== undefined ? { body: r.body } : {}), 401, 'missing_authentication');
      const forbidden = await api(r.method, r.path, { token: wrong, ...(r.body !== undefined ? { body: r.body } : {}) });
      expectError(forbidden, 403, 'insufficient_scope');
      assert.equal(forbidden.json().message, `Insufficient scope, expected any of: ${r.scope}`);
      const scoped = await env().token([r.scope]);
      const ok = await api(r.method, r.path, { token: scoped, ...(r.body !== undefined ? { body: r.body } : {}) });
      // With its scope the route answers; the legacy ones refuse on this UPE tenant, with their own code.
      if (ok.statusCode === 403) expectError(ok, 403, 'legacy_mfa_phone_provider_not_allowed');
      else assert.equal(ok.statusCode, 200, `${r.method} ${r.path} with ${r.scope}: ${ok.body}`);
      if (r.method === 'PUT') expectError(await api('PUT', r.path, { token: scoped, body: '{"enabled": tru' }), 400, 'invalid_json');
    }
  });

  test('no request of this suite got a 5xx', () => {
    assert.ok(env().logs.some((l) => l.includes('"statusCode":200')), 'responses are logged with their status');
    const failures = env().logs.filter((l) => /"statusCode":5\d\d/.test(l) || l.includes('unhandled error'));
    assert.deepEqual(failures, []);
  });
});
