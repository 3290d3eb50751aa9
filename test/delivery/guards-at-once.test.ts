import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PhoneFraudGuard } from '../../src/domain/abuse/phone-fraud-guard.js';
import { defaultFraudSettings } from '../../src/domain/abuse/phone-fraud-settings.js';
import { PhoneSpendGuard } from '../../src/domain/abuse/phone-spend-guard.js';
import { VelocityGuard } from '../../src/domain/abuse/velocity-guard.js';
import { defaultVelocityPolicy } from '../../src/domain/abuse/velocity-policy.js';
import { systemClock } from '../../src/domain/clock.js';
import type { GuardDecision, SendRequest } from '../../src/domain/notifications/send-policy.js';
import { parseRecipient } from '../../src/domain/phone-number.js';
import type { TenantRecord } from '../../src/domain/ports.js';
import { settledValue } from '../../src/domain/settled.js';
import { tenantId } from '../auth/helpers.js';
import { describeEachDialect } from '../helpers/harness.js';

test('settledValue: undefined until the promise is seen resolved, then its value at once; a rejection never answers', async () => {
  const p = Promise.resolve(42);
  assert.equal(settledValue(p), undefined);
  await p;
  await Promise.resolve();
  assert.deepEqual(settledValue(p), { value: 42 });
  const none = Promise.resolve(undefined);
  settledValue(none);
  await none;
  await Promise.resolve();
  assert.deepEqual(settledValue(none), { value: undefined });
  const bad = Promise.reject(new Error('x'));
  assert.equal(settledValue(bad), undefined);
  await bad.catch(() => undefined);
  await Promise.resolve();
  assert.equal(settledValue(bad), undefined);
});

describeEachDialect(
  'the send path guards decide at once once their reads are cached (no promise to wait on)',
  (env) => {
    const isPromise = (d: unknown): d is Promise<GuardDecision> => d instanceof Promise;
    const request = async (to: string, otp = false): Promise<SendRequest> => {
      const tenant = (await env().c.repos.tenants.findById(await tenantId(env()))) as TenantRecord;
      const r: SendRequest = {
        tenant,
        flow: 'test_send',
        source: 'try_provider',
        type: 'otp_verify',
        deliveryMethod: 'text',
        recipient: parseRecipient(to)!,
        channel: 'provider',
        userId: null,
        clientId: null,
        ip: '192.0.2.10',
      };
      if (otp) r.otp = { id: 'otp_x' } as SendRequest['otp'];
      return r;
    };
    /** The first answers may wait for the reads; once they are in the cache, the next is a plain value (where the store allows). */
    const twice = async (check: (r: SendRequest) => GuardDecision | Promise<GuardDecision>, r: SendRequest) => {
      // The first sends read (and the guard watches) what the cache then holds: the settings, then the rest.
      for (let i = 0; i < 2; i++) {
        await check(r);
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Wrapped: an async function would unwrap a promise returned as it is.
      return { answer: check(r) };
    };

    test('velocity: at once on the embedded database (its counters answer at once); through a promise on PostgreSQL', async () => {
      const e = env();
      const guard = new VelocityGuard(e.c.repos.velocityPolicies, e.c.counters, systemClock);
      const { answer: second } = await twice((r) => guard.check(r), await request('+14155550100'));
      assert.equal(isPromise(second), e.c.counters.store !== 'sqlite');
      assert.equal((await second).verdict, 'allow');
      // And at once it still refuses: the recipient's limit (10 an hour by default) holds.
      const r = await request('+14155550199');
      const limit = defaultVelocityPolicy().rules.recipient.limit;
      const answers: GuardDecision[] = [];
      for (let i = 0; i <= limit; i++) answers.push(await guard.check(r));
      assert.equal(answers.filter((d) => d.verdict === 'allow').length, limit);
      const last = answers[limit]!;
      assert.equal(last.verdict === 'deny' && last.reason, 'velocity_recipient');
    });

    test('spend (no cap) and fraud (a send with no code) decide at once; the fraud guard waits for a code, which it judges', async () => {
      const e = env();
      const spend = new PhoneSpendGuard(e.c.repos.phoneSpend, systemClock);
      const { answer: s } = await twice((r) => spend.check(r), await request('+14155550101'));
      assert.ok(!isPromise(s));
      assert.equal(s.verdict, 'allow');
      assert.equal(typeof (s.verdict === 'allow' && s.record), 'function', 'the charge is written with the send');
      // The guard on (the test servers start with it off), so that a send it allows is one it judged.
      await e.c.repos.phoneFraud.putSettings(await tenantId(e), defaultFraudSettings('enforce'), new Date().toISOString());
      const fraud = new PhoneFraudGuard(e.c.repos.phoneFraud, systemClock);
      const { answer: f } = await twice((r) => fraud.check(r), await request('+14155550102'));
      assert.ok(!isPromise(f));
      assert.equal(f.verdict, 'allow');
      const judged = fraud.check(await request('+14155550103', true));
      assert.ok(isPromise(judged));
      assert.equal((await judged).verdict, 'allow');
    });
  },
);
