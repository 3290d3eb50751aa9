import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect } from '../helpers/harness.js';

const PASSWORD = 'Unifone-test-pass-8421';
const enc = encodeURIComponent;

describeEachDialect('identity: users, connections and passwords through the Management API', (env) => {
  let token: string;
  let userId: string;

  test('setup: a token; every tenant has the two default connections', async () => {
    token = await env().token();
    const res = await env().api('GET', '/api/v2/connections', { token });
    assert.equal(res.statusCode, 200, res.body);
    const byName = Object.fromEntries(res.json().map((c: { name: string }) => [c.name, c]));
    const db = byName['Username-Password-Authentication'];
    assert.equal(db.strategy, 'auth0');
    assert.deepEqual(db.options.identifiers, ['email', 'phone_number', 'username']);
    assert.equal(db.options.brute_force_threshold, 10);
    assert.equal(db.options.breached_password_action, 'block');
    assert.match(db.id, /^con_[A-Za-z0-9]{16}$/);
    const sms = byName['sms'];
    assert.deepEqual(sms.options, { totp: { length: 6, time_step: 180 }, disable_signup: false, brute_force_protection: true });
    assert.ok(sms.enabled_clients.includes(env().bootstrap.clientId), 'enabled for the clients of the tenant');
    const onlySms = await env().api('GET', '/api/v2/connections?strategy=sms', { token });
    assert.deepEqual(onlySms.json().map((c: { name: string }) => c.name), ['sms']);
  });

  test('POST /users creates a database user in Auth0 shape, without any password or hash', async () => {
    env().neverReveal.add(PASSWORD);
    const res = await env().api('POST', '/api/v2/users', {
      token,
      body: {
        connection: 'Username-Password-Authentication',
        email: 'Ada@Example.com',
        phone_number: '+14155552671',
        phone_verified: true,
        username: 'ada_l',
        password: PASSWORD,
        user_metadata: { theme: 'dark' },
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const u = res.json();
    userId = u.user_id;
    assert.match(userId, /^auth0\|[0-9a-f]{24}$/);
    assert.equal(u.email, 'ada@example.com');
    assert.equal(u.email_verified, false);
    assert.equal(u.phone_number, '+14155552671');
    assert.equal(u.phone_verified, true);
    assert.deepEqual(u.identities, [{ connection: 'Username-Password-Authentication', user_id: userId.slice(6), provider: 'auth0', isSocial: false }]);
    assert.equal(u.logins_count, 0);
    assert.equal(u.blocked, false);
    assert.deepEqual(u.user_metadata, { theme: 'dark' });
    assert.ok(!('password' in u) && !('password_hash' in u));

    const stored = await env().c.repos.users.get((await env().c.repos.tenants.findByName('default'))!.id, userId);
    assert.ok(stored?.passwordHash);
    assert.notEqual(stored.passwordHash, PASSWORD);
    assert.ok(!stored.passwordHash.includes(PASSWORD));
    assert.match(stored.passwordHash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    // From here on, any response or log line holding the hash fails the run (harness).
    env().neverReveal.add(stored.passwordHash);
    env().neverReveal.add(stored.passwordHash.split('$')[5]!);
  });

  test('duplicates, bad identifiers, short and breached passwords are refused', async () => {
    const post = (body: Record<string, unknown>) => env().api('POST', '/api/v2/users', { token, body: { connection: 'Username-Password-Authentication', ...body } });
    const dup = await post({ email: 'ada@example.com', password: 'Another-pass-7731' });
    assert.equal(dup.statusCode, 409, dup.body);
    assert.equal(dup.json().errorCode, 'user_exists');
    assert.equal((await post({ phone_number: '+1 415 555 2671', password: 'Another-pass-7731' })).json().errorCode, 'user_exists');

    const breached = await post({ email: 'bob@example.com', password: 'Password1' });
    assert.equal(breached.statusCode, 400);
    assert.equal(breached.json().errorCode, 'password_breached');
    assert.equal(breached.json().error, 'Bad Request');
    const short = await post({ email: 'bob@example.com', password: 'x7!' });
    assert.equal(short.json().errorCode, 'invalid_password');
    assert.equal((await post({ email: 'bob@example.com' })).json().errorCode, 'invalid_body');
    assert.equal((await post({ email: 'not-an-email', password: 'Another-pass-7731' })).json().errorCode, 'invalid_body');
    assert.equal((await post({ phone_number: '+999', password: 'Another-pass-7731' })).json().errorCode, 'invalid_body');
    const noConn = await env().api('POST', '/api/v2/users', { token, body: { connection: 'nope', email: 'c@example.com', password: 'Another-pass-7731' } });
    assert.equal(noConn.statusCode, 400);
    const missing = await env().api('POST', '/api/v2/users', { token, body: { email: 'c@example.com' } });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().message, /connection/);
  });

  test('sms users need a phone number and take no password', async () => {
    const ok = await env().api('POST', '/api/v2/users', { token, body: { connection: 'sms', phone_number: '+14155552672', phone_verified: true } });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.match(ok.json().user_id, /^sms\|[0-9a-f]{24}$/);
    assert.equal(ok.json().identities[0].provider, 'sms');
    const pw = await env().api('POST', '/api/v2/users', { token, body: { connection: 'sms', phone_number: '+14155552673', password: 'Another-pass-7731' } });
    assert.equal(pw.statusCode, 400);
    const noPhone = await env().api('POST', '/api/v2/users', { token, body: { connection: 'sms', email: 'x@example.com' } });
    assert.equal(noPhone.statusCode, 400);
  });

  test('GET /users lists newest first, with q on email or phone, pages and totals', async () => {
    const all = (await env().api('GET', '/api/v2/users', { token })).json();
    assert.equal(all.length, 2);
    assert.ok(all.some((u: { user_id: string }) => u.user_id === userId));
    const byEmail = (await env().api('GET', `/api/v2/users?q=${enc('EXAMPLE.com')}`, { token })).json();
    assert.deepEqual(byEmail.map((u: { user_id: string }) => u.user_id), [userId]);
    const byPhone = (await env().api('GET', `/api/v2/users?q=${enc('phone_number:"+14155552672"')}&search_engine=v3`, { token })).json();
    assert.equal(byPhone.length, 1);
    assert.equal(byPhone[0].phone_number, '+14155552672');
    const literal = (await env().api('GET', `/api/v2/users?q=${enc('%')}`, { token })).json();
    assert.equal(literal.length, 0, '% is matched literally');
    const paged = (await env().api('GET', '/api/v2/users?per_page=1&page=1&include_totals=true', { token })).json();
    assert.equal(paged.total, 2);
    assert.equal(paged.start, 1);
    assert.equal(paged.users.length, 1);
    assert.equal(paged.users[0].user_id, all[1].user_id, 'page 1 of 1 per page is the second of the list');
  });

  test('GET and PATCH /users/{id}: profile, flags, metadata merge, password change', async () => {
    const got = await env().api('GET', `/api/v2/users/${enc(userId)}`, { token });
    assert.equal(got.statusCode, 200);
    assert.equal(got.json().username, 'ada_l');
    const res = await env().api('PATCH', `/api/v2/users/${enc(userId)}`, {
      token,
      body: { name: 'Ada Lovelace', email_verified: true, blocked: true, app_metadata: { plan: 'pro' }, user_metadata: { theme: null, lang: 'en' } },
    });
    assert.equal(res.statusCode, 200, res.body);
    const u = res.json();
    assert.equal(u.name, 'Ada Lovelace');
    assert.equal(u.email_verified, true);
    assert.equal(u.blocked, true);
    assert.deepEqual(u.app_metadata, { plan: 'pro' });
    assert.deepEqual(u.user_metadata, { lang: 'en' });
    const breached = await env().api('PATCH', `/api/v2/users/${enc(userId)}`, { token, body: { password: 'iloveyou' } });
    assert.equal(breached.json().errorCode, 'password_breached');
    const moved = await env().api('PATCH', `/api/v2/users/${enc(userId)}`, { token, body: { connection: 'sms' } });
    assert.equal(moved.statusCode, 400);
    const unblocked = await env().api('PATCH', `/api/v2/users/${enc(userId)}`, { token, body: { blocked: false } });
    assert.equal(unblocked.json().blocked, false);
  });

  test('PATCH /users/{id}: concurrent metadata merges all survive; a refused change leaves the password alone', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => env().api('PATCH', `/api/v2/users/${enc(userId)}`, { token, body: { user_metadata: { [`k${i}`]: i } } })),
    );
    assert.deepEqual(results.map((r) => r.statusCode), Array(10).fill(200));
    const merged = (await env().api('GET', `/api/v2/users/${enc(userId)}`, { token })).json().user_metadata;
    for (let i = 0; i < 10; i++) assert.equal(merged[`k${i}`], i, `k${i} kept: ${JSON.stringify(merged)}`);

    const other = await env().api('POST', '/api/v2/users', { token, body: { connection: 'Username-Password-Authentication', email: 'taken@example.com', password: PASSWORD } });
    assert.equal(other.statusCode, 201, other.body);
    const before = (await env().api('GET', `/api/v2/users/${enc(userId)}`, { token })).json();
    const NEW = 'A-new-password-that-must-not-land-41';
    env().neverReveal.add(NEW);
    const clash = await env().api('PATCH', `/api/v2/users/${enc(userId)}`, { token, body: { email: 'taken@example.com', password: NEW } });
    assert.equal(clash.statusCode, 409, clash.body);
    const after = (await env().api('GET', `/api/v2/users/${enc(userId)}`, { token })).json();
    assert.equal(after.email, before.email);
    assert.equal(after.last_password_reset, before.last_password_reset, 'the password did not change');
    const tenant = (await env().c.repos.tenants.findByName('default'))!;
    const check = await env().c.identity.directory.verifyPassword(tenant, await env().c.identity.directory.getUser(tenant, userId), NEW, '198.51.100.77');
    assert.equal(check.ok, false);
  });

  test('connections: create, read, update, validation, delete (with its users)', async () => {
    const create = await env().api('POST', '/api/v2/connections', {
      token,
      body: { name: 'staff-db', strategy: 'auth0', options: { identifiers: ['username'], brute_force_threshold: 3, password_min_length: 12 }, enabled_clients: [env().bootstrap.clientId] },
    });
    assert.equal(create.statusCode, 201, create.body);
    const conn = create.json();
    assert.deepEqual(conn.options.identifiers, ['username']);
    assert.equal(conn.options.breached_password_action, 'block', 'defaults fill the rest');
    assert.equal((await env().api('POST', '/api/v2/connections', { token, body: { name: 'staff-db', strategy: 'auth0' } })).json().errorCode, 'connection_exists');
    const bad = async (body: Record<string, unknown>, status = 400) => {
      const r = await env().api('POST', '/api/v2/connections', { token, body });
      assert.equal(r.statusCode, status, `${JSON.stringify(body)} → ${r.body}`);
    };
    await bad({ name: 'x1', strategy: 'sms', options: { totp: { length: 3 } } });
    await bad({ name: 'x1', strategy: 'sms', options: { totp: { time_step: 4000 } } });
    await bad({ name: 'x1', strategy: 'auth0', options: { totp: { length: 6 } } });
    await bad({ name: 'x1', strategy: 'google-oauth2' });
    await bad({ name: 'has space', strategy: 'auth0' });
    await bad({ name: 'x1', strategy: 'auth0', enabled_clients: ['unknownclient'] });
    await bad({ name: 'sms', strategy: 'sms' }, 409);

    const email = await env().api('POST', '/api/v2/users', { token, body: { connection: 'staff-db', email: 'e@example.com', password: 'Long-enough-pass-1' } });
    assert.equal(email.statusCode, 400, 'the connection takes usernames only');
    const short = await env().api('POST', '/api/v2/users', { token, body: { connection: 'staff-db', username: 'grace', password: 'Short-pass1' } });
    assert.equal(short.json().errorCode, 'invalid_password');
    const staff = await env().api('POST', '/api/v2/users', { token, body: { connection: 'staff-db', username: 'grace', password: 'Long-enough-pass-1' } });
    assert.equal(staff.statusCode, 201, staff.body);

    const patched = await env().api('PATCH', `/api/v2/connections/${conn.id}`, { token, body: { options: { brute_force_threshold: 5 } } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().options.brute_force_threshold, 5);
    assert.equal(patched.json().options.password_min_length, 12);
    const smsId = (await env().api('GET', '/api/v2/connections?strategy=sms', { token })).json()[0].id;
    const smsPatch = await env().api('PATCH', `/api/v2/connections/${smsId}`, { token, body: { options: { totp: { length: 8 }, disable_signup: true } } });
    assert.deepEqual(smsPatch.json().options, { totp: { length: 8, time_step: 180 }, disable_signup: true, brute_force_protection: true });
    const wrongOpt = await env().api('PATCH', `/api/v2/connections/${smsId}`, { token, body: { options: { password_min_length: 10 } } });
    assert.equal(wrongOpt.statusCode, 400);

    assert.equal((await env().api('GET', `/api/v2/connections/${conn.id}`, { token })).statusCode, 200);
    // An MFA enrollment of the connection's user: it must go with the user.
    const tenantId = (await env().c.repos.tenants.findByName('default'))!.id;
    await env().c.storage.db
      .insertInto('mfa_enrollments')
      .values({ id: 'dev_STAFFSTAFFSTAFF1', tenant_id: tenantId, user_id: staff.json().user_id, type: 'phone', phone_number: '+14155552699', preferred_method: 'sms', status: 'confirmed', created_at: '2026-01-01T00:00:00.000Z', confirmed_at: '2026-01-01T00:00:01.000Z', last_auth: null })
      .execute();
    assert.equal((await env().api('GET', '/api/v2/guardian/enrollments/dev_STAFFSTAFFSTAFF1', { token })).statusCode, 200);
    const staffId = staff.json().user_id as string;
    await env().c.storage.db.insertInto('recovery_codes').values({ tenant_id: tenantId, user_id: staffId, code_hash: 'h', created_at: '2026-01-01T00:00:00.000Z' }).execute();
    await env().c.storage.db
      .insertInto('refresh_tokens')
      .values({ token_hash: 'staff-refresh', tenant_id: tenantId, user_id: staffId, client_id: env().bootstrap.clientId, scope: 'openid', audience: null, created_at: '2026-01-01T00:00:00.000Z', expires_at: '2999-01-01T00:00:00.000Z', revoked_at: null })
      .execute();
    const leftOf = async () =>
      Promise.all(
        (['mfa_enrollments', 'recovery_codes', 'refresh_tokens', 'login_failures'] as const).map(async (t) => (await env().c.storage.db.selectFrom(t).select('user_id').where('user_id', '=', staffId).execute()).length),
      );
    assert.deepEqual(await leftOf(), [1, 1, 1, 0]);
    assert.equal((await env().api('DELETE', `/api/v2/connections/${conn.id}`, { token })).statusCode, 204);
    assert.equal((await env().api('GET', '/api/v2/guardian/enrollments/dev_STAFFSTAFFSTAFF1', { token })).statusCode, 404, "the users' MFA enrollments went with them");
    assert.deepEqual(await leftOf(), [0, 0, 0, 0], 'nothing of its users is left');
    assert.equal((await env().api('GET', `/api/v2/connections/${conn.id}`, { token })).json().errorCode, 'inexistent_connection');
    assert.equal((await env().api('GET', `/api/v2/users/${enc(staff.json().user_id)}`, { token })).statusCode, 404, 'its users went with it');
  });

  test('authentication methods and Guardian enrollments read the MFA enrollments', async () => {
    const tenantId = (await env().c.repos.tenants.findByName('default'))!.id;
    const row = (id: string, status: string) => ({
      id, tenant_id: tenantId, user_id: userId, type: 'phone', phone_number: '+14155552671', preferred_method: 'sms',
      status, created_at: '2026-01-01T00:00:00.000Z', confirmed_at: status === 'confirmed' ? '2026-01-01T00:00:01.000Z' : null, last_auth: null,
    });
    await env().c.storage.db.insertInto('mfa_enrollments').values([row('dev_AAAAAAAAAAAAAAA1', 'confirmed'), row('dev_AAAAAAAAAAAAAAA2', 'pending')]).execute();
    const list = await env().api('GET', `/api/v2/users/${enc(userId)}/authentication-methods`, { token });
    assert.equal(list.statusCode, 200, list.body);
    assert.equal(list.json().length, 2);
    const m = list.json()[0];
    assert.equal(m.id, 'phone|dev_AAAAAAAAAAAAAAA1');
    assert.equal(m.type, 'phone');
    assert.equal(m.confirmed, true);
    assert.equal(m.preferred_authentication_method, 'sms');
    const paged = (await env().api('GET', `/api/v2/users/${enc(userId)}/authentication-methods?per_page=1&include_totals=true`, { token })).json();
    assert.equal(paged.total, 2);
    assert.equal(paged.authenticators.length, 1);
    const one = await env().api('GET', `/api/v2/users/${enc(userId)}/authentication-methods/${enc('sms|dev_AAAAAAAAAAAAAAA1')}`, { token });
    assert.equal(one.json().id, 'phone|dev_AAAAAAAAAAAAAAA1');
    const g = await env().api('GET', '/api/v2/guardian/enrollments/dev_AAAAAAAAAAAAAAA2', { token });
    assert.equal(g.statusCode, 200, g.body);
    assert.equal(g.json().status, 'pending');
    assert.equal((await env().api('GET', `/api/v2/users/${enc(userId)}/enrollments`, { token })).json().length, 2);
    assert.equal((await env().api('DELETE', '/api/v2/guardian/enrollments/dev_AAAAAAAAAAAAAAA2', { token })).statusCode, 204);
    assert.equal((await env().api('GET', '/api/v2/guardian/enrollments/dev_AAAAAAAAAAAAAAA2', { token })).json().errorCode, 'inexistent_enrollment');
    assert.equal((await env().api('DELETE', `/api/v2/users/${enc(userId)}/authentication-methods/${enc('phone|dev_AAAAAAAAAAAAAAA1')}`, { token })).statusCode, 204);
    assert.deepEqual((await env().api('GET', `/api/v2/users/${enc(userId)}/authentication-methods`, { token })).json(), []);
  });

  test("another tenant cannot see or change this tenant's users and connections", async () => {
    const other = await env().createTenant('other-identity', 'other-identity.example');
    const opts = { token: other.token, host: 'other-identity.example' };
    assert.equal((await env().api('GET', `/api/v2/users/${enc(userId)}`, opts)).statusCode, 404);
    assert.equal((await env().api('PATCH', `/api/v2/users/${enc(userId)}`, { ...opts, body: { blocked: true } })).statusCode, 404);
    assert.equal((await env().api('DELETE', `/api/v2/users/${enc(userId)}`, opts)).statusCode, 404);
    assert.equal((await env().api('GET', `/api/v2/user-blocks/${enc(userId)}`, opts)).statusCode, 404);
    assert.deepEqual((await env().api('GET', '/api/v2/users', opts)).json(), []);
    const mine = (await env().api('GET', '/api/v2/connections', { token })).json()[0];
    assert.equal((await env().api('GET', `/api/v2/connections/${mine.id}`, opts)).statusCode, 404);
    const theirs = (await env().api('GET', '/api/v2/connections', opts)).json();
    assert.equal(theirs.length, 2, 'their own defaults');
    assert.ok(!theirs.some((c: { id: string }) => c.id === mine.id));
    const dup = await env().api('POST', '/api/v2/users', { ...opts, body: { connection: 'Username-Password-Authentication', email: 'ada@example.com', password: 'Another-pass-7731' } });
    assert.equal(dup.statusCode, 201, 'identifiers are unique per tenant, not across tenants');
  });

  test('DELETE /users/{id}, then 404; scopes are enforced', async () => {
    const readOnly = await env().token(['read:users']);
    const denied = await env().api('DELETE', `/api/v2/users/${enc(userId)}`, { token: readOnly });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().errorCode, 'insufficient_scope');
    assert.equal((await env().api('DELETE', `/api/v2/users/${enc(userId)}`, { token })).statusCode, 204);
    const gone = await env().api('GET', `/api/v2/users/${enc(userId)}`, { token });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().errorCode, 'inexistent_user');
    assert.equal((await env().api('DELETE', `/api/v2/users/${enc(userId)}`, { token })).statusCode, 404);
  });

  test('bad input on the new routes answers with the Auth0 body', async () => {
    for (const [method, url, body] of [
      ['GET', '/api/v2/users/not-a-user', undefined],
      ['GET', '/api/v2/users?per_page=0', undefined],
      ['POST', '/api/v2/users', { connection: 'sms', phone_number: 12 }],
      ['PATCH', `/api/v2/users/${enc('auth0|abc')}`, { blocked: 'yes' }],
      ['GET', '/api/v2/user-blocks', undefined],
      ['GET', '/api/v2/connections/con_x', undefined],
      ['POST', '/api/v2/connections', { name: 'a', strategy: 'auth0', options: { brute_force_threshold: 0 } }],
      ['GET', '/api/v2/guardian/enrollments/nope', undefined],
      ['GET', `/api/v2/users/${enc('auth0|abc')}/authentication-methods/bogus`, undefined],
    ] as const) {
      const res = await env().api(method, url, { token, ...(body ? { body } : {}) });
      assert.equal(res.statusCode, 400, `${method} ${url} → ${res.body}`);
      const b = res.json();
      assert.equal(b.statusCode, 400);
      assert.equal(b.error, 'Bad Request');
      assert.equal(typeof b.message, 'string');
      assert.match(b.errorCode, /^invalid_(body|uri|query_string)$/);
    }
  });
});
