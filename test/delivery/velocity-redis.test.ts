import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createRateCounters } from '../../src/adapters/rate-limits/rate-counters.js';
import { VelocityGuard } from '../../src/domain/abuse/velocity-guard.js';
import { defaultVelocityPolicy, VELOCITY_KEYS } from '../../src/domain/abuse/velocity-policy.js';
import { systemClock } from '../../src/domain/clock.js';
import type { SendRequest } from '../../src/domain/notifications/send-policy.js';
import { parseRecipient } from '../../src/domain/phone-number.js';
import type { TenantRecord } from '../../src/domain/ports.js';
import { phone, setupTenant, SID, TWILIO_TOKEN } from '../auth/helpers.js';
import { createTestEnv } from '../helpers/harness.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';

/** The local Redis of the test machine; every run uses keys of its own prefix and removes them after. */
const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `unifone-test-${randomBytes(6).toString('hex')}`;
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
const available = await redis.connect().then(
  () => true,
  () => false,
);
after(async () => {
  if (!available) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('velocity limits in Redis (REDIS_URL)', { skip: available ? undefined : `no Redis at ${REDIS_URL}` }, () => {
  test('two processes on one Redis share the counters: a limit of 3 lets 3 sends through in all', async () => {
    // Two counter stores, as two server processes would open them.
    const a = createRateCounters({ storage: { dialect: 'sqlite', database: undefined as never }, redisUrl: REDIS_URL, keyPrefix: prefix });
    const b = createRateCounters({ storage: { dialect: 'sqlite', database: undefined as never }, redisUrl: REDIS_URL, keyPrefix: prefix });
    try {
      assert.equal(a.store, 'redis');
      const policy = defaultVelocityPolicy();
      for (const k of VELOCITY_KEYS) policy.rules[k].mode = 'off';
      policy.rules.recipient = { mode: 'enforce', limit: 3, window_seconds: 3600 };
      const repo = { get: async () => ({ policy, updatedAt: '' }) };
      const guards = [new VelocityGuard(repo, a, systemClock), new VelocityGuard(repo, b, systemClock)];
      const tenant = { id: `t_${randomBytes(4).toString('hex')}`, name: 'x' } as TenantRecord;
      const r: SendRequest = { tenant, flow: 'signup', source: 'signup', type: 'otp_verify', deliveryMethod: 'text', recipient: parseRecipient('+14155550123')!, channel: 'provider', userId: null, clientId: null, ip: null };
      const verdicts: string[] = [];
      for (let i = 0; i < 6; i++) verdicts.push((await guards[i % 2]!.check(r)).verdict);
      assert.deepEqual(verdicts, ['allow', 'allow', 'allow', 'deny', 'deny', 'deny']);
      // Concurrently, on both: a fresh key with a limit of 3 admits exactly 3 of 20.
      const r2 = { ...r, recipient: parseRecipient('+14155550124')! };
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => guards[i % 2]!.check(r2)));
      assert.equal(results.filter((d) => d.verdict === 'allow').length, 3);
      // Keys are hashed: no phone number in Redis.
      const keys = await redis.keys(`${prefix}*`);
      assert.ok(keys.length > 0);
      assert.ok(keys.every((k) => !k.includes('4155550123') && !k.includes(tenant.id)), keys.join(','));
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a server with REDIS_URL keeps its counters there: the velocity limits and the brute-force gate (threshold 10: 9 wrong passwords, the 10th blocks)', async () => {
    const mock = await startTwilioMock({ [SID]: TWILIO_TOKEN });
    const e = await createTestEnv('sqlite', { TWILIO_API_BASE_URL: mock.url, REDIS_URL, REDIS_KEY_PREFIX: `${prefix}-srv` });
    try {
      assert.equal(e.c.counters.store, 'redis');
      const f = await setupTenant(e);
      assert.equal((await e.api('PATCH', '/api/v2/attack-protection/phone-velocity-limits', { token: f.mgmt, body: { rules: { recipient: { limit: 1 } } } })).statusCode, 200);
      const to = phone();
      const start = () =>
        e.api('POST', '/passwordless/start', { body: { client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: to, send: 'code' } });
      assert.equal((await start()).statusCode, 200);
      const over = await start();
      assert.equal(over.statusCode, 429, over.body);
      assert.equal(over.json().error, 'too_many_requests');
      assert.ok((await redis.keys(`${prefix}-srv:v.recipient*`)).length >= 1, 'the counter is in Redis');

      // The brute-force gate: 15 concurrent wrong passwords test exactly the threshold (10), counted in Redis.
      const PASSWORD = 'Redis-gate-test-pass-9931';
      e.neverReveal.add(PASSWORD);
      const created = await e.api('POST', '/api/v2/users', { token: f.mgmt, body: { connection: 'Username-Password-Authentication', email: 'redis-gate@example.com', password: PASSWORD } });
      assert.equal(created.statusCode, 201, created.body);
      const tenant = (await e.c.repos.tenants.findByName('default'))!;
      const user = await e.c.identity.directory.getUser(tenant, created.json().user_id);
      e.neverReveal.add(user.passwordHash!);
      const outcomes = await Promise.all(
        Array.from({ length: 15 }, (_, i) =>
          e.c.identity.directory.verifyPassword(tenant, user, `wrong-${i}`, '192.0.2.77').then(
            (r) => (r.ok ? 'ok' : r.reason),
            (err: { code?: string }) => err.code ?? 'error',
          ),
        ),
      );
      assert.equal(outcomes.filter((o) => o === 'wrong_password').length, 9, outcomes.join(','));
      assert.equal(outcomes.filter((o) => o === 'too_many_attempts').length, 6, outcomes.join(','));
      assert.ok((await redis.keys(`${prefix}-srv:bf.inflight*`)).length >= 1, 'the checks in flight are counted in Redis');
      const rows = await e.c.storage.db.selectFrom('rate_limits').select('key').execute();
      assert.equal(rows.length, 0, 'nothing is counted in the database');
      assert.equal((await e.c.storage.db.selectFrom('rate_limit_journal').select('key').execute()).length, 0, 'nor journaled');
    } finally {
      await e.close();
      await mock.close();
    }
  });
});
