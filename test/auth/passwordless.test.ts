import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwt } from 'jose';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';
import { authServers, useAuthTenant, assertAuthError, phone, sendAndRead, tenantId, type AuthFixture, type Tls } from './helpers.js';

const { mock, cert, env: serversEnv } = await authServers();

const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';

describeEachDialect(
  'passwordless SMS (official AuthenticationClient over TLS, codes from the Twilio-speaking server)',
  (env) => {
    let e: TestEnv;
    let f: AuthFixture;
    let s: Tls;
    useAuthTenant(env, cert, (x) => ({ e, f, s } = x));

    const start = (to: string, extra: Record<string, unknown> = {}) =>
      s.call('POST', '/passwordless/start', { client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: to, send: 'code', ...extra });
    const login = (to: string, otp: string, app = f.app) =>
      s.call('POST', '/oauth/token', { grant_type: OTP_GRANT, client_id: app.clientId, client_secret: app.clientSecret, username: to, otp, realm: 'sms' });

    test('sendSMS + loginWithSMS: signup on first login, otp_verify text, tokens the client validates against the JWKS', async () => {
      const to = phone();
      const auth = s.authClient(f.app);
      const { code, req } = await sendAndRead(mock, to, () => auth.passwordless.sendSMS({ phone_number: to }));
      assert.equal(req.form['Body'], `${code} is your verification code for default`, 'otp_verify default template');
      assert.equal(code.length, 6);
      const res = await auth.passwordless.loginWithSMS({ phone_number: to, code, scope: 'openid profile phone' });
      const id = decodeJwt(res.data.id_token!);
      assert.equal(id.iss, `https://${s.host}/`);
      assert.equal(id.aud, f.app.clientId);
      assert.match(String(id.sub), /^sms\|[0-9a-f]{24}$/);
      assert.equal(id['phone_number'], to);
      assert.equal(id['phone_number_verified'], true);
      assert.equal(typeof id.iat, 'number');
      const at = decodeJwt(res.data.access_token);
      assert.equal(at.aud, `https://${s.host}/userinfo`);
      assert.equal(at.sub, id.sub);
      // The second login finds the same user, and the start response says the phone is verified.
      const again = await sendAndRead(mock, to, () => start(to));
      assert.equal((again.result as { json: { phone_verified: boolean } }).json.phone_verified, true);
      const second = await login(to, again.code);
      assert.equal(second.status, 200, second.text);
      assert.equal(decodeJwt(second.json.id_token).sub, id.sub);
    });

    test('a public application logs in without a secret; its grant types and connections are enforced', async () => {
      const to = phone();
      // (The official client insists on a secret, so a public application speaks plain HTTP.)
      const { code } = await sendAndRead(mock, to, () => s.call('POST', '/passwordless/start', { client_id: f.spa.clientId, connection: 'sms', phone_number: to, send: 'code' }));
      const res = await s.call('POST', '/oauth/token', { grant_type: OTP_GRANT, client_id: f.spa.clientId, username: to, otp: code, realm: 'sms' });
      assert.equal(res.status, 200, res.text);
      assert.ok(res.json.access_token);
      // A confidential application without its secret is refused.
      const noSecret = await s.call('POST', '/oauth/token', { grant_type: OTP_GRANT, client_id: f.app.clientId, username: to, otp: '000000', realm: 'sms' });
      assertAuthError(noSecret, 401, 'invalid_client');
      const mgmt = f.mgmt;
      const patched = await e.api('PATCH', `/api/v2/clients/${f.other.clientId}`, { token: mgmt, body: { grant_types: ['password'] } });
      assert.equal(patched.statusCode, 200, patched.body);
      assertAuthError(await login(to, '123456', f.other), 403, 'unauthorized_client', `Grant type '${OTP_GRANT}' not allowed for the client.`);
      await e.api('PATCH', `/api/v2/clients/${f.other.clientId}`, { token: mgmt, body: { grant_types: [OTP_GRANT, 'password'] } });
    });

    test('only the newest code is valid, 3 failed attempts per code, then the documented errors', async () => {
      const to = phone();
      const first = await sendAndRead(mock, to, () => start(to));
      const second = await sendAndRead(mock, to, () => start(to));
      if (first.code !== second.code) assertAuthError(await login(to, first.code), 403, 'invalid_grant', 'Wrong phone number or verification code.');
      const wrong = second.code === '000000' ? '111111' : '000000';
      assertAuthError(await login(to, wrong), 403, 'invalid_grant', 'Wrong phone number or verification code.');
      assertAuthError(await login(to, wrong), 403, 'invalid_grant', 'Wrong phone number or verification code.');
      assertAuthError(await login(to, second.code), 403, 'invalid_grant', "You've reached the maximum number of attempts. Please try to login again.");
    });

    test('replayed, expired, wrong-client and wrong-user codes fail', async () => {
      const to = phone();
      const other = phone();
      const a = await sendAndRead(mock, to, () => start(to));
      assert.equal((await login(to, a.code)).status, 200);
      assertAuthError(await login(to, a.code), 403, 'invalid_grant', 'Wrong phone number or verification code.');

      const b = await sendAndRead(mock, to, () => start(to));
      assertAuthError(await login(to, b.code, f.other), 403, 'invalid_grant', 'Wrong phone number or verification code.');
      assertAuthError(await login(other, b.code), 403, 'invalid_grant', 'Wrong phone number or verification code.');

      // Expiry without waiting: the stored deadline is moved into the past (the code itself stays unknown to the test).
      await e.c.storage.db.updateTable('otp_codes').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('tenant_id', '=', await tenantId(e)).where('subject', '=', `sms|${to}`).execute();
      assertAuthError(await login(to, b.code), 403, 'invalid_grant', 'The verification code has expired. Please try to login again.');
    });

    test('20 concurrent verifications of one correct code: exactly one succeeds', async () => {
      const to = phone();
      const { code } = await sendAndRead(mock, to, () => start(to));
      const results = await Promise.all(Array.from({ length: 20 }, () => login(to, code)));
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      for (const r of results.filter((x) => x.status !== 200)) assertAuthError(r, 403, 'invalid_grant');
    });

    test('code length and lifetime come from the connection; a test number uses its fixed code', async () => {
      const tid = { id: await tenantId(e) };
      const conn = (await e.c.identity.directory.connections.byName(tid, 'sms'))!;
      await e.c.identity.directory.connections.update(tid, conn.id, { options: { totp: { length: 8, time_step: 600 } } });
      const to = phone();
      const before = Date.now();
      const { code } = await sendAndRead(mock, to, () => start(to));
      assert.equal(code.length, 8);
      const row = await e.c.storage.db.selectFrom('otp_codes').selectAll().where('subject', '=', `sms|${to}`).executeTakeFirstOrThrow();
      assert.ok(Date.parse(row.expires_at) - before >= 590_000);
      assert.notEqual(row.code_hash, code, 'only the HMAC is stored');
      assert.equal(row.code_hash.length, 64);
      await e.c.identity.directory.connections.update(tid, conn.id, { options: { totp: { length: 6, time_step: 180 } } });

      const testNumber = phone();
      const put = await e.api('PUT', '/api/v2/branding/phone/test-numbers', { token: f.mgmt, body: { numbers: [{ number: testNumber, code: '246810' }] } });
      assert.equal(put.statusCode, 200, put.body);
      const mark = mock.requests.length;
      assert.equal((await start(testNumber)).status, 200);
      assert.equal((await login(testNumber, '246810')).status, 200);
      assert.equal(mock.requests.slice(mark).filter((r) => r.form['To'] === testNumber).length, 0, 'a test number never reaches the provider');
    });

    test('send limits: the 11th code within an hour answers 429 too_many_attempts', async () => {
      const to = phone();
      for (let i = 0; i < 10; i++) assert.equal((await start(to)).status, 200);
      assertAuthError(await start(to), 429, 'too_many_attempts');
    });

    test('send limits hold under concurrency: 25 starts at once for one number send exactly 10 codes', async () => {
      const to = phone();
      const mark = mock.requests.length;
      const results = await Promise.all(Array.from({ length: 25 }, () => start(to)));
      assert.equal(results.filter((r) => r.status === 200).length, 10, results.map((r) => r.status).join(','));
      for (const r of results.filter((x) => x.status !== 200)) assertAuthError(r, 429, 'too_many_attempts');
      await waitFor('the ten texts', () => (mock.requests.slice(mark).filter((r) => r.form['To'] === to).length >= 10 ? true : undefined));
      const sent = await e.c.storage.db.selectFrom('otp_codes').select('id').where('subject', 'like', `%${to}`).execute();
      assert.equal(sent.length, 10, 'no code is stored beyond the limit');
      assert.equal(mock.requests.slice(mark).filter((r) => r.form['To'] === to).length, 10);
    });

    test('disable_signup refuses unknown numbers; bad input answers Auth0 bad.* errors', async () => {
      const tid = { id: await tenantId(e) };
      const conn = (await e.c.identity.directory.connections.byName(tid, 'sms'))!;
      await e.c.identity.directory.connections.update(tid, conn.id, { options: { disable_signup: true } });
      assertAuthError(await start(phone()), 400, 'bad.request', 'Public signup is disabled');
      await e.c.identity.directory.connections.update(tid, conn.id, { options: { disable_signup: false } });

      const base = { client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: '+14155550123' };
      const cases: Array<[unknown, number, string, string?]> = [
        [{ ...base, client_id: undefined }, 400, 'bad.client_id', 'Missing required property: client_id'],
        [{ ...base, client_id: 'nobody' }, 400, 'bad.client_id'],
        [{ ...base, connection: undefined }, 400, 'bad.connection', 'Missing required property: connection'],
        [{ ...base, connection: 'nope' }, 400, 'bad.connection', 'Connection does not exist'],
        [{ ...base, connection: 'Username-Password-Authentication' }, 400, 'bad.connection', 'Invalid connection strategy. It must either be a passwordless connection'],
        [{ ...base, phone_number: undefined }, 400, 'bad.phone_number', 'Missing required property: phone_number'],
        [{ ...base, phone_number: '4155550123' }, 400, 'bad.phone_number', 'String does not match pattern: ^\\+[0-9]{1,15}$'],
        [{ ...base, phone_number: '+1' }, 400, 'bad.phone_number', 'The phone_number is not a valid phone number in E.164 format'],
        [{ ...base, phone_number: '+04155552671' }, 400, 'bad.phone_number', 'The phone_number is not a valid phone number in E.164 format'],
        [{ ...base, authParams: 'x' }, 400, 'bad.authParams', 'error in authParams - invalid type: string (expected object)'],
        [{ ...base, surprise: 1 }, 400, 'bad.request', 'the following properties are not allowed: surprise'],
        [{ ...base, send: 'carrier-pigeon' }, 400, 'bad.request'],
        [{ ...base, client_secret: 'wrong' }, 401, 'invalid_client'],
        ['[1,2]', 400, 'invalid_body'],
        ['{"broken"', 400, 'invalid_json'],
      ];
      for (const [body, status, error, desc] of cases) assertAuthError(await s.call('POST', '/passwordless/start', body), status, error, desc);
      const grantCases: Array<[Record<string, unknown>, number, string]> = [
        [{ grant_type: OTP_GRANT, client_id: f.app.clientId, client_secret: f.app.clientSecret, otp: '1', realm: 'sms' }, 400, 'invalid_request'],
        [{ grant_type: OTP_GRANT, client_id: f.app.clientId, client_secret: f.app.clientSecret, username: '+14155550123', realm: 'sms' }, 400, 'invalid_request'],
        [{ grant_type: OTP_GRANT, client_id: f.app.clientId, client_secret: f.app.clientSecret, username: '+14155550123', otp: '1', realm: 'nope' }, 400, 'invalid_request'],
        [{ grant_type: OTP_GRANT, client_id: f.app.clientId, client_secret: f.app.clientSecret, username: '+14155550123', otp: 5, realm: 'sms' }, 400, 'invalid_body'],
        [{ grant_type: 'urn:nope', client_id: f.app.clientId }, 400, 'unsupported_grant_type'],
      ];
      for (const [body, status, error] of grantCases) assertAuthError(await s.call('POST', '/oauth/token', body), status, error);
      // Form bodies go through the same grant dispatcher.
      const form = await s.call('POST', '/oauth/token', new URLSearchParams({ grant_type: OTP_GRANT, client_id: f.app.clientId, client_secret: f.app.clientSecret, username: '+14155550123', otp: '1', realm: 'sms' }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
      assertAuthError(form, 403, 'invalid_grant', 'Wrong phone number or verification code.');
    });

    test('the openid configuration lists the grant types', async () => {
      const doc = (await s.call('GET', '/.well-known/openid-configuration')).json;
      for (const g of ['password', OTP_GRANT, 'http://auth0.com/oauth/grant-type/mfa-oob', 'refresh_token']) assert.ok(doc.grant_types_supported.includes(g), g);
    });
  },
  serversEnv,
);
