import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { phone, setupTenant, SID, TWILIO_TOKEN, type AuthFixture } from '../auth/helpers.js';
import { createTestEnv, type TestEnv } from '../helpers/harness.js';
import { startServer } from '../helpers/processes.js';
import { startTwilioMock, type TwilioMock } from '../helpers/twilio-mock.js';

/**
 * Two real server processes on one PostgreSQL schema: the velocity limits and the brute-force gate
 * count in the database, so the thresholds hold for the two together, not for each.
 */
const PG_URL = process.env['TEST_DATABASE_URL'];

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('two server processes on one PostgreSQL share every counter', { skip: PG_URL ? undefined : 'TEST_DATABASE_URL is not set' }, () => {
  let mock: TwilioMock;
  let e: TestEnv;
  let f: AuthFixture;
  const servers: Array<{ child: ChildProcess; base: string }> = [];
  const dirs: string[] = [];
  const PASSWORD = 'Two-process-gate-pass-4471';

  before(async () => {
    mock = await startTwilioMock({ [SID]: TWILIO_TOKEN });
    // Set up through an in-process container on the schema the two servers will use.
    e = await createTestEnv('postgres', { TWILIO_API_BASE_URL: mock.url });
    f = await setupTenant(e);
    e.neverReveal.add(PASSWORD);
    const schema = e.storageOptions.pgSchema!;
    for (let i = 0; i < 2; i++) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-shared-'));
      dirs.push(dataDir);
      // One after the other: the first start applies nothing new, the second neither (both migrate at start).
      servers.push(
        await startServer({
          DATA_DIR: dataDir,
          UNIFONE_SECRET_KEY: e.secretKey,
          DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
          TWILIO_API_BASE_URL: mock.url,
          DEFAULT_TENANT: 'default',
        }),
      );
    }
  });
  after(async () => {
    await Promise.all(servers.map((s) => stop(s.child)));
    await e?.close();
    await mock?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const post = async (base: string, url: string, body: unknown) => {
    const res = await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as { error?: string }, headers: res.headers };
  };

  test('a send limit: a recipient limit of 4 lets 4 codes through across both processes, in turns and at once', async () => {
    const set = await e.api('PATCH', '/api/v2/attack-protection/phone-velocity-limits', { token: f.mgmt, body: { rules: { recipient: { limit: 4 } } } });
    assert.equal(set.statusCode, 200, set.body);
    const start = (i: number, to: string) =>
      post(servers[i % 2]!.base, '/passwordless/start', { client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: to, send: 'code' });

    const to = phone();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await start(i, to)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429, 429, 429]);
    const over = await start(1, to);
    assert.equal(over.json.error, 'too_many_requests');
    assert.equal(over.headers.get('x-ratelimit-limit'), '4');
    assert.ok(Number(over.headers.get('retry-after')) > 0);

    const burst = phone();
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => start(i, burst)));
    assert.equal(results.filter((r) => r.status === 200).length, 4, results.map((r) => r.status).join(','));
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 429 && r.json.error === 'too_many_requests'));
    const codes = await e.c.storage.db.selectFrom('otp_codes').select('id').where('subject', 'like', `%${burst}`).execute();
    assert.equal(codes.length, 4, 'no code beyond the limit was issued by either process');
  });

  test('the brute-force gate: 24 concurrent wrong passwords spread over both processes test no more than the threshold (10)', async () => {
    const created = await e.api('POST', '/api/v2/users', { token: f.mgmt, body: { connection: 'Username-Password-Authentication', email: 'two-process@example.com', password: PASSWORD } });
    assert.equal(created.statusCode, 201, created.body);
    const grant = (i: number) =>
      post(servers[i % 2]!.base, '/oauth/token', {
        grant_type: 'http://auth0.com/oauth/grant-type/password-realm',
        client_id: f.app.clientId,
        client_secret: f.app.clientSecret,
        username: 'two-process@example.com',
        password: `wrong-${i}`,
        realm: 'Username-Password-Authentication',
      });
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => grant(i)));
    const wrong = results.filter((r) => r.status === 403 && r.json.error === 'invalid_grant').length;
    const blocked = results.filter((r) => r.status === 429 && r.json.error === 'too_many_attempts').length;
    assert.equal(wrong + blocked, 24, results.map((r) => `${r.status}:${r.json.error}`).join(','));
    // The 10th failure blocks (429); each wrong password checked is one failure, on whichever process.
    assert.equal(wrong, 9, results.map((r) => `${r.status}:${r.json.error}`).join(','));
    const tenant = (await e.c.repos.tenants.findByName('default'))!;
    const failures = await e.c.repos.loginFailures.get(tenant.id, created.json().user_id, '127.0.0.1');
    assert.equal(failures?.count, 10, 'exactly the threshold of passwords was tested');
    assert.ok(failures?.blockedAt);
    // The right password is refused now, on both.
    for (const s of servers) {
      const r = await post(s.base, '/oauth/token', {
        grant_type: 'http://auth0.com/oauth/grant-type/password-realm',
        client_id: f.app.clientId,
        client_secret: f.app.clientSecret,
        username: 'two-process@example.com',
        password: PASSWORD,
        realm: 'Username-Password-Authentication',
      });
      assert.equal(r.status, 429);
    }
  });
});
