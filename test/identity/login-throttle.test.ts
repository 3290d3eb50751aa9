import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { RateCounters } from '../../src/domain/abuse/rate-counters.js';
import { LoginGuard, USER_FAILURE_LIMIT } from '../../src/domain/auth/login-guard.js';
import type { UserRecord } from '../../src/domain/auth/ports.js';
import { systemClock } from '../../src/domain/clock.js';
import { AppError, isAppError } from '../../src/domain/errors.js';
import type { TenantRecord } from '../../src/domain/ports.js';
import { describeEachDialect } from '../helpers/harness.js';

describeEachDialect('brute-force protection: the per-user throttle across addresses, and a failing counter store', (env) => {
  let tenant: TenantRecord;
  const users: UserRecord[] = [];
  const PASSWORD = 'Throttle-test-pass-8812';
  before(async () => {
    const e = env();
    e.neverReveal.add(PASSWORD);
    const token = await e.token();
    tenant = (await e.c.repos.tenants.findByName('default'))!;
    for (const email of ['rotating@example.com', 'bystander@example.com']) {
      const res = await e.api('POST', '/api/v2/users', { token, body: { connection: 'Username-Password-Authentication', email, password: PASSWORD } });
      assert.equal(res.statusCode, 201, res.body);
      const u = await e.c.identity.directory.getUser(tenant, res.json().user_id);
      e.neverReveal.add(u.passwordHash!);
      users.push(u);
    }
  });
  const guard = (counters: RateCounters, warnings: string[] = []) =>
    new LoginGuard(env().c.repos.loginFailures, systemClock, { enqueue: async () => undefined }, (u) => ({ user_id: u.userId }), undefined, { info: () => undefined, warn: (_o, m) => void warnings.push(m) }, counters, {
      limit: 5,
      windowSeconds: 3600,
    });
  const wrongFrom = async (g: LoginGuard, user: UserRecord, ip: string) => {
    const release = await g.attempt(tenant, user, ip, 10);
    try {
      await g.failed(tenant, user, ip, 10, {});
    } finally {
      release();
    }
  };

  test('the default is 100 wrong passwords an hour per user', () => {
    assert.deepEqual(USER_FAILURE_LIMIT, { limit: 100, windowSeconds: 3600 });
  });

  test('wrong passwords from rotating addresses (one each, every /64 a new one) stop at the per-user limit, for every address; other users are not affected', async () => {
    const g = guard(env().c.counters);
    const [victim, bystander] = users as [UserRecord, UserRecord];
    for (let i = 0; i < 5; i++) await wrongFrom(g, victim, `2001:db8:${i}::1`);
    let refused: unknown;
    try {
      await g.attempt(tenant, victim, '2001:db8:99::1', 10);
    } catch (e) {
      refused = e;
    }
    assert.ok(isAppError(refused) && refused.code === 'too_many_attempts', String(refused));
    const retry = Number((refused as AppError).headers?.['retry-after']);
    assert.ok(retry > 0 && retry <= 3600, String(retry));
    assert.match((refused as AppError).headers?.['x-ratelimit-limit'] ?? '', /^[1-9]\d*$/, 'the per-user limit is named');
    // Each address alone is far from the per-(user, IP) threshold: the per-user limit refused it.
    assert.equal((await env().c.repos.loginFailures.get(tenant.id, victim.userId, '2001:db8:99::1'))?.count ?? 0, 0);
    const release = await g.attempt(tenant, bystander, '2001:db8:99::1', 10);
    release();
    // Unblocking the user lifts the throttle.
    await g.unblock(tenant.id, victim.userId);
    (await g.attempt(tenant, victim, '2001:db8:99::1', 10))();
  });

  test('a counter store that fails: checks are decided on the recorded failures alone, with a warning, never an error', async () => {
    const broken: RateCounters = {
      store: 'broken',
      consume: async () => Promise.reject(new Error('connection refused')),
      reward: async () => Promise.reject(new Error('connection refused')),
      block: async () => Promise.reject(new Error('connection refused')),
      get: async () => Promise.reject(new Error('connection refused')),
      delete: async () => Promise.reject(new Error('connection refused')),
      close: async () => undefined,
    };
    const warnings: string[] = [];
    const g = guard(broken, warnings);
    const bystander = users[1]!;
    const ip = '192.0.2.200';
    for (let i = 0; i < 9; i++) await wrongFrom(g, bystander, ip);
    await assert.rejects(wrongFrom(g, bystander, ip), (e: unknown) => isAppError(e) && e.code === 'too_many_attempts');
    await assert.rejects(g.attempt(tenant, bystander, ip, 10), (e: unknown) => isAppError(e) && e.code === 'too_many_attempts', 'the recorded block still holds');
    assert.ok(warnings.some((w) => /counter store failed/.test(w)));
  });
});
