import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { authServers, enableMfa, phone, sendAndRead, setupTenant, type AuthFixture } from './helpers.js';

const { mock, env: serversEnv } = await authServers();

const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';

describeEachDialect(
  'passwordless SMS hardening: the MFA policy applies, brute_force_protection blocks a number for an IP',
  (env) => {
    let e: TestEnv;
    let f: AuthFixture;
    test('setup', async () => {
      e = env();
      f = await setupTenant(e);
    });

    const call = (url: string, body: Record<string, unknown>, ip = '127.0.0.1') =>
      e.app.inject({ method: 'POST', url, payload: body, remoteAddress: ip, headers: { host: 'localhost' } });
    const start = async (to: string) => {
      const { code } = await sendAndRead(mock, to, async () => {
        const r = await call('/passwordless/start', { client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: to, send: 'code' });
        assert.equal(r.statusCode, 200, r.body);
      });
      return code;
    };
    const login = (to: string, otp: string, ip = '127.0.0.1') =>
      call('/oauth/token', { grant_type: OTP_GRANT, client_id: f.app.clientId, client_secret: f.app.clientSecret, username: to, otp, realm: 'sms' }, ip);
    const wrong = (code: string) => (code === '000000' ? '111111' : '000000');
    const smsConnection = async () => {
      const list = await e.api('GET', '/api/v2/connections?strategy=sms', { token: f.mgmt });
      return (list.json() as Array<{ id: string; name: string }>).find((c) => c.name === 'sms')!;
    };

    test('with the MFA policy on, the passwordless grant answers mfa_required (as Auth0 does), not tokens', async () => {
      await enableMfa(e, f.mgmt);
      try {
        const to = phone();
        const res = await login(to, await start(to));
        assert.equal(res.statusCode, 403, res.body);
        assert.equal(res.json().error, 'mfa_required');
        assert.equal(typeof res.json().mfa_token, 'string');
        assert.equal(res.json().access_token, undefined);
        // The mfa_token opens the MFA flow: the user enrolls a phone with it.
        const assoc = await e.api('POST', '/mfa/associate', {
          headers: { authorization: `Bearer ${res.json().mfa_token}` },
          body: { client_id: f.app.clientId, client_secret: f.app.clientSecret, authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: to },
        });
        assert.equal(assoc.statusCode, 200, assoc.body);
      } finally {
        assert.equal((await e.api('PUT', '/api/v2/guardian/policies', { token: f.mgmt, body: [] })).statusCode, 200);
      }
      const to = phone();
      const plain = await login(to, await start(to));
      assert.equal(plain.statusCode, 200, plain.body);
    });

    /** `n` wrong guesses, a new code after every 3 (a code allows 3 attempts; past them nothing is tested). */
    const guessWrong = async (to: string, n: number) => {
      let code = '';
      for (let i = 0; i < n; i++) {
        if (i % 3 === 0) code = await start(to);
        const r = await login(to, wrong(code));
        assert.equal(r.statusCode, 403, `guess ${i + 1}: ${r.body}`);
        assert.equal(r.json().error, 'invalid_grant');
      }
    };

    test('brute_force_protection on (the default): the 10th wrong code from an IP for a number blocks that IP for it', async () => {
      const to = phone();
      await guessWrong(to, 9);
      const code = await start(to);
      const tenth = await login(to, wrong(code));
      assert.equal(tenth.statusCode, 429, tenth.body);
      assert.equal(tenth.json().error, 'too_many_attempts');
      // Blocked: even a fresh, right code is refused from that IP (and is not spent).
      const fresh = await start(to);
      const refused = await login(to, fresh);
      assert.equal(refused.statusCode, 429, refused.body);
      // Another IP is not blocked, and the number is not blocked for it.
      const elsewhere = await login(to, fresh, '10.1.2.3');
      assert.equal(elsewhere.statusCode, 200, elsewhere.body);
      // Another number from the blocked IP is not blocked either.
      const other = phone();
      assert.equal((await login(other, await start(other))).statusCode, 200);

      // The block is the user's, as Auth0's user-blocks show it (the login from the other IP signed the number up).
      const userId = elsewhere.json().id_token ? JSON.parse(Buffer.from(elsewhere.json().id_token.split('.')[1], 'base64url').toString()).sub : undefined;
      assert.ok(userId, 'the user of the number');
      const blocks = await e.api('GET', `/api/v2/user-blocks/${encodeURIComponent(userId)}`, { token: f.mgmt });
      assert.equal(blocks.statusCode, 200, blocks.body);
      assert.deepEqual(blocks.json().blocked_for, [{ identifier: to, ip: '127.0.0.1', connection: 'sms' }]);
      const byNumber = await e.api('GET', `/api/v2/user-blocks?identifier=${encodeURIComponent(to)}`, { token: f.mgmt });
      assert.deepEqual(byNumber.json().blocked_for.map((b: { ip: string }) => b.ip), ['127.0.0.1']);
      // Lifting it lets a right code in from that IP again.
      assert.equal((await e.api('DELETE', `/api/v2/user-blocks/${encodeURIComponent(userId)}`, { token: f.mgmt })).statusCode, 204);
      assert.deepEqual((await e.api('GET', `/api/v2/user-blocks/${encodeURIComponent(userId)}`, { token: f.mgmt })).json().blocked_for, []);
      assert.equal((await login(to, await start(to))).statusCode, 200, 'unblocked');
    });

    test('a right code clears the failures of that IP for the number', async () => {
      const to = phone();
      await guessWrong(to, 9);
      assert.equal((await login(to, await start(to))).statusCode, 200);
      await guessWrong(to, 9); // the count started again
    });

    test('only guesses that were tested count: replays of a used code and guesses past a code\'s 3 attempts block no one', async () => {
      const to = phone();
      const code = await start(to);
      const results = await Promise.all(Array.from({ length: 12 }, () => login(to, code)));
      assert.equal(results.filter((r) => r.statusCode === 200).length, 1);
      for (const r of results.filter((x) => x.statusCode !== 200)) assert.equal(r.statusCode, 403, r.body);
      const other = phone();
      const c2 = await start(other);
      for (let i = 0; i < 12; i++) assert.equal((await login(other, wrong(c2))).statusCode, 403);
      assert.equal((await login(other, await start(other))).statusCode, 200);
    });

    test('brute_force_protection off: wrong codes are never blocked (each code still allows 3 attempts)', async () => {
      const conn = await smsConnection();
      const off = await e.api('PATCH', `/api/v2/connections/${conn.id}`, { token: f.mgmt, body: { options: { brute_force_protection: false } } });
      assert.equal(off.statusCode, 200, off.body);
      try {
        const to = phone();
        await guessWrong(to, 12);
        assert.equal((await login(to, await start(to))).statusCode, 200);
      } finally {
        await e.api('PATCH', `/api/v2/connections/${conn.id}`, { token: f.mgmt, body: { options: { brute_force_protection: true } } });
      }
    });
  },
  serversEnv,
);
