import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { defaultGuardianSettings } from '../../src/domain/tenants/tenant-service.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';

const P = '/api/v2/branding/phone/providers';
const SECRET = 'tw-auth-token-never-echoed-7f3a9c';
const MISSING = 'pro_AAAAAAAAAAAAAAAAAAAAAA';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const twilio = (over: Record<string, unknown> = {}) => ({
  name: 'twilio',
  configuration: { sid: 'AC00000000000000000000000000000001', default_from: '+14155552671', delivery_methods: ['text'] },
  credentials: { auth_token: SECRET },
  ...over,
});
const custom = { name: 'custom', configuration: { delivery_methods: ['text'] }, credentials: {} };

/**
 * Runs `fn` while the tenant has a deployed custom-phone-provider action, made through the Actions
 * API (a deploy binds it to the trigger); the action is deleted afterwards. `beforeDeploy` runs
 * between the create and the deploy (an action that is not deployed is not enough).
 */
async function withDeployedAction<T>(e: TestEnv, token: string, beforeDeploy: () => Promise<void>, fn: () => Promise<T>): Promise<T> {
  const created = await e.api('POST', '/api/v2/actions/actions', {
    token,
    body: { name: 'sms-gateway', supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }], code: 'exports.onExecuteCustomPhoneProvider = async () => {};' },
  });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().id as string;
  try {
    await beforeDeploy();
    const deployed = await e.api('POST', `/api/v2/actions/actions/${id}/deploy`, { token });
    assert.equal(deployed.statusCode, 200, deployed.body);
    return await fn();
  } finally {
    const removed = await e.api('DELETE', `/api/v2/actions/actions/${id}?force=true`, { token });
    assert.equal(removed.statusCode, 204, removed.body);
  }
}

/** Tests share one server per dialect: after each, the provider is removed and Guardian restored. */
async function cleanup(e: TestEnv): Promise<void> {
  assert.ok(!e.logs.some((l) => l.includes('unhandled error')), 'no request ended in a 500');
  assert.ok(!e.logs.some((l) => l.includes(SECRET)), 'no log line carries the auth token');
  const token = await e.token();
  for (const p of (await e.api('GET', P, { token })).json().providers) await e.api('DELETE', `${P}/${p.id}?force=true`, { token });
  const tenant = (await e.c.repos.tenants.findByName('default'))!;
  await e.c.repos.guardian.put(tenant.id, defaultGuardianSettings(new Date().toISOString()));
  await e.c.services.tenants.updateSettings(tenant.id, { phoneConsolidatedExperience: true });
}

describeEachDialect('/api/v2/branding/phone/providers', (env) => {
  afterEach(() => cleanup(env()));

  test('create, get, list, delete a Twilio provider; the auth token is sealed and never returned', async () => {
    const { api, c } = env();
    const token = await env().token();
    const bodies: string[] = [];
    const call = async (...a: Parameters<TestEnv['api']>) => {
      const r = await api(...a);
      bodies.push(r.body);
      return r;
    };

    assert.deepEqual((await call('GET', P, { token })).json(), { providers: [] });
    const created = await call('POST', P, { token, body: twilio() });
    assert.equal(created.statusCode, 201, created.body);
    const p = created.json();
    assert.match(p.id, /^pro_[A-Za-z0-9]{22}$/);
    assert.match(p.created_at, ISO);
    assert.deepEqual(p, {
      id: p.id,
      tenant: 'default',
      name: 'twilio',
      channel: 'phone',
      disabled: false,
      configuration: { sid: 'AC00000000000000000000000000000001', default_from: '+14155552671', delivery_methods: ['text'] },
      created_at: p.created_at,
      updated_at: p.created_at,
    });
    assert.deepEqual(Object.keys(p.configuration), ['sid', 'default_from', 'delivery_methods'], 'Auth0 key order');

    const got = await call('GET', `${P}/${p.id}`, { token });
    assert.equal(got.statusCode, 200);
    assert.deepEqual(got.json(), p);
    assert.deepEqual((await call('GET', P, { token })).json(), { providers: [{ ...p, credentials: null }] });
    assert.deepEqual((await call('GET', `${P}?disabled=false`, { token })).json().providers.length, 1);
    assert.deepEqual((await call('GET', `${P}?disabled=true`, { token })).json(), { providers: [] });

    const again = await call('POST', P, { token, body: twilio() });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().errorCode, 'phone_provider_conflict');

    // Sealed at rest, still usable by the senders.
    const tenant = (await c.repos.tenants.findByName('default'))!;
    const stored = (await c.repos.phoneProviders.get(tenant.id, p.id))!;
    assert.ok(stored.credentialsSealed && !stored.credentialsSealed.includes(SECRET));
    assert.equal(c.services.phoneProviders.credentialsOf(stored).auth_token, SECRET);

    const del = await call('DELETE', `${P}/${p.id}`, { token });
    assert.equal(del.statusCode, 204);
    assert.equal(del.body, '');
    for (const method of ['GET', 'DELETE', 'PATCH'] as const) {
      const gone = await call(method, `${P}/${p.id}`, { token, ...(method === 'PATCH' ? { body: { disabled: true } } : {}) });
      assert.equal(gone.statusCode, 404, method);
      assert.deepEqual(gone.json(), {
        statusCode: 404,
        error: 'Not Found',
        message: 'Notification Resource not found',
        errorCode: 'inexistent_phone_provider',
      });
    }
    assert.ok(bodies.every((b) => !b.includes(SECRET)), 'no response carries the auth token');
  });

  test('PATCH is partial, keeps the stored token, and validates the resulting Twilio configuration', async () => {
    const { api, c } = env();
    const token = await env().token();
    const mssid = twilio({ configuration: { sid: 'AC1', mssid: 'MG0000000000000000000000000000001', delivery_methods: ['text', 'voice'] } });
    const p = (await api('POST', P, { token, body: { ...mssid, disabled: true } })).json();
    assert.deepEqual(p.configuration, { sid: 'AC1', mssid: 'MG0000000000000000000000000000001', delivery_methods: ['text', 'voice'] });
    assert.equal(p.disabled, true);

    const enabled = await api('PATCH', `${P}/${p.id}`, { token, body: { disabled: false } });
    assert.equal(enabled.statusCode, 200, enabled.body);
    assert.equal(enabled.json().disabled, false);
    assert.deepEqual(enabled.json().configuration, p.configuration, 'configuration untouched');
    assert.ok(enabled.json().updated_at >= p.updated_at);
    assert.equal(enabled.json().created_at, p.created_at);

    const cfg = { sid: 'AC2', default_from: '+14155552671', delivery_methods: ['voice'] };
    const moved = await api('PATCH', `${P}/${p.id}`, { token, body: { configuration: cfg } });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual(moved.json().configuration, cfg, 'a given configuration replaces the stored one');
    assert.equal(moved.json().disabled, false, 'disabled untouched');
    const tenant = (await c.repos.tenants.findByName('default'))!;
    const open = async () => c.services.phoneProviders.credentialsOf((await c.repos.phoneProviders.get(tenant.id, p.id))!);
    assert.equal((await open()).auth_token, SECRET, 'the token survives a PATCH without credentials');

    const rotated = await api('PATCH', `${P}/${p.id}`, { token, body: { credentials: { auth_token: 'new-token-42' } } });
    assert.equal(rotated.statusCode, 200);
    assert.ok(!rotated.body.includes('new-token-42'));
    assert.equal((await open()).auth_token, 'new-token-42');

    for (const [body, detail] of [
      [{ configuration: { sid: 'AC2', delivery_methods: ['text'] } }, /exactly one of default_from or mssid/],
      [{ configuration: { sid: 'AC2', default_from: '+14155552671', mssid: 'MG1', delivery_methods: ['text'] } }, /exactly one/],
      [{ configuration: { default_from: '+14155552671', delivery_methods: ['text'] } }, /sid/],
      [{ credentials: {} }, /auth_token/],
      [{ configuration: { sid: 'AC2', default_from: '+1234567890', delivery_methods: ['text'] } }, /E\.164/],
    ] as const) {
      const r = await api('PATCH', `${P}/${p.id}`, { token, body });
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.equal(r.json().errorCode, 'bad_phone_provider_configuration');
      assert.match(r.json().message, /^Bad Operation on Notification Resource: /);
      assert.match(r.json().message, detail);
    }
    assert.deepEqual((await api('GET', `${P}/${p.id}`, { token })).json(), rotated.json(), 'refused PATCHes changed nothing');
  });

  test('concurrent PATCHes of the provider each take effect (disabled is not undone by a configuration change)', async () => {
    const { api } = env();
    const token = await env().token();
    const p = (await api('POST', P, { token, body: twilio() })).json();
    try {
      const results = await Promise.all([
        api('PATCH', `${P}/${p.id}`, { token, body: { disabled: true } }),
        api('PATCH', `${P}/${p.id}`, { token, body: { configuration: { sid: 'ACyyy', default_from: '+14155550123', delivery_methods: ['text'] } } }),
      ]);
      assert.deepEqual(results.map((r) => r.statusCode), [200, 200], results.map((r) => r.body).join(' | '));
      const got = (await api('GET', `${P}/${p.id}`, { token })).json();
      assert.equal(got.disabled, true);
      assert.equal(got.configuration.sid, 'ACyyy');
    } finally {
      await api('DELETE', `${P}/${p.id}`, { token });
    }
  });

  test('custom providers need a deployed custom-phone-provider action; names switch in place', async () => {
    const { api, c } = env();
    const token = await env().token();
    const refused = await api('POST', P, { token, body: custom });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().errorCode, 'custom_email_provider_deployed_action_not_found');
    assert.deepEqual((await api('GET', P, { token })).json(), { providers: [] });

    const tw = (await api('POST', P, { token, body: twilio() })).json();
    const toCustom = await api('PATCH', `${P}/${tw.id}`, { token, body: { name: 'custom' } });
    assert.equal(toCustom.statusCode, 409);
    assert.equal(toCustom.json().errorCode, 'custom_email_provider_deployed_action_not_found');

    const notYet = async () => {
      const undeployed = await api('PATCH', `${P}/${tw.id}`, { token, body: { name: 'custom' } });
      assert.equal(undeployed.statusCode, 409, 'an action that is not deployed does not serve the trigger');
      assert.equal(undeployed.json().errorCode, 'custom_email_provider_deployed_action_not_found');
    };
    await withDeployedAction(env(), token, notYet, async () => {
      // Auth0 keeps the Twilio keys of a provider switched to custom (observed); so do we.
      const sw = await api('PATCH', `${P}/${tw.id}`, { token, body: { name: 'custom' } });
      assert.equal(sw.statusCode, 200, sw.body);
      assert.equal(sw.json().name, 'custom');
      assert.deepEqual(sw.json().configuration, tw.configuration);
      const back = await api('PATCH', `${P}/${tw.id}`, { token, body: { name: 'twilio' } });
      assert.equal(back.statusCode, 200, 'the stored token still satisfies twilio');
      assert.equal((await api('DELETE', `${P}/${tw.id}`, { token })).statusCode, 204);

      const made = await api('POST', P, { token, body: custom });
      assert.equal(made.statusCode, 201, made.body);
      const cp = made.json();
      assert.deepEqual({ ...cp, id: 0, created_at: 0, updated_at: 0 }, {
        id: 0,
        tenant: 'default',
        name: 'custom',
        channel: 'phone',
        disabled: false,
        configuration: { delivery_methods: ['text'] },
        created_at: 0,
        updated_at: 0,
      });
      // Custom → twilio needs the Twilio keys and a token, which a custom provider never had.
      const noToken = await api('PATCH', `${P}/${cp.id}`, { token, body: { name: 'twilio' } });
      assert.equal(noToken.statusCode, 400);
      assert.equal(noToken.json().errorCode, 'bad_phone_provider_configuration');
      const ok = await api('PATCH', `${P}/${cp.id}`, { token, body: twilio() });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().name, 'twilio');
      const tenantId = (await c.repos.tenants.findByName('default'))!.id;
      assert.equal(c.services.phoneProviders.credentialsOf((await c.repos.phoneProviders.getForTenant(tenantId))!).auth_token, SECRET);
    });
  });

  test('MFA coupling: a provider the sms factor uses cannot be deleted, disabled or lose its method', async () => {
    const { api, c } = env();
    const token = await env().token();
    const tenant = (await c.repos.tenants.findByName('default'))!;
    const p = (await api('POST', P, { token, body: twilio() })).json();
    await c.repos.guardian.put(tenant.id, { ...defaultGuardianSettings(new Date().toISOString()), factors: { sms: true }, messageTypes: ['sms'] });

    const del = await api('DELETE', `${P}/${p.id}`, { token });
    assert.equal(del.statusCode, 409);
    assert.equal(del.json().errorCode, 'phone_provider_in_use');
    const off = await api('PATCH', `${P}/${p.id}`, { token, body: { disabled: true } });
    assert.equal(off.statusCode, 409);
    assert.equal(off.json().errorCode, 'phone_provider_in_use');
    const voiceOnly = { configuration: { ...twilio().configuration, delivery_methods: ['voice'] } };
    for (const q of ['', '?force=true']) {
      const r = await api('PATCH', `${P}/${p.id}${q}`, { token, body: voiceOnly });
      assert.equal(r.statusCode, 409, `force does not cover delivery methods (${q})`);
      assert.equal(r.json().errorCode, 'message_type_not_supported');
    }
    const both = await api('PATCH', `${P}/${p.id}`, { token, body: { configuration: { ...twilio().configuration, delivery_methods: ['text', 'voice'] } } });
    assert.equal(both.statusCode, 200, 'adding a method is fine');
    assert.equal((await api('GET', `${P}/${p.id}`, { token })).json().disabled, false, 'refused changes changed nothing');

    // With the unified experience off, MFA does not use this provider.
    await c.services.tenants.updateSettings(tenant.id, { phoneConsolidatedExperience: false });
    assert.equal((await api('PATCH', `${P}/${p.id}`, { token, body: { disabled: true } })).statusCode, 200);
    assert.equal((await api('PATCH', `${P}/${p.id}`, { token, body: { disabled: false } })).statusCode, 200);
    await c.services.tenants.updateSettings(tenant.id, { phoneConsolidatedExperience: true });

    const forced = await api('PATCH', `${P}/${p.id}?force=true`, { token, body: { disabled: true } });
    assert.equal(forced.statusCode, 200, forced.body);
    assert.equal(forced.json().disabled, true);
    assert.equal((await api('DELETE', `${P}/${p.id}`, { token })).statusCode, 409);
    assert.equal((await api('DELETE', `${P}/${p.id}?force=true`, { token })).statusCode, 204);
  });

  test('MFA coupling through the Actions API: the action of a custom provider MFA uses cannot be unbound, deleted or moved to another trigger', async () => {
    const { api, c } = env();
    const token = await env().token();
    const tenant = (await c.repos.tenants.findByName('default'))!;
    const created = await api('POST', '/api/v2/actions/actions', {
      token,
      body: { name: 'mfa-gateway', supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }], code: 'exports.onExecuteCustomPhoneProvider = async () => {};', deploy: true },
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    const p = (await api('POST', P, { token, body: custom })).json();
    await c.repos.guardian.put(tenant.id, { ...defaultGuardianSettings(new Date().toISOString()), factors: { sms: true }, messageTypes: ['sms'] });
    const bindings = '/api/v2/actions/triggers/custom-phone-provider/bindings';
    const unbind = await api('PATCH', bindings, { token, body: { bindings: [] } });
    assert.equal(unbind.statusCode, 409, unbind.body);
    assert.equal(unbind.json().errorCode, 'phone_provider_in_use');
    const del = await api('DELETE', `/api/v2/actions/actions/${id}?force=true`, { token });
    assert.equal(del.statusCode, 409, 'not even with force');
    assert.equal(del.json().errorCode, 'phone_provider_in_use');
    const moved = await api('PATCH', `/api/v2/actions/actions/${id}`, { token, body: { supported_triggers: [{ id: 'send-phone-message', version: 'v2' }] } });
    assert.equal(moved.statusCode, 409, 'a bound trigger cannot be dropped');
    assert.equal(moved.json().errorCode, 'action_is_bound');
    assert.equal(await c.actions.customProviderActions.hasDeployedCustomPhoneProviderAction(tenant.id), true, 'refused changes changed nothing');
    // With the factor off, the action is the tenant's own business again.
    await c.repos.guardian.put(tenant.id, { ...defaultGuardianSettings(new Date().toISOString()), factors: { sms: false }, messageTypes: ['sms'] });
    assert.equal((await api('PATCH', bindings, { token, body: { bindings: [] } })).statusCode, 200);
    assert.equal((await api('DELETE', `${P}/${p.id}`, { token })).statusCode, 204);
    assert.equal((await api('DELETE', `/api/v2/actions/actions/${id}?force=true`, { token })).statusCode, 204);
  });

  test('bad input answers 400 with the Auth0 error body, never 500', async () => {
    const { api } = env();
    const token = await env().token();
    const cfg = twilio().configuration;
    const cases: Array<[string, unknown, string]> = [
      ['malformed JSON', '{"name": "twilio",', 'invalid_json'],
      ['array body', [twilio()], 'invalid_body'],
      ['missing body', undefined, 'invalid_body'],
      ['missing name', { configuration: cfg, credentials: { auth_token: 'x' } }, 'invalid_body'],
      ['missing credentials', { name: 'twilio', configuration: cfg }, 'invalid_body'],
      ['unknown field', twilio({ extra: 1 }), 'invalid_body'],
      ['unknown configuration field', twilio({ configuration: { ...cfg, region: 'eu' } }), 'invalid_body'],
      ['unknown credentials field', twilio({ credentials: { auth_token: 'x', account: 'y' } }), 'invalid_body'],
      ['bad name', twilio({ name: 'nexmo' }), 'invalid_body'],
      ['name of wrong type', twilio({ name: 1 }), 'invalid_body'],
      ['disabled as string', twilio({ disabled: 'false' }), 'invalid_body'],
      ['configuration as string', twilio({ configuration: 'sid' }), 'invalid_body'],
      ['empty delivery_methods', twilio({ configuration: { ...cfg, delivery_methods: [] } }), 'invalid_body'],
      ['unknown delivery method', twilio({ configuration: { ...cfg, delivery_methods: ['sms'] } }), 'invalid_body'],
      ['duplicate delivery methods', twilio({ configuration: { ...cfg, delivery_methods: ['text', 'text'] } }), 'invalid_body'],
      ['missing delivery_methods', twilio({ configuration: { sid: 'AC1', default_from: '+14155552671' } }), 'invalid_body'],
      ['empty auth_token', twilio({ credentials: { auth_token: '' } }), 'invalid_body'],
      ['oversized auth_token', twilio({ credentials: { auth_token: 'x'.repeat(256) } }), 'invalid_body'],
      ['oversized sid', twilio({ configuration: { ...cfg, sid: 'A'.repeat(256) } }), 'invalid_body'],
      ['oversized default_from', twilio({ configuration: { ...cfg, default_from: '+1'.repeat(40) } }), 'invalid_body'],
      ['twilio without sender', twilio({ configuration: { sid: 'AC1', delivery_methods: ['text'] } }), 'bad_phone_provider_configuration'],
      ['twilio with both senders', twilio({ configuration: { ...cfg, mssid: 'MG1' } }), 'bad_phone_provider_configuration'],
      ['twilio without sid', twilio({ configuration: { default_from: '+14155552671', delivery_methods: ['text'] } }), 'bad_phone_provider_configuration'],
      ['twilio without auth_token', twilio({ credentials: {} }), 'bad_phone_provider_configuration'],
      ['without configuration', { name: 'twilio', credentials: { auth_token: 'x' } }, 'bad_phone_provider_configuration'],
      ['invalid number +1234567890', twilio({ configuration: { ...cfg, default_from: '+1234567890' } }), 'bad_phone_provider_configuration'],
      ['invalid number 12', twilio({ configuration: { ...cfg, default_from: '12' } }), 'bad_phone_provider_configuration'],
      ['number without +', twilio({ configuration: { ...cfg, default_from: '14155552671' } }), 'bad_phone_provider_configuration'],
    ];
    for (const [what, body, code] of cases) {
      const r = await api('POST', P, { token, ...(body !== undefined ? { body } : {}) });
      assert.equal(r.statusCode, 400, `${what}: ${r.body}`);
      assert.deepEqual(Object.keys(r.json()).sort(), ['error', 'errorCode', 'message', 'statusCode'], what);
      assert.equal(r.json().error, 'Bad Request', what);
      assert.equal(r.json().errorCode, code, `${what}: ${r.body}`);
      assert.ok(!r.body.includes(SECRET), what);
    }
    assert.deepEqual((await api('GET', P, { token })).json(), { providers: [] }, 'nothing was created');

    const p = (await api('POST', P, { token, body: twilio() })).json();
    const more: Array<[string, string, unknown, number, string]> = [
      ['GET', `${P}/pro_short`, undefined, 400, 'invalid_uri'],
      ['GET', `${P}/tem_AAAAAAAAAAAAAAAAAAAAAA`, undefined, 400, 'invalid_uri'],
      ['PATCH', `${P}/not-an-id`, { disabled: true }, 400, 'invalid_uri'],
      ['DELETE', `${P}/pro_${'A'.repeat(23)}`, undefined, 400, 'invalid_uri'],
      ['GET', `${P}/${MISSING}`, undefined, 404, 'inexistent_phone_provider'],
      ['PATCH', `${P}/${MISSING}`, { disabled: true }, 404, 'inexistent_phone_provider'],
      ['DELETE', `${P}/${MISSING}`, undefined, 404, 'inexistent_phone_provider'],
      ['GET', `${P}?disabled=maybe`, undefined, 400, 'invalid_query_string'],
      ['GET', `${P}?page=1`, undefined, 400, 'invalid_query_string'],
      ['DELETE', `${P}/${p.id}?force=perhaps`, undefined, 400, 'invalid_query_string'],
      ['PATCH', `${P}/${p.id}`, '{"disabled": tru', 400, 'invalid_json'],
      ['PATCH', `${P}/${p.id}`, { disabled: true, channel: 'phone' }, 400, 'invalid_body'],
      ['PATCH', `${P}/${p.id}`, { name: 'nexmo' }, 400, 'invalid_body'],
      ['PATCH', `${P}/${p.id}`, { disabled: 1 }, 400, 'invalid_body'],
      ['PATCH', `${P}/${p.id}`, { configuration: { ...cfg, default_from: '12' } }, 400, 'bad_phone_provider_configuration'],
      ['PATCH', `${P}/${p.id}`, { credentials: { auth_token: 'x'.repeat(256) } }, 400, 'invalid_body'],
    ];
    for (const [method, url, body, status, code] of more) {
      const r = await api(method as 'GET', url, { token, ...(body !== undefined ? { body } : {}) });
      assert.equal(r.statusCode, status, `${method} ${url}: ${r.body}`);
      assert.equal(r.json().errorCode, code, `${method} ${url}`);
    }
    const text = await env().app.inject({ method: 'POST', url: P, headers: { host: 'localhost', authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, payload: 'x' });
    assert.equal(text.statusCode, 415);
  });

  test('401 without a token, 403 without the route scope; tenants are isolated', async () => {
    const { api } = env();
    const all = await env().token();
    const p = (await api('POST', P, { token: all, body: twilio() })).json();
    const routes: Array<[string, string, string, unknown]> = [
      ['GET', P, 'read:phone_providers', undefined],
      ['POST', P, 'create:phone_providers', twilio()],
      ['GET', `${P}/${p.id}`, 'read:phone_providers', undefined],
      ['PATCH', `${P}/${p.id}`, 'update:phone_providers', { disabled: false }],
      ['DELETE', `${P}/${p.id}`, 'delete:phone_providers', undefined],
    ];
    for (const [method, url, scope, body] of routes) {
      const anon = await api(method as 'GET', url, body !== undefined ? { body } : {});
      assert.equal(anon.statusCode, 401, `${method} ${url}`);
      const other = scope.startsWith('read:') ? 'create:phone_providers' : 'read:phone_providers';
      const wrong = await api(method as 'GET', url, { token: await env().token([other, 'read:phone_templates']), ...(body !== undefined ? { body } : {}) });
      assert.equal(wrong.statusCode, 403, `${method} ${url}`);
      assert.deepEqual(wrong.json(), {
        statusCode: 403,
        error: 'Forbidden',
        message: `Insufficient scope, expected any of: ${scope}`,
        errorCode: 'insufficient_scope',
      });
    }
    const narrow = await env().token(['read:phone_providers']);
    assert.equal((await api('GET', `${P}/${p.id}`, { token: narrow })).statusCode, 200, 'the right scope alone is enough');

    const other = await env().createTenant('other-phones', 'other.example');
    const foreign = await api('GET', `${P}/${p.id}`, { token: other.token, host: 'other.example' });
    assert.equal(foreign.statusCode, 404, 'another tenant cannot see this provider');
    assert.deepEqual((await api('GET', P, { token: other.token, host: 'other.example' })).json(), { providers: [] });
    const theirs = await api('POST', P, { token: other.token, host: 'other.example', body: twilio() });
    assert.equal(theirs.statusCode, 201, 'one provider per tenant, not per server');
    assert.equal(theirs.json().tenant, 'other-phones');
    assert.equal((await api('DELETE', `${P}/${p.id}`, { token: other.token, host: 'other.example' })).statusCode, 404);
  });
});
