import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createContainer, type Container } from '../../src/composition/container.js';
import { NotificationService } from '../../src/domain/notifications/notification-service.js';
import { createLogger } from '../../src/logger.js';
import { describeEachDialect } from '../helpers/harness.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';

const SID = 'AC00000000000000000000000000000abc';
const TOKEN = 'outbox-concurrency-token';
const mock = await startTwilioMock({ [SID]: TOKEN });
after(() => mock.close());
const COUNT = 300;

describeEachDialect(
  'two dispatchers over one queue',
  (env) => {
    test(`${COUNT} queued notifications, two processes' dispatchers draining them at once: each is sent exactly once`, async () => {
      const { c: first, api } = env();
      const token = await env().token();
      const created = await api('POST', '/api/v2/branding/phone/providers', {
        token,
        body: { name: 'twilio', configuration: { sid: SID, default_from: '+14155550100', delivery_methods: ['text'] }, credentials: { auth_token: TOKEN } },
      });
      assert.equal(created.statusCode, 201, created.body);
      // A second server process on the same database (its own connections, dispatcher and worker).
      const second: Container = await createContainer({
        config: env().config,
        logger: createLogger('warn', { write: () => undefined }),
        storage: env().storageOptions,
        dispatchInline: false,
      });
      try {
        const tenant = (await first.repos.tenants.findByName('default'))!;
        const enqueue = new NotificationService(first.repos, first.box, first.clock, first.dispatcher, first.config.delivery, first.sendPolicy, { dispatchInline: false });
        const ids = new Set<string>();
        for (let i = 0; i < COUNT; i++) {
          const n = await enqueue.enqueue(tenant, {
            type: 'otp_verify',
            deliveryMethod: 'text',
            recipient: `+1415555${String(1000 + i).padStart(4, '0')}`,
            source: 'mfa',
            code: String(100000 + i),
          });
          ids.add(n.id);
        }
        const before = mock.sent().length;
        // Every send takes a while at the provider (200 ms), as real sends do: a pass of either
        // dispatcher is still sending when the other claims. With instant sends, one pass could
        // drain the whole queue before the other's first claim on a busy machine.
        mock.script(...Array.from({ length: COUNT }, () => ({ kind: 'delay' as const, ms: 200 })));
        while ((await first.repos.notifications.queueDepth()) > 0) {
          await Promise.all([first.outbox.tick(), second.outbox.tick()]);
        }
        await Promise.all([first.dispatcher.idle(), second.dispatcher.idle()]);
        const sends = mock.sent().slice(before);
        assert.equal(sends.length, COUNT, 'one provider request per notification');
        assert.equal(new Set(sends.map((r) => r.form['Body'])).size, COUNT, 'no notification was sent twice');
        // Both dispatchers did part of the work (each process counts its own provider attempts).
        const attemptsOf = async (c: Container) => {
          const m = /unifone_provider_latency_seconds_count\{provider="twilio",outcome="sent"\} (\d+)/.exec(await c.metrics.metrics());
          return Number(m?.[1] ?? 0);
        };
        const [a, b] = [await attemptsOf(first), await attemptsOf(second)];
        assert.equal(a + b, COUNT);
        assert.ok(a > 0 && b > 0, `work was shared: ${a} + ${b}`);
        for (const id of ids) {
          const n = (await first.repos.notifications.get(tenant.id, id))!;
          assert.equal(n.status, 'sent');
          assert.equal(n.attempts, 1);
        }
      } finally {
        await second.close();
      }
    });
  },
  { TWILIO_API_BASE_URL: mock.url, DISPATCHER_POLL_MS: '100000' },
);
