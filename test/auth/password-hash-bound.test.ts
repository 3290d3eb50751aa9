import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { authServers, phone, setupTenant, tenantId, type AuthFixture } from './helpers.js';

const { env: serversEnv } = await authServers();

/**
 * Password grants and signups wait for a password-hashing slot; with the slot taken and no room to
 * wait, they are refused with 429 and Retry-After instead of queueing without bound.
 */
describeEachDialect(
  'password hashing is bounded: logins and signups past the queue get 429 too_many_requests',
  (env) => {
    let e: TestEnv;
    let f: AuthFixture;
    let tid: string;
    test('setup', async () => {
      e = env();
      f = await setupTenant(e);
      tid = await tenantId(e);
    });

    const grant = () =>
      e.api('POST', '/oauth/token', {
        body: { grant_type: 'password', client_id: f.spa.clientId, username: `nobody-${phone()}@example.com`, password: 'Kq7!vLr2#pZx9w' },
      });
    const signup = () =>
      e.api('POST', '/dbconnections/signup', {
        body: { client_id: f.app.clientId, connection: 'Username-Password-Authentication', phone_number: phone(), password: 'Kq7!vLr2#pZx9w' },
      });

    test('with every hashing slot busy and no room to wait, a password grant for an unknown user and a signup get 429', async () => {
      let release!: () => void;
      const busy = e.c.identity.hashing.run(tid, 'someone-else', () => new Promise<void>((r) => (release = r)));
      try {
        for (const res of [await grant(), await signup()]) {
          assert.equal(res.statusCode, 429, res.body);
          assert.deepEqual(Object.keys(res.json()).sort(), ['error', 'error_description']);
          assert.equal(res.json().error, 'too_many_requests');
          assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/);
          // Auth0's rate-limit headers on every 429: nothing left, and when the wait ends.
          assert.equal(res.headers['x-ratelimit-remaining'], '0');
          const reset = Number(res.headers['x-ratelimit-reset']);
          assert.ok(Math.abs(reset - (Math.ceil(Date.now() / 1000) + Number(res.headers['retry-after']))) <= 2, `x-ratelimit-reset ${reset}`);
        }
        // Nothing was created by the refused signup, nothing was hashed for the refused login.
        assert.deepEqual(e.c.identity.hashing.stats(), { running: 1, queued: 0 });
      } finally {
        release();
        await busy;
      }
      const res = await grant();
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error, 'invalid_grant');
      assert.equal((await signup()).statusCode, 200);
    });
  },
  { ...serversEnv, PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '0' },
);
