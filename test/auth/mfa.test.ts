import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwt } from 'jose';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { authServers, useAuthTenant, SID, TWILIO_TOKEN, assertAuthError, phone, sendAndRead, tenantId, type App, type AuthFixture, type Tls } from './helpers.js';

const { mock, cert, env: serversEnv } = await authServers();

const OOB = 'http://auth0.com/oauth/grant-type/mfa-oob';
const RECOVERY = 'http://auth0.com/oauth/grant-type/mfa-recovery-code';
const REALM = 'Username-Password-Authentication';
const PASSWORD = 'Kq7!vLr2#pZx9w';

describeEachDialect(
  'phone MFA (official client for mfa_required, plain HTTP for /mfa/*, codes from the Twilio-speaking server)',
  (env) => {
    let e: TestEnv;
    let f: AuthFixture;
    let s: Tls;
    useAuthTenant(env, cert, (x) => ({ e, f, s } = x), { mfa: true });

    let n = 0;
    const newUser = async () => {
      const email = `mfa${++n}-${e.dialect}@example.com`;
      await e.c.identity.directory.createUser({ id: await tenantId(e) }, { connection: REALM, email, password: PASSWORD });
      return email;
    };
    /** The password grant through the official client: 403 mfa_required with an mfa_token. */
    const mfaToken = async (email: string, app: App = f.app): Promise<string> => {
      try {
        await s.authClient(app).oauth.passwordGrant({ username: email, password: PASSWORD, realm: REALM, scope: 'openid profile offline_access' });
      } catch (err) {
        const x = err as { error: string; error_description: string; statusCode: number; body: string };
        assert.equal(x.error, 'mfa_required');
        assert.equal(x.error_description, 'Multifactor authentication required');
        assert.equal(x.statusCode, 403);
        return JSON.parse(x.body).mfa_token as string;
      }
      throw new Error('the password grant did not ask for MFA');
    };
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    /** The application's credentials, as every /mfa/associate and /mfa/challenge call carries them. */
    const appCreds = (app: App = f.app) => ({ client_id: app.clientId, client_secret: app.clientSecret });
    const oob = (token: string, oobCode: string, bindingCode: string | undefined, app: App = f.app) =>
      s.call('POST', '/oauth/token', { grant_type: OOB, client_id: app.clientId, client_secret: app.clientSecret, mfa_token: token, oob_code: oobCode, ...(bindingCode !== undefined ? { binding_code: bindingCode } : {}) });
    const challenge = (token: string, extra: Record<string, unknown> = {}, app: App = f.app) =>
      s.call('POST', '/mfa/challenge', { client_id: app.clientId, client_secret: app.clientSecret, mfa_token: token, challenge_type: 'oob', ...extra });

    /** Enrolls a new user's phone by SMS; returns what later tests need. */
    const enrolled = async () => {
      const email = await newUser();
      const to = phone();
      const token = await mfaToken(email);
      const a = await sendAndRead(mock, to, () => s.call('POST', '/mfa/associate', { ...appCreds(), authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: to }, bearer(token)));
      const assoc = (a.result as { json: { oob_code: string; recovery_codes: string[] } }).json;
      const done = await oob(token, assoc.oob_code, a.code);
      assert.equal(done.status, 200, done.text);
      return { email, to, recovery: assoc.recovery_codes[0]!, assoc };
    };

    /** Passes an SMS challenge for the mfa_token's user; the tokens of the original request. */
    const completeMfa = async (mt: string, to: string): Promise<{ access_token: string; expires_in: number; scope: string }> => {
      const ch = await sendAndRead(mock, to, () => challenge(mt));
      const done = await oob(mt, (ch.result as { json: { oob_code: string } }).json.oob_code, ch.code);
      assert.equal(done.status, 200, done.text);
      return done.json as { access_token: string; expires_in: number; scope: string };
    };
    /** An access token for the MFA API (`https://{host}/mfa/`) with `scope`, through MFA. */
    const mfaApiToken = async (email: string, to: string, scope: string): Promise<string> => {
      const asked = await s.call('POST', '/oauth/token', {
        grant_type: 'http://auth0.com/oauth/grant-type/password-realm',
        client_id: f.app.clientId,
        client_secret: f.app.clientSecret,
        realm: REALM,
        username: email,
        password: PASSWORD,
        audience: `https://${s.host}/mfa/`,
        scope,
      });
      assertAuthError(asked, 403, 'mfa_required');
      return (await completeMfa((asked.json as { mfa_token: string }).mfa_token, to)).access_token;
    };

    test('SMS enrollment: associate sends otp_enroll, the mfa-oob grant confirms it, the tokens are the original request', async () => {
      const email = await newUser();
      const to = phone();
      const token = await mfaToken(email);
      const claims = decodeJwt(token);
      assert.equal(claims.aud, `https://${s.host}/mfa/`);
      assert.equal(claims['typ'], 'mfa_token');
      assert.ok(claims.exp! - claims.iat! <= 600);
      assert.deepEqual((await s.call('GET', '/mfa/authenticators', undefined, bearer(token))).json, []);
      const a = await sendAndRead(mock, to, () => s.call('POST', '/mfa/associate', { ...appCreds(), authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: to }, bearer(token)));
      const res = (a.result as { status: number; json: Record<string, unknown>; headers: Headers });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store', 'an oob_code and recovery codes are never cached');
      assert.equal(res.json['authenticator_type'], 'oob');
      assert.equal(res.json['binding_method'], 'prompt');
      assert.equal(res.json['oob_channel'], 'sms');
      assert.match(String(res.json['oob_code']), /^[A-Za-z0-9]{32}$/);
      const codes = res.json['recovery_codes'] as string[];
      assert.equal(codes.length, 1);
      assert.match(codes[0]!, /^[A-Z0-9]{24}$/);
      assert.equal(a.req.form['Body'], `${a.code} is your verification code for default. Please enter this code to verify your enrollment.`, 'otp_enroll template');
      const rc = await e.c.storage.db.selectFrom('recovery_codes').selectAll().executeTakeFirstOrThrow();
      assert.notEqual(rc.code_hash, codes[0], 'the recovery code is stored hashed');

      assertAuthError(await oob(token, String(res.json['oob_code']), undefined), 400, 'invalid_request', 'Missing required parameter: binding_code');
      const wrong = a.code === '000000' ? '111111' : '000000';
      assertAuthError(await oob(token, String(res.json['oob_code']), wrong), 403, 'invalid_grant', 'Invalid binding_code.');
      const ok = await oob(token, String(res.json['oob_code']), a.code);
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.scope, 'openid profile offline_access');
      assert.ok(ok.json.refresh_token, 'offline_access gives a refresh token');
      const id = decodeJwt(ok.json.id_token);
      assert.equal(id.aud, f.app.clientId);
      assert.equal(id.iss, `https://${s.host}/`);
      assertAuthError(await oob(token, String(res.json['oob_code']), a.code), 403, 'invalid_grant', 'Invalid oob_code.');

      // Enrolled: the mfa_token no longer enrolls; the authenticators list shows the phone twice and the recovery code.
      assertAuthError(await s.call('POST', '/mfa/associate', { ...appCreds(), authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: to }, bearer(token)), 403, 'access_denied', 'User is already enrolled');
      const list = (await s.call('GET', '/mfa/authenticators', undefined, bearer(token))).json as Array<Record<string, unknown>>;
      assert.equal(list.length, 3);
      const [smsA, voiceA, rcA] = list;
      assert.match(String(smsA!['id']), /^sms\|dev_[A-Za-z0-9]{16}$/);
      assert.equal(String(voiceA!['id']).split('|')[1], String(smsA!['id']).split('|')[1]);
      assert.deepEqual([smsA!['oob_channel'], voiceA!['oob_channel']], ['sms', 'voice']);
      assert.equal(smsA!['authenticator_type'], 'oob');
      assert.equal(smsA!['active'], true);
      assert.equal(smsA!['name'], `XXXXXXX${to.slice(-4)}`);
      assert.match(String(rcA!['id']), /^recovery-code\|dev_/);

      // A refresh token gives new tokens for the same user.
      const refreshed = await s.call('POST', '/oauth/token', { grant_type: 'refresh_token', client_id: f.app.clientId, client_secret: f.app.clientSecret, refresh_token: ok.json.refresh_token });
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.equal(refreshed.json.scope, decodeJwt(refreshed.json.access_token)['scope'], 'the scope answered is the scope of the token issued');
      assert.equal(refreshed.json.refresh_token, undefined);
      assert.equal(decodeJwt(refreshed.json.access_token).sub, id.sub);
      assertAuthError(await s.call('POST', '/oauth/token', { grant_type: 'refresh_token', client_id: f.other.clientId, client_secret: f.other.clientSecret, refresh_token: ok.json.refresh_token }), 403, 'invalid_grant');
    });

    test('SMS challenge and voice challenge send otp_verify by the chosen channel', async () => {
      const u = await enrolled();
      const token = await mfaToken(u.email);
      const sms = await sendAndRead(mock, u.to, () => challenge(token));
      const smsRes = (sms.result as { json: Record<string, unknown> }).json;
      assert.deepEqual(Object.keys(smsRes).sort(), ['binding_method', 'challenge_type', 'oob_code']);
      assert.equal(smsRes['challenge_type'], 'oob');
      assert.equal(sms.req.resource, 'Messages');
      assert.equal(sms.req.form['Body'], `${sms.code} is your verification code for default`, 'otp_verify template');
      assert.equal((await oob(token, String(smsRes['oob_code']), sms.code)).status, 200);

      const list = (await s.call('GET', '/mfa/authenticators', undefined, bearer(token))).json as Array<{ id: string }>;
      const voiceId = list.find((a) => a.id.startsWith('voice|'))!.id;
      const voice = await sendAndRead(mock, u.to, () => challenge(token, { authenticator_id: voiceId }));
      assert.equal(voice.req.resource, 'Calls');
      assert.match(voice.req.form['Twiml']!, /Your verification code for default is/);
      const voiceRes = (voice.result as { json: { oob_code: string } }).json;
      assert.equal((await oob(token, voiceRes.oob_code, voice.code)).status, 200);
      const byChannel = await sendAndRead(mock, u.to, () => challenge(token, { oob_channel: 'voice' }));
      assert.equal(byChannel.req.resource, 'Calls');
    });

    test('concurrent challenges leave one live oob_code; password-reset codes do not use up the MFA budget', async () => {
      const u = await enrolled();
      const token = await mfaToken(u.email);
      const userId = String(decodeJwt(token).sub);
      const results = await Promise.all(Array.from({ length: 6 }, () => challenge(token)));
      assert.deepEqual(results.map((r) => r.status), Array(6).fill(200));
      const live = await e.c.storage.db
        .selectFrom('otp_codes')
        .select('id')
        .where('subject', '=', userId)
        .where('purpose', '=', 'mfa_challenge')
        .where('consumed_at', 'is', null)
        .execute();
      assert.equal(live.length, 1, 'each challenge replaced the one before it, concurrent or not');
      // Ten reset codes sent to the user this hour (anyone who knows the number can ask for them).
      const tid = await tenantId(e);
      const now = new Date().toISOString();
      await e.c.storage.db
        .insertInto('otp_codes')
        .values(Array.from({ length: 10 }, (_, i) => ({ id: `reset${i}${userId.replace(/\W/g, '')}`, tenant_id: tid, purpose: 'password_reset', subject: userId, client_id: f.app.clientId, channel: 'sms', enrollment_id: null, code_hash: 'x', attempts: 0, max_attempts: 3, expires_at: now, consumed_at: now, created_at: now })))
        .execute();
      // 1 enrollment + 6 challenges + 10 resets: the MFA budget (enrollment and challenges) still has room.
      assert.equal((await challenge(token)).status, 200);
      const over = await Promise.all(Array.from({ length: 5 }, () => challenge(token)));
      assert.deepEqual(over.map((r) => r.status).sort(), [200, 200, 429, 429, 429], 'the MFA budget itself is 10 an hour, concurrency or not');
    });

    test('recovery-code login returns a new recovery code; the old one is spent', async () => {
      const u = await enrolled();
      const token = await mfaToken(u.email);
      const res = await s.call('POST', '/oauth/token', { grant_type: RECOVERY, client_id: f.app.clientId, client_secret: f.app.clientSecret, mfa_token: token, recovery_code: u.recovery });
      assert.equal(res.status, 200, res.text);
      assert.ok(res.json.access_token);
      assert.match(res.json.recovery_code, /^[A-Z0-9]{24}$/);
      assert.notEqual(res.json.recovery_code, u.recovery);
      const again = await s.call('POST', '/oauth/token', { grant_type: RECOVERY, client_id: f.app.clientId, client_secret: f.app.clientSecret, mfa_token: token, recovery_code: u.recovery });
      assertAuthError(again, 403, 'invalid_grant', 'Invalid recovery_code.');
      const next = await s.call('POST', '/oauth/token', { grant_type: RECOVERY, client_id: f.app.clientId, client_secret: f.app.clientSecret, mfa_token: token, recovery_code: res.json.recovery_code });
      assert.equal(next.status, 200);
    });

    test('wrong-client, wrong-user, expired, malformed and replayed attempts fail with the documented errors', async () => {
      const a = await enrolled();
      const b = await enrolled();
      const ta = await mfaToken(a.email);
      const tb = await mfaToken(b.email);
      const ch = await sendAndRead(mock, a.to, () => challenge(ta));
      const oobCode = (ch.result as { json: { oob_code: string } }).json.oob_code;
      assertAuthError(await oob(ta, oobCode, ch.code, f.other), 400, 'invalid_request', 'mfa_token not issued to this client');
      assertAuthError(await challenge(ta, {}, f.other), 400, 'invalid_request', 'mfa_token not issued to this client');
      assertAuthError(await oob(tb, oobCode, ch.code), 400, 'invalid_request', "The oob_code doesn't match the mfa_token");
      assertAuthError(await oob('not.a.token', oobCode, ch.code), 403, 'invalid_grant', 'Malformed mfa_token');
      // An access token is not an mfa_token, and an mfa_token is not an access token.
      const mgmtAsMfa = await s.call('GET', '/mfa/authenticators', undefined, bearer(f.mgmt));
      assertAuthError(mgmtAsMfa, 403, 'invalid_grant', 'Malformed mfa_token');
      assert.equal((await s.call('GET', '/api/v2/clients', undefined, bearer(ta))).status, 401);
      const tid = await tenantId(e);
      const claims = decodeJwt(ta);
      const expired = await e.c.tokenKeys.sign(tid, { iss: claims.iss, aud: claims.aud, sub: claims.sub, azp: claims['azp'], typ: 'mfa_token', scope: 'openid' }, -5);
      assertAuthError(await oob(expired, oobCode, ch.code), 403, 'expired_token', 'mfa_token is expired');
      await e.c.storage.db.updateTable('otp_codes').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', oobCode).execute();
      assertAuthError(await oob(ta, oobCode, ch.code), 403, 'expired_token', 'oob_code is expired');
      const ch2 = await sendAndRead(mock, a.to, () => challenge(ta));
      const code2 = (ch2.result as { json: { oob_code: string } }).json.oob_code;
      assert.equal((await oob(ta, code2, ch2.code)).status, 200);
      assertAuthError(await oob(ta, code2, ch2.code), 403, 'invalid_grant', 'Invalid oob_code.');
    });

    test('challenge errors, authenticator deletion and bad input on /mfa/*', async () => {
      const fresh = await newUser();
      const t = await mfaToken(fresh);
      assertAuthError(await challenge(t), 400, 'association_required');
      const u = await enrolled();
      const token = await mfaToken(u.email);
      assertAuthError(await challenge(token, { challenge_type: 'otp' }), 400, 'unsupported_challenge_type');
      assertAuthError(await challenge(token, { oob_channel: 'carrier-pigeon' }), 400, 'unsupported_challenge_type');
      assertAuthError(await challenge(token, { authenticator_id: 'sms|dev_nope' }), 400, 'invalid_request');
      assertAuthError(await s.call('POST', '/mfa/associate', { ...appCreds(), authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: '+1' }, bearer(t)), 400, 'invalid_request');
      assertAuthError(await s.call('POST', '/mfa/associate', { ...appCreds(), authenticator_types: ['otp'] }, bearer(t)), 400, 'unsupported_challenge_type');
      assertAuthError(await s.call('POST', '/mfa/associate', { ...appCreds(), authenticator_types: 'oob' }, bearer(t)), 400, 'invalid_body');
      assertAuthError(await s.call('POST', '/mfa/associate', { ...appCreds(), authenticator_types: ['oob'] }), 401, 'missing_authentication');
      // The application authenticates on associate too: a confidential one needs its secret, and the mfa_token must be its own.
      const enroll = { authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: phone() };
      assertAuthError(await s.call('POST', '/mfa/associate', { client_id: f.app.clientId, ...enroll }, bearer(t)), 401, 'invalid_client', 'Client authentication is required');
      assertAuthError(await s.call('POST', '/mfa/associate', { ...appCreds(), client_secret: 'wrong', ...enroll }, bearer(t)), 401, 'invalid_client');
      assertAuthError(await s.call('POST', '/mfa/associate', enroll, bearer(t)), 400, 'invalid_request', 'Missing required parameter: client_id');
      assertAuthError(await s.call('POST', '/mfa/associate', { ...appCreds(f.other), ...enroll }, bearer(t)), 400, 'invalid_request', 'mfa_token not issued to this client');
      assertAuthError(await s.call('POST', '/mfa/challenge', { client_id: f.app.clientId }), 400, 'invalid_body');
      assertAuthError(await s.call('POST', '/mfa/challenge', '{"x":'), 400, 'invalid_json');

      // An mfa_token proves the password only: it lists the authenticators but cannot remove one
      // (a stolen password could otherwise remove the phone and enroll another).
      const list = (await s.call('GET', '/mfa/authenticators', undefined, bearer(token))).json as Array<{ id: string }>;
      const id = encodeURIComponent(list[0]!.id);
      assertAuthError(await s.call('DELETE', `/mfa/authenticators/${id}`, undefined, bearer(token)), 403, 'insufficient_scope');
      assertAuthError(await s.call('POST', '/mfa/associate', { ...appCreds(), authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: phone() }, bearer(token)), 403, 'access_denied', 'User is already enrolled');
      assert.equal(((await s.call('GET', '/mfa/authenticators', undefined, bearer(token))).json as unknown[]).length, list.length, 'nothing was removed');

      // Removing takes an access token for the MFA API with remove:authenticators, got through MFA.
      const api = await mfaApiToken(u.email, u.to, 'openid read:authenticators remove:authenticators');
      assertAuthError(await s.call('DELETE', '/mfa/authenticators/garbage', undefined, bearer(api)), 400, 'invalid_request');
      assert.deepEqual(((await s.call('GET', '/mfa/authenticators', undefined, bearer(api))).json as Array<{ id: string }>).map((x) => x.id), list.map((x) => x.id));
      const del = await s.call('DELETE', `/mfa/authenticators/${id}`, undefined, bearer(api));
      assert.equal(del.status, 204, del.text);
      const left = (await s.call('GET', '/mfa/authenticators', undefined, bearer(api))).json as Array<{ id: string }>;
      assert.deepEqual(left.map((x) => x.id.split('|')[0]), ['recovery-code']);
      assertAuthError(await s.call('DELETE', `/mfa/authenticators/${id}`, undefined, bearer(api)), 404, 'not_found');
    });

    test('MFA API tokens: asked for at login, issued after the second factor when the user has one, whatever the policy', async () => {
      const mfaApi = `https://${s.host}/mfa/`;
      const realm = { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: f.app.clientId, client_secret: f.app.clientSecret, realm: REALM, password: PASSWORD };
      const u = await enrolled();
      const fresh = await newUser();
      assert.equal((await e.api('PUT', '/api/v2/guardian/policies', { token: f.mgmt, body: [] })).statusCode, 200);
      try {
        // Without the policy a plain login needs no MFA, but a token for the MFA API does: the user has a phone.
        assert.equal((await s.call('POST', '/oauth/token', { ...realm, username: u.email })).status, 200);
        // A user login never gets a Management API token, nor another host's MFA API, whatever the spelling.
        for (const audience of [`https://${s.host}/api/v2/`, `https://${s.host}./api/v2/`, 'https://elsewhere.example/api/v2', 'https://elsewhere.example/mfa/']) {
          assertAuthError(await s.call('POST', '/oauth/token', { ...realm, username: fresh, audience }), 403, 'access_denied', `Service not found: ${audience}`);
        }
        // And a user's token that names the Management API anyway (signed by the tenant) opens nothing there.
        const userClaims = decodeJwt((await s.call('POST', '/oauth/token', { ...realm, username: fresh })).json.access_token);
        const forged = await e.c.tokenKeys.sign(await tenantId(e), { ...userClaims, aud: `https://${s.host}/api/v2/`, scope: 'read:clients' }, 60);
        const refused = await s.call('GET', '/api/v2/clients', undefined, bearer(forged));
        assert.equal(refused.status, 401, refused.text);
        assert.equal(refused.json.errorCode, 'invalid_token');
        const asked = await s.call('POST', '/oauth/token', { ...realm, username: u.email, audience: mfaApi, scope: 'remove:authenticators' });
        assertAuthError(asked, 403, 'mfa_required');
        const viaMfa = await completeMfa((asked.json as { mfa_token: string }).mfa_token, u.to);
        const claims = decodeJwt(viaMfa.access_token);
        assert.equal(claims.aud, mfaApi);
        assert.equal(claims['scope'], 'remove:authenticators');
        assert.equal(claims['typ'], undefined);
        assert.equal(viaMfa.expires_in, 600, 'MFA API tokens live 10 minutes');
        assert.ok(claims.exp! - claims.iat! <= 600);

        // A user with no authenticator gets one at once; it carries only the MFA API scopes asked for.
        const direct = await s.call('POST', '/oauth/token', { ...realm, username: fresh, audience: mfaApi, scope: 'read:authenticators enroll offline_access' });
        assert.equal(direct.status, 200, direct.text);
        const dt = direct.json as { access_token: string; scope: string; refresh_token?: string };
        assert.equal(dt.scope, 'read:authenticators offline_access', 'enroll is not granted: enrolling with this token is not built');
        assertAuthError(
          await s.call('POST', '/mfa/associate', { ...appCreds(), authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: phone() }, bearer(dt.access_token)),
          403,
          'access_denied',
          /not supported yet/,
        );
        assert.deepEqual((await s.call('GET', '/mfa/authenticators', undefined, bearer(dt.access_token))).json, []);
        assertAuthError(await s.call('DELETE', '/mfa/authenticators/sms%7Cdev_abc', undefined, bearer(dt.access_token)), 403, 'insufficient_scope');
        // Other tokens are no MFA API tokens: a userinfo access token, an id_token.
        const plain = (await s.call('POST', '/oauth/token', { ...realm, username: fresh, scope: 'openid remove:authenticators' })).json as { access_token: string; id_token: string; scope: string };
        assert.equal(plain.scope, 'openid', 'MFA API scopes are granted only for the MFA API audience');
        for (const t of [plain.access_token, plain.id_token]) assertAuthError(await s.call('DELETE', '/mfa/authenticators/sms%7Cdev_abc', undefined, bearer(t)), 403, 'insufficient_scope');

        // Once the user has an authenticator, a refresh token cannot stand in for the second factor.
        const to = phone();
        const mt = await (async () => {
          assert.equal((await e.api('PUT', '/api/v2/guardian/policies', { token: f.mgmt, body: ['all-applications'] })).statusCode, 200);
          return mfaToken(fresh);
        })();
        const a = await sendAndRead(mock, to, () => s.call('POST', '/mfa/associate', { ...appCreds(), authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: to }, bearer(mt)));
        assert.equal((await oob(mt, (a.result as { json: { oob_code: string } }).json.oob_code, a.code)).status, 200);
        assertAuthError(
          await s.call('POST', '/oauth/token', { grant_type: 'refresh_token', client_id: f.app.clientId, client_secret: f.app.clientSecret, refresh_token: dt.refresh_token }),
          403,
          'invalid_grant',
        );
      } finally {
        assert.equal((await e.api('PUT', '/api/v2/guardian/policies', { token: f.mgmt, body: ['all-applications'] })).statusCode, 200);
      }
    });

    test('legacy mode: MFA texts go through the Guardian configuration', async () => {
      const u = await enrolled();
      const legacyFrom = '+14155550199';
      assert.equal((await e.api('PATCH', '/api/v2/tenants/settings', { token: f.mgmt, body: { phone_consolidated_experience: false } })).statusCode, 200);
      assert.equal((await e.api('PUT', '/api/v2/guardian/factors/phone/providers/twilio', { token: f.mgmt, body: { sid: SID, from: legacyFrom, auth_token: TWILIO_TOKEN } })).statusCode, 200);
      assert.equal((await e.api('PUT', '/api/v2/guardian/factors/phone/selected-provider', { token: f.mgmt, body: { provider: 'twilio' } })).statusCode, 200);
      const token = await mfaToken(u.email);
      const ch = await sendAndRead(mock, u.to, () => challenge(token));
      assert.equal(ch.req.form['From'], legacyFrom);
      const rows = await e.c.storage.db.selectFrom('notifications').select(['channel', 'type']).where('recipient', '=', u.to).orderBy('created_at', 'desc').execute();
      assert.deepEqual(rows[0], { channel: 'legacy', type: 'otp_verify' });
      assert.equal((await oob(token, (ch.result as { json: { oob_code: string } }).json.oob_code, ch.code)).status, 200);
      await e.api('PATCH', '/api/v2/tenants/settings', { token: f.mgmt, body: { phone_consolidated_experience: true } });
    });
  },
  serversEnv,
);
