import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createContainer, type Container } from '../../src/composition/container.js';
import { flowOf, SEND_FLOWS, type GuardDecision, type SendRequest } from '../../src/domain/notifications/send-policy.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { phone, setupTenant, SID, TWILIO_TOKEN, type AuthFixture } from '../auth/helpers.js';
import { describeEachDialect } from '../helpers/harness.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';

const mock = await startTwilioMock({ [SID]: TWILIO_TOKEN });
after(() => mock.close());

test('every notification source maps onto one of the policy flows', () => {
  assert.equal(flowOf('mfa', 'otp_enroll'), 'mfa_enrollment');
  assert.equal(flowOf('mfa', 'otp_verify'), 'mfa_challenge');
  assert.equal(flowOf('passwordless', 'otp_verify'), 'passwordless');
  assert.equal(flowOf('signup', 'otp_verify'), 'signup');
  assert.equal(flowOf('password_reset', 'change_password'), 'password_reset');
  assert.equal(flowOf('brute_force', 'blocked_account'), 'account_notice');
  assert.equal(flowOf('breach', 'password_breach'), 'account_notice');
  assert.equal(flowOf('try_provider', 'otp_verify'), 'test_send');
  assert.equal(flowOf('try_template', 'change_password'), 'test_send');
  assert.equal(SEND_FLOWS.length, 7);
});

describeEachDialect(
  'send policy: every notification passes the ordered guards before anything is written',
  (env) => {
    // A second process on the same database, with one more guard after the built-in ones: it
    // records what it is shown and answers what the test says.
    const seen: SendRequest[] = [];
    let answer: (r: SendRequest) => GuardDecision = () => ({ verdict: 'allow' });
    let second: Container;
    let app: FastifyInstance;
    let f: AuthFixture;
    let providerId: string;

    before(async () => {
      f = await setupTenant(env());
      providerId = (await env().api('GET', '/api/v2/branding/phone/providers', { token: f.mgmt })).json().providers[0].id;
      second = await createContainer({
        config: env().config,
        logger: createLogger('warn', { write: () => undefined }),
        storage: env().storageOptions,
        extraGuards: [{ name: 'recorder', check: async (r) => (seen.push(r), answer(r)) }],
      });
      app = await buildApp(second.http);
      await app.ready();
    });
    after(async () => {
      await app?.close();
      await second?.close();
    });

    const call = (method: 'GET' | 'POST', url: string, body?: unknown, token?: string) =>
      app.inject({
        method,
        url,
        headers: { host: 'localhost', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    const start = (to: string) => call('POST', '/passwordless/start', { client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: to, send: 'code' });
    const tryProvider = (to: string) => call('POST', `/api/v2/branding/phone/providers/${providerId}/try`, { to }, f.mgmt);
    const sentTo = (to: string) => mock.requests.filter((r) => r.form['To'] === to).length;

    test('a passwordless start and a test send reach the guards with the flow, the parsed number, the client and the IP', async () => {
      answer = () => ({ verdict: 'allow' });
      const to = phone();
      const res = await start(to);
      assert.equal(res.statusCode, 200, res.body);
      const r = [...seen].reverse().find((x) => x.recipient.e164 === to)!;
      assert.equal(r.flow, 'passwordless');
      assert.equal(r.type, 'otp_verify');
      assert.equal(r.deliveryMethod, 'text');
      assert.equal(r.recipient.country, 'US');
      assert.equal(typeof r.recipient.numberType, 'string');
      assert.equal(r.clientId, f.app.clientId);
      assert.equal(r.ip, '127.0.0.1');
      assert.ok(r.otp, 'the code row travels with the send');
      assert.equal(r.tenant.name, 'default');

      const gb = '+447400123456';
      const sentBefore = sentTo(gb);
      const t = await tryProvider(gb);
      assert.equal(t.statusCode, 202, t.body);
      const tr = [...seen].reverse().find((x) => x.recipient.e164 === gb)!;
      assert.equal(tr.flow, 'test_send');
      assert.equal(tr.recipient.country, 'GB');
      assert.equal(tr.recipient.numberType, 'MOBILE');
      assert.equal(tr.otp, undefined);
      // The decisions are recorded on the notification, in guard order.
      const n = await call('GET', `/api/v2/phone/notifications/${t.json().notification_id}`, undefined, f.mgmt);
      assert.deepEqual(n.json().policy, [
        { guard: 'phone_send_policy', verdict: 'allow' },
        { guard: 'velocity', verdict: 'allow' },
        { guard: 'otp_send_limit', verdict: 'allow' },
        { guard: 'phone_fraud_guard', verdict: 'allow' },
        { guard: 'phone_spend_cap', verdict: 'allow' },
        { guard: 'recorder', verdict: 'allow' },
      ]);
      await waitFor('the test send at the provider', async () => sentTo(gb) === sentBefore + 1 || undefined);
    });

    test('a deny answers the catalogued error, writes a log line with the reason code, and sends nothing', async () => {
      answer = () => ({ verdict: 'deny', error: 'too_many_requests', reason: 'test_denied', message: 'Denied by the test guard', retryAfterSeconds: 30 });
      const to = phone();
      const t = await tryProvider(to);
      assert.equal(t.statusCode, 429, t.body);
      assert.equal(t.json().errorCode, 'too_many_requests');
      assert.equal(t.headers['retry-after'], '30');
      const p = await start(to);
      assert.equal(p.statusCode, 429, p.body);
      assert.equal(p.json().error, 'too_many_requests');
      assert.equal(p.json().error_description, 'Denied by the test guard');
      const logs = await call('GET', '/api/v2/logs?q=type:phone_send_denied&per_page=100', undefined, f.mgmt);
      const mine = (logs.json() as Array<{ details: Record<string, unknown> }>).filter((l) => String(l.details['to']).startsWith(to.slice(0, 5)) && l.details['reason'] === 'test_denied');
      assert.ok(mine.length >= 2, logs.body);
      assert.deepEqual(new Set(mine.map((l) => l.details['flow'])), new Set(['test_send', 'passwordless']));
      assert.equal(mine[0]!.details['guard'], 'recorder');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(sentTo(to), 0, 'nothing reached the provider');
    });

    test('a delay queues the notification for later instead of sending it now', async () => {
      answer = () => ({ verdict: 'delay', reason: 'test_delay', delayMs: 60_000 });
      const to = phone();
      const before = Date.now();
      const t = await tryProvider(to);
      assert.equal(t.statusCode, 202, t.body);
      const n = (await call('GET', `/api/v2/phone/notifications/${t.json().notification_id}`, undefined, f.mgmt)).json();
      assert.equal(n.status, 'queued');
      assert.ok(Date.parse(n.next_attempt_at) >= before + 59_000, n.next_attempt_at);
      assert.deepEqual(n.policy[5], { guard: 'recorder', verdict: 'delay', reason: 'test_delay', delay_ms: 60_000 });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(sentTo(to), 0);
    });

    test('the per-user send limit runs before the guards added after it: past it they are not asked and no code is issued', async () => {
      answer = () => ({ verdict: 'allow' });
      const to = phone();
      for (let i = 0; i < 10; i++) assert.equal((await start(to)).statusCode, 200);
      const asked = seen.filter((x) => x.recipient.e164 === to).length;
      assert.equal(asked, 10);
      const over = await start(to);
      assert.equal(over.statusCode, 429, over.body);
      assert.equal(over.json().error, 'too_many_attempts');
      assert.equal(over.headers['retry-after'], '3600');
      assert.equal(seen.filter((x) => x.recipient.e164 === to).length, 10, 'the recorder was not asked');
    });
  },
  { TWILIO_API_BASE_URL: mock.url },
);
