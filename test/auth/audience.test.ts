import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwt } from 'jose';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { authServers, useAuthTenant, assertAuthError, phone, sendAndRead, type AuthFixture, type Tls } from './helpers.js';

const { mock, cert, env: serversEnv } = await authServers();

const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const REALM_GRANT = 'http://auth0.com/oauth/grant-type/password-realm';
const REALM = 'Username-Password-Authentication';
const PASSWORD = 'Kq7!vLr2#pZx9w';

/** A user login may only name an API the tenant registered (Auth0: 403 access_denied "Service not found: X"). */
describeEachDialect(
  'user logins: the audience must be an API of the tenant',
  (env) => {
    let e: TestEnv;
    let f: AuthFixture;
    let s: Tls;
    useAuthTenant(env, cert, (x) => ({ e, f, s } = x));

    const API = 'https://api.example.com/orders';
    const UNKNOWN = 'https://api.example.com/unregistered';
    let email: string;

    test('setup: a user with a password', async () => {
      email = `aud-${Date.now()}@example.com`;
      const res = await e.api('POST', '/api/v2/users', { token: f.mgmt, body: { connection: REALM, email, password: PASSWORD } });
      assert.equal(res.statusCode, 201, res.body);
    });

    const passwordGrant = (audience?: string) =>
      s.call('POST', '/oauth/token', {
        grant_type: REALM_GRANT,
        client_id: f.app.clientId,
        client_secret: f.app.clientSecret,
        realm: REALM,
        username: email,
        password: PASSWORD,
        ...(audience !== undefined ? { audience } : {}),
      });

    test('password grants: an unregistered audience is refused as Auth0 refuses it, a registered one is signed', async () => {
      assertAuthError(await passwordGrant(UNKNOWN), 403, 'access_denied', `Service not found: ${UNKNOWN}`);
      assertAuthError(
        await s.call('POST', '/oauth/token', { grant_type: 'password', client_id: f.app.clientId, client_secret: f.app.clientSecret, username: email, password: PASSWORD, audience: UNKNOWN }),
        403,
        'access_denied',
        `Service not found: ${UNKNOWN}`,
      );
      // Without an audience: the userinfo audience, as before.
      const plain = await passwordGrant();
      assert.equal(plain.status, 200, plain.text);
      assert.equal(decodeJwt(plain.json.access_token).aud, `https://${s.host}/userinfo`);

      const created = await e.api('POST', '/api/v2/resource-servers', { token: f.mgmt, body: { identifier: API, name: 'Orders' } });
      assert.equal(created.statusCode, 201, created.body);
      const ok = await passwordGrant(API);
      assert.equal(ok.status, 200, ok.text);
      assert.equal(decodeJwt(ok.json.access_token).aud, API);
      // Another tenant's API is no API of this one, and a near miss is not the registered identifier.
      assertAuthError(await passwordGrant(`${API}/`), 403, 'access_denied', `Service not found: ${API}/`);
    });

    test('passwordless grant: an unregistered audience is refused before the code is spent', async () => {
      const to = phone();
      const { code } = await sendAndRead(mock, to, () =>
        s.call('POST', '/passwordless/start', { client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: to, send: 'code' }),
      );
      const login = (audience: string) =>
        s.call('POST', '/oauth/token', { grant_type: OTP_GRANT, client_id: f.app.clientId, client_secret: f.app.clientSecret, username: to, otp: code, realm: 'sms', audience });
      assertAuthError(await login(UNKNOWN), 403, 'access_denied', `Service not found: ${UNKNOWN}`);
      const ok = await login(API);
      assert.equal(ok.status, 200, ok.text);
      assert.equal(decodeJwt(ok.json.access_token).aud, API);
    });

    test('client credentials: the Management API audience still works, any other audience is not found', async () => {
      const mgmtAudience = `https://${s.host}/api/v2/`;
      const base = { grant_type: 'client_credentials', client_id: e.bootstrap.clientId, client_secret: e.bootstrap.clientSecret };
      const ok = await s.call('POST', '/oauth/token', { ...base, audience: mgmtAudience });
      assert.equal(ok.status, 200, ok.text);
      assertAuthError(await s.call('POST', '/oauth/token', { ...base, audience: UNKNOWN }), 403, 'access_denied', `Service not found: ${UNKNOWN}`);
    });
  },
  serversEnv,
);
