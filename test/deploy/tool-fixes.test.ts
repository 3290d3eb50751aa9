import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect } from '../helpers/harness.js';

/**
 * What Auth0's Deploy CLI needed of the server, each checked on its own: the shapes it reads and
 * sends back, the endpoints it calls, and the order in which it writes a fresh tenant.
 */
describeEachDialect('Deploy CLI compatibility', (env) => {
  test('clients carry no created_at/updated_at (Auth0 has none), so a GET sent back as a POST is accepted', async () => {
    const { api } = env();
    const token = await env().token();
    const made = await api('POST', '/api/v2/clients', { token, body: { name: 'Echo', app_type: 'non_interactive', grant_types: ['client_credentials'] } });
    assert.equal(made.statusCode, 201, made.body);
    const got = (await api('GET', `/api/v2/clients/${made.json().client_id}`, { token })).json();
    assert.equal(got.created_at, undefined);
    assert.equal(got.updated_at, undefined);
    const { client_id: _id, client_secret: _s, tenant: _t, global: _g, signing_keys: _k, ...rest } = got;
    const again = await api('POST', '/api/v2/clients', { token, body: { ...rest, name: 'Echo 2' } });
    assert.equal(again.statusCode, 201, again.body);
  });

  test("connections: a GET's realms and is_domain_connection sent back are accepted; other values are 400", async () => {
    const { api } = env();
    const token = await env().token();
    const list = (await api('GET', '/api/v2/connections', { token })).json() as Array<Record<string, unknown>>;
    const db = list.find((c) => c['strategy'] === 'auth0')!;
    assert.equal(db['created_at'], undefined, 'no created_at: Auth0 has none');
    const { id, name: _n, strategy: _s, ...echo } = db;
    const res = await api('PATCH', `/api/v2/connections/${id as string}`, { token, body: { ...echo, options: { ...(echo['options'] as object), disable_self_service_change_password: false } } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().options.disable_self_service_change_password, false, 'stored and returned');
    for (const bad of [{ realms: ['other'] }, { realms: [] }, { is_domain_connection: true }]) {
      const r = await api('PATCH', `/api/v2/connections/${id as string}`, { token, body: bad });
      assert.equal(r.statusCode, 400, `${JSON.stringify(bad)}: ${r.body}`);
      assert.equal(r.json().errorCode, 'invalid_body');
    }
    const sms = list.find((c) => c['strategy'] === 'sms')!;
    const wrong = await api('PATCH', `/api/v2/connections/${sms['id'] as string}`, { token, body: { options: { disable_self_service_change_password: true } } });
    assert.equal(wrong.statusCode, 400, 'a database option on the sms strategy');
  });

  test('GET/PATCH /connections/{id}/clients: read and change which applications use a connection', async () => {
    const { api } = env();
    const token = await env().token();
    const mk = async (name: string) => (await api('POST', '/api/v2/clients', { token, body: { name, app_type: 'non_interactive', grant_types: ['client_credentials'] } })).json().client_id as string;
    const a = await mk('Conn A');
    const b = await mk('Conn B');
    const conn = await api('POST', '/api/v2/connections', { token, body: { name: 'conn-clients', strategy: 'auth0', enabled_clients: [a] } });
    assert.equal(conn.statusCode, 201, conn.body);
    const id = conn.json().id as string;
    const url = `/api/v2/connections/${id}/clients`;
    assert.deepEqual((await api('GET', url, { token })).json(), { clients: [{ client_id: a }] });

    const patched = await api('PATCH', url, { token, body: [{ client_id: b, status: true }, { client_id: a, status: false }] });
    assert.equal(patched.statusCode, 204, patched.body);
    assert.deepEqual((await api('GET', url, { token })).json(), { clients: [{ client_id: b }] });
    assert.deepEqual((await api('GET', `/api/v2/connections/${id}`, { token })).json().enabled_clients, [b]);

    await api('PATCH', url, { token, body: [{ client_id: a, status: true }] });
    const first = (await api('GET', `${url}?take=1`, { token })).json();
    assert.equal(first.clients.length, 1);
    assert.ok(first.next, 'checkpoint paging');
    const second = (await api('GET', `${url}?take=1&from=${first.next}`, { token })).json();
    assert.equal(second.clients.length, 1);
    assert.equal(second.next, undefined);
    assert.deepEqual([first.clients[0].client_id, second.clients[0].client_id].sort(), [a, b].sort());

    for (const bad of [[], [{ client_id: 'unknownclient000000000000000000', status: true }], [{ client_id: a }], { client_id: a, status: true }]) {
      const r = await api('PATCH', url, { token, body: bad });
      assert.equal(r.statusCode, 400, `${JSON.stringify(bad)}: ${r.body}`);
    }
    assert.equal((await api('GET', '/api/v2/connections/con_0000000000000000/clients', { token })).statusCode, 404);
    const readOnly = await env().token(['read:connections']);
    assert.equal((await api('PATCH', url, { token: readOnly, body: [{ client_id: a, status: false }] })).statusCode, 403);
  });

  test('the sms factor can be enabled before any provider exists; the provider then created narrows the message types', async () => {
    const { api } = env();
    const other = await env().createTenant('dcli-order', 'dcli-order.example');
    const call = (method: 'PUT' | 'POST' | 'PATCH' | 'GET', url: string, body?: unknown) =>
      api(method, url, { token: other.token, host: 'dcli-order.example', ...(body !== undefined ? { body } : {}) });
    // Auth0's Deploy CLI writes Guardian factors before phone providers.
    assert.equal((await call('PUT', '/api/v2/guardian/factors/phone/message-types', { message_types: ['sms', 'voice'] })).statusCode, 200);
    const on = await call('PUT', '/api/v2/guardian/factors/sms', { enabled: true });
    assert.equal(on.statusCode, 200, on.body);
    const made = await call('POST', '/api/v2/branding/phone/providers', {
      name: 'twilio',
      configuration: { sid: `AC${'1'.repeat(32)}`, default_from: '+14155550100', delivery_methods: ['text'] },
      credentials: { auth_token: 'order-test-token' },
    });
    assert.equal(made.statusCode, 201, made.body);
    assert.deepEqual((await call('GET', '/api/v2/guardian/factors/phone/message-types')).json(), { message_types: ['sms'] }, 'narrowed to what the provider carries');
    // A disabled provider still refuses the factor, as before.
    assert.equal((await call('PATCH', `/api/v2/branding/phone/providers/${made.json().id}?force=true`, { disabled: true })).statusCode, 200);
    assert.equal((await call('PUT', '/api/v2/guardian/factors/sms', { enabled: false })).statusCode, 200);
    const refused = await call('PUT', '/api/v2/guardian/factors/sms', { enabled: true });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().errorCode, 'phone_provider_not_configured');
  });

  test('a provider created while the sms factor is on must carry one of its message types', async () => {
    const { api } = env();
    const other = await env().createTenant('dcli-voice', 'dcli-voice.example');
    const call = (method: 'PUT' | 'POST' | 'GET', url: string, body?: unknown) =>
      api(method, url, { token: other.token, host: 'dcli-voice.example', ...(body !== undefined ? { body } : {}) });
    await call('PUT', '/api/v2/guardian/factors/phone/message-types', { message_types: ['voice'] });
    await call('PUT', '/api/v2/guardian/factors/sms', { enabled: true });
    const textOnly = {
      name: 'twilio',
      configuration: { sid: `AC${'2'.repeat(32)}`, default_from: '+14155550100', delivery_methods: ['text'] },
      credentials: { auth_token: 'voice-test-token' },
    };
    const refused = await call('POST', '/api/v2/branding/phone/providers', textOnly);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().errorCode, 'message_type_not_supported');
    assert.deepEqual((await call('GET', '/api/v2/branding/phone/providers')).json(), { providers: [] });
    const disabled = await call('POST', '/api/v2/branding/phone/providers', { ...textOnly, disabled: true });
    assert.equal(disabled.statusCode, 201, 'a disabled provider changes nothing for the factor');
  });

  test("Auth0's documented database options round-trip; attributes with an active identifier set the identifiers", async () => {
    const { api } = env();
    const token = await env().token();
    const auth0Options = {
      attributes: {
        email: { identifier: { active: false }, signup: { status: 'optional' } },
        phone_number: { identifier: { active: true }, signup: { status: 'required', verification: { active: true } } },
      },
      passwordPolicy: 'good',
      password_complexity_options: { min_length: 12 },
      password_history: { enable: true, size: 5 },
      requires_username: false,
      mfa: { active: true, return_enroll_settings: true },
      import_mode: false,
      enabledDatabaseCustomization: false,
      precedence: ['phone_number', 'email'],
      realm_fallback: true,
    };
    const made = await api('POST', '/api/v2/connections', { token, body: { name: 'phone-users', strategy: 'auth0', options: auth0Options } });
    assert.equal(made.statusCode, 201, made.body);
    const got = (await api('GET', `/api/v2/connections/${made.json().id}`, { token })).json();
    for (const [k, v] of Object.entries(auth0Options)) assert.deepEqual(got.options[k], v, `options.${k} as given`);
    assert.deepEqual(got.options.identifiers, ['phone_number'], 'attributes decide the identifiers');
    assert.equal(got.options.password_min_length, 12, 'password_complexity_options.min_length is the minimum length');
    // identifiers given alone: the stored attributes' flags follow.
    const both = await api('PATCH', `/api/v2/connections/${made.json().id}`, { token, body: { options: { identifiers: ['email', 'phone_number'] } } });
    assert.equal(both.statusCode, 200, both.body);
    assert.equal(both.json().options.attributes.email.identifier.active, true);
    assert.equal(both.json().options.attributes.email.signup.status, 'optional', 'the rest of the attribute kept');
    // null removes a stored option.
    const removed = await api('PATCH', `/api/v2/connections/${made.json().id}`, { token, body: { options: { passwordPolicy: null } } });
    assert.equal(removed.json().options.passwordPolicy, undefined);
    for (const bad of [
      { attributes: { email: { identifier: { active: false } } } },
      { attributes: { phone_number: { identifier: { active: true } } }, identifiers: ['email'] },
      { passwordPolicy: 'strong' },
      { mfa: { active: 'yes' } },
      { name: 'sender' },
    ]) {
      const r = await api('PATCH', `/api/v2/connections/${made.json().id}`, { token, body: { options: bad } });
      assert.equal(r.statusCode, 400, `${JSON.stringify(bad)}: ${r.body}`);
      assert.equal(r.json().errorCode, 'invalid_body');
    }
    const sms = ((await api('GET', '/api/v2/connections?strategy=sms', { token })).json() as Array<{ id: string }>)[0]!;
    const named = await api('PATCH', `/api/v2/connections/${sms.id}`, { token, body: { options: { name: 'sms' } } });
    assert.equal(named.json().options.name, 'sms', "the sms strategy's name option is stored");
    assert.equal((await api('PATCH', `/api/v2/connections/${sms.id}`, { token, body: { options: { passwordPolicy: 'good' } } })).statusCode, 400);
  });
});
