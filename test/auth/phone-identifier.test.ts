import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwt } from 'jose';
import { hashPassword } from '../../src/domain/auth/passwords.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { authServers, useAuthTenant, assertAuthError, phone, received, sendAndRead, tenantId, type AuthFixture, type Tls } from './helpers.js';

const { mock, cert, env: serversEnv } = await authServers();

const REALM = 'Username-Password-Authentication';
const PASSWORD = 'Kq7!vLr2#pZx9w';
const NEW_PASSWORD = 'Zt4$mWq8&yRb3n';

describeEachDialect(
  'phone as identifier: signup, verification, login, password reset; brute-force and breach notices',
  (env) => {
    let e: TestEnv;
    let f: AuthFixture;
    let s: Tls;
    useAuthTenant(env, cert, (x) => ({ e, f, s } = x));

    const target = (to: string) => ({ client_id: f.app.clientId, connection: REALM, phone_number: to });
    const signUp = async () => {
      const to = phone();
      const r = await sendAndRead(mock, to, () => s.call('POST', '/dbconnections/signup', { ...target(to), password: PASSWORD }));
      const res = r.result as { status: number; json: Record<string, unknown> };
      assert.equal(res.status, 200, JSON.stringify(res.json));
      const v = await s.call('POST', '/dbconnections/verify_phone', { ...target(to), code: r.code });
      assert.equal(v.status, 200, v.text);
      return to;
    };

    test('signup with phone and password sends otp_verify; verify_phone marks it verified; login with phone + password', async () => {
      const to = phone();
      const r = await sendAndRead(mock, to, () => s.call('POST', '/dbconnections/signup', { ...target(to), password: PASSWORD, user_metadata: { plan: 'x' } }));
      const res = r.result as { status: number; json: Record<string, unknown> };
      assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.equal(res.json['phone_number'], to);
      assert.equal(res.json['phone_verified'], false);
      assert.equal(r.req.form['Body'], `${r.code} is your verification code for default`);
      const wrong = r.code === '000000' ? '111111' : '000000';
      assertAuthError(await s.call('POST', '/dbconnections/verify_phone', { ...target(to), code: wrong }), 403, 'invalid_grant', 'Wrong phone number or verification code.');
      const v = await s.call('POST', '/dbconnections/verify_phone', { ...target(to), code: r.code });
      assert.equal(v.status, 200, v.text);
      assert.equal(v.json.phone_verified, true);
      assertAuthError(await s.call('POST', '/dbconnections/verify_phone', { ...target(to), code: r.code }), 403, 'invalid_grant');

      const login = await s.authClient(f.app).oauth.passwordGrant({ username: to, password: PASSWORD, realm: REALM, scope: 'openid profile phone' });
      const id = decodeJwt(login.data.id_token!);
      assert.equal(id['phone_number'], to);
      assert.equal(id['phone_number_verified'], true);
      assert.match(String(id.sub), /^auth0\|/);
      // The plain password grant uses the default database connection.
      const plain = await s.authClient(f.app).oauth.passwordGrant({ username: to, password: PASSWORD });
      assert.ok(plain.data.access_token);
      try {
        await s.authClient(f.app).oauth.passwordGrant({ username: to, password: 'not-the-password-1', realm: REALM });
        assert.fail('a wrong password logged in');
      } catch (err) {
        assert.equal((err as { error: string }).error, 'invalid_grant');
        assert.equal((err as { error_description: string }).error_description, 'Wrong email or password.');
      }
    });

    test('password reset by phone: change_password sends a change_password code; reset_password sets the password', async () => {
      const to = await signUp();
      const realmGrant = { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: f.app.clientId, client_secret: f.app.clientSecret, realm: REALM };
      const session = await s.call('POST', '/oauth/token', { ...realmGrant, username: to, password: PASSWORD, scope: 'openid offline_access' });
      assert.equal(session.status, 200, session.text);
      const refreshToken = (session.json as { refresh_token?: string }).refresh_token;
      assert.ok(refreshToken, 'a refresh token from the old password');
      const r = await sendAndRead(mock, to, () => s.call('POST', '/dbconnections/change_password', target(to)));
      const res = r.result as { status: number; text: string };
      assert.equal(res.status, 200);
      assert.equal(res.text, "We've just sent you a message to reset your password.");
      assert.equal(r.req.form['Body'], `${r.code} is your password change code for default`, 'change_password template');
      // An unknown number gets the very same answer, and no message.
      const nobody = phone();
      const mark = mock.requests.length;
      const unknown = await s.call('POST', '/dbconnections/change_password', target(nobody));
      assert.equal(unknown.status, 200);
      assert.equal(unknown.text, res.text);
      // A refused password does not spend the code (and is refused the same way for a number without an account).
      assertAuthError(await s.call('POST', '/dbconnections/reset_password', { ...target(to), code: r.code, new_password: 'short' }), 400, 'invalid_password');
      assertAuthError(await s.call('POST', '/dbconnections/reset_password', { ...target(nobody), code: r.code, new_password: 'short' }), 400, 'invalid_password');
      const ok = await s.call('POST', '/dbconnections/reset_password', { ...target(to), code: r.code, new_password: NEW_PASSWORD });
      assert.equal(ok.status, 200, ok.text);
      assertAuthError(await s.call('POST', '/dbconnections/reset_password', { ...target(to), code: r.code, new_password: NEW_PASSWORD }), 403, 'invalid_grant');
      const login = await s.authClient(f.app).oauth.passwordGrant({ username: to, password: NEW_PASSWORD, realm: REALM });
      assert.ok(login.data.access_token);
      // The reset ended the session the old password had opened.
      const refreshed = await s.call('POST', '/oauth/token', { grant_type: 'refresh_token', client_id: f.app.clientId, client_secret: f.app.clientSecret, refresh_token: refreshToken });
      assertAuthError(refreshed, 403, 'invalid_grant');
      assert.equal(mock.requests.slice(mark).filter((x) => x.form['To'] === nobody).length, 0);
    });

    test('a password set through the Management API ends the sessions the old one opened', async () => {
      const to = await signUp();
      const realmGrant = { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: f.app.clientId, client_secret: f.app.clientSecret, realm: REALM };
      const session = await s.call('POST', '/oauth/token', { ...realmGrant, username: to, password: PASSWORD, scope: 'openid offline_access' });
      assert.equal(session.status, 200, session.text);
      const { refresh_token: refreshToken, id_token: idToken } = session.json as { refresh_token: string; id_token: string };
      const refresh = () => s.call('POST', '/oauth/token', { grant_type: 'refresh_token', client_id: f.app.clientId, client_secret: f.app.clientSecret, refresh_token: refreshToken });
      assert.equal((await refresh()).status, 200, 'the refresh token works before the change');
      const userId = decodeJwt(idToken).sub!;
      const patched = await e.api('PATCH', `/api/v2/users/${encodeURIComponent(userId)}`, { token: f.mgmt, body: { password: NEW_PASSWORD } });
      assert.equal(patched.statusCode, 200, patched.body);
      assertAuthError(await refresh(), 403, 'invalid_grant');
      assert.equal((await s.call('POST', '/oauth/token', { ...realmGrant, username: to, password: NEW_PASSWORD })).status, 200);
    });

    test('brute force: the 10th wrong password blocks the IP and sends blocked_account; a reset unblocks', async () => {
      const to = await signUp();
      const grant = (password: string) =>
        s.call('POST', '/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: f.app.clientId, client_secret: f.app.clientSecret, username: to, password, realm: REALM });
      const mark = mock.requests.length;
      for (let i = 0; i < 9; i++) assertAuthError(await grant(`wrong-password-${i}`), 403, 'invalid_grant', 'Wrong email or password.');
      assertAuthError(await grant('wrong-password-9'), 429, 'too_many_attempts');
      const notice = await received(mock, to, mark);
      assert.match(notice.form['Body']!, /^We detected suspicious activity on your account from the ip 127\.0\.0\.1\. Logins from this IP have been blocked/);
      assertAuthError(await grant(PASSWORD), 429, 'too_many_attempts');
      const r = await sendAndRead(mock, to, () => s.call('POST', '/dbconnections/change_password', target(to)));
      assert.equal((await s.call('POST', '/dbconnections/reset_password', { ...target(to), code: r.code, new_password: NEW_PASSWORD })).status, 200);
      assert.equal((await grant(NEW_PASSWORD)).status, 200);
    });

    test('a breached password: login sends password_breach and is refused until reset', async () => {
      const to = await signUp();
      const tid = await tenantId(e);
      const user = (await e.c.identity.directory.findForLogin({ id: tid }, REALM, to))!;
      // Lists grow after signup: the user's password became a breached one (set directly, as no API accepts it).
      await e.c.repos.users.update(tid, user.userId, { passwordHash: await hashPassword('password1') });
      const mark = mock.requests.length;
      const res = await s.call('POST', '/oauth/token', { grant_type: 'password', client_id: f.app.clientId, client_secret: f.app.clientSecret, username: to, password: 'password1' });
      assertAuthError(res, 403, 'password_leaked');
      const notice = await received(mock, to, mark);
      assert.match(notice.form['Body']!, /^We detected that the password of your default account was found in a data breach/);
    });

    test('signup refusals and bad input on /dbconnections/* answer Auth0 error bodies', async () => {
      const to = phone();
      const cases: Array<[string, unknown, number, string]> = [
        ['/dbconnections/signup', { ...target(to), password: 'password1' }, 400, 'password_breached'],
        ['/dbconnections/signup', { ...target(to), password: 'short' }, 400, 'invalid_password'],
        ['/dbconnections/signup', { ...target(to) }, 400, 'invalid_request'],
        ['/dbconnections/signup', { ...target('12'), password: PASSWORD }, 400, 'invalid_request'],
        ['/dbconnections/signup', { ...target(to), connection: 'sms', password: PASSWORD }, 400, 'invalid_request'],
        ['/dbconnections/signup', { ...target(to), client_id: 'nobody', password: PASSWORD }, 400, 'invalid_request'],
        ['/dbconnections/signup', { ...target(to), password: 12 }, 400, 'invalid_body'],
        ['/dbconnections/signup', '[]', 400, 'invalid_body'],
        ['/dbconnections/verify_phone', { ...target(to) }, 400, 'invalid_request'],
        ['/dbconnections/verify_phone', { ...target(to), code: '123456' }, 403, 'invalid_grant'],
        ['/dbconnections/change_password', { client_id: f.app.clientId, connection: REALM, email: 'a@example.com' }, 400, 'invalid_request'],
        ['/dbconnections/change_password', { client_id: f.app.clientId }, 400, 'invalid_request'],
        ['/dbconnections/reset_password', { ...target(to), code: '123456' }, 400, 'invalid_request'],
        ['/dbconnections/reset_password', { ...target(to), code: '123456', new_password: NEW_PASSWORD }, 403, 'invalid_grant'],
        ['/dbconnections/reset_password', '{"a":', 400, 'invalid_json'],
      ];
      for (const [path, body, status, error] of cases) assertAuthError(await s.call('POST', path, body), status, error);
      const existing = await signUp();
      const dup = await s.call('POST', '/dbconnections/signup', { ...target(existing), password: PASSWORD });
      assert.ok(dup.status === 400 || dup.status === 409, dup.text);
      assert.equal(typeof dup.json.error, 'string');
    });

    test('a reset code refused by the velocity limits is not reported: change_password answers as for a stranger', async () => {
      const to = await signUp();
      const limit = (recipient: unknown) => e.api('PATCH', '/api/v2/attack-protection/phone-velocity-limits', { token: f.mgmt, body: { rules: { recipient } } });
      assert.equal((await limit({ limit: 1 })).statusCode, 200);
      try {
        const mark = mock.requests.length;
        const res = await s.call('POST', '/dbconnections/change_password', target(to));
        assert.equal(res.status, 200, res.text);
        assert.equal(res.text, "We've just sent you a message to reset your password.");
        assert.equal(mock.requests.slice(mark).filter((r) => r.form['To'] === to).length, 0);
        const logs = await e.api('GET', '/api/v2/logs?q=type:phone_send_denied&per_page=100', { token: f.mgmt });
        assert.ok(logs.json().some((l: { details?: { reason?: string } }) => l.details?.reason === 'velocity_recipient'), logs.body);
      } finally {
        assert.equal((await limit(null)).statusCode, 200);
      }
    });
  },
  serversEnv,
);
