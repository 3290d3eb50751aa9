import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { twilioSignature } from '../../src/adapters/providers/twilio/twilio-signature.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-stats-auth-token-1';
const PUBLIC = 'https://unifone.example';
const mock = await startTwilioMock({ [SID]: TOKEN });
after(() => mock.close());

/**
 * `GET /api/v2/phone/stats` (our extension): sends, deliveries and failures per hour and delivery
 * method, the delivery rate and the top errors, computed by the database from real sends through the
 * local Twilio-speaking server; and the logs' `phone_number:` filter.
 */
describeEachDialect(
  'phone stats and the logs number filter',
  (env) => {
    let token: string;
    let providerId: string;
    const e = (): TestEnv => env();
    const settled = (id: string) =>
      waitFor(`notification ${id} to settle`, async () => {
        const n = (await e().api('GET', `/api/v2/phone/notifications/${id}`, { token })).json();
        return ['sent', 'delivered', 'undelivered', 'failed'].includes(n.status) ? n : undefined;
      });
    const send = async (to: string, delivery_method: 'text' | 'voice' = 'text') => {
      const res = await e().api('POST', `/api/v2/branding/phone/providers/${providerId}/try`, { token, body: { to, delivery_method } });
      assert.equal(res.statusCode, 202, res.body);
      return settled(res.json().notification_id as string);
    };
    const receipt = async (id: string, status: string, errorCode?: string) => {
      const req = mock.requests.find((r) => r.form['StatusCallback']?.includes(id))!;
      const cb = new URL(req.form['StatusCallback']!);
      const n = (await e().api('GET', `/api/v2/phone/notifications/${id}`, { token })).json();
      const params = { AccountSid: SID, MessageSid: n.provider_message_id, MessageStatus: status, To: req.form['To']!, ...(errorCode ? { ErrorCode: errorCode } : {}) };
      const res = await e().app.inject({
        method: 'POST',
        url: `${cb.pathname}${cb.search}`,
        headers: { host: 'unifone.example', 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, cb.href, params) },
        payload: new URLSearchParams(params).toString(),
      });
      assert.equal(res.statusCode, 204, res.body);
    };

    test('an empty window: no hours, no rate, no errors', async () => {
      token = await e().token();
      const res = await e().api('GET', '/api/v2/phone/stats', { token });
      assert.equal(res.statusCode, 200, res.body);
      const s = res.json();
      assert.deepEqual(s.hours, []);
      assert.equal(s.delivery_rate, null);
      assert.deepEqual(s.top_errors, []);
      assert.equal(s.totals.sends, 0);
      // The default window: the 24 whole hours ending with the current one.
      assert.equal(Date.parse(s.to) - Date.parse(s.from), 24 * 3_600_000);
      assert.match(s.from, /T\d{2}:00:00\.000Z$/);
    });

    test('sends, deliveries and failures per hour and method, the rate and the top errors', async () => {
      const res = await e().api('POST', '/api/v2/branding/phone/providers', {
        token,
        body: { name: 'twilio', configuration: { sid: SID, default_from: '+14155550100', delivery_methods: ['text', 'voice'] }, credentials: { auth_token: TOKEN } },
      });
      assert.equal(res.statusCode, 201, res.body);
      providerId = res.json().id;

      const a = await send('+14155552671');
      const b = await send('+14155552672');
      const v = await send('+14155552673', 'voice');
      mock.script({ kind: 'http', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
      const f1 = await send('+14155552674');
      mock.script({ kind: 'http', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
      const f2 = await send('+14155552675');
      mock.script({ kind: 'http', status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
      const f3 = await send('+14155552676');
      assert.deepEqual([f1.status, f2.status, f3.status], ['failed', 'failed', 'failed']);
      await receipt(a.id, 'delivered');
      await receipt(b.id, 'undelivered', '30003');
      await receipt(v.id, 'delivered');

      const s = (await e().api('GET', '/api/v2/phone/stats', { token })).json();
      const hour = `${a.created_at.slice(0, 13)}:00:00.000Z`;
      // All in this hour (a send at the turn of an hour would split them: sum over the hours).
      const sum = (method: string, k: 'sends' | 'delivered' | 'failures') => s.hours.filter((h: { delivery_method: string }) => h.delivery_method === method).reduce((n: number, h: Record<string, number>) => n + h[k]!, 0);
      assert.ok(s.hours.some((h: { hour: string }) => h.hour === hour), JSON.stringify(s.hours));
      assert.deepEqual([sum('text', 'sends'), sum('text', 'delivered'), sum('text', 'failures')], [5, 1, 4]);
      assert.deepEqual([sum('voice', 'sends'), sum('voice', 'delivered'), sum('voice', 'failures')], [1, 1, 0]);
      assert.equal(s.totals.sends, 6);
      assert.equal(s.totals.delivered, 2);
      assert.equal(s.totals.undelivered, 1);
      assert.equal(s.totals.failed, 3);
      assert.equal(s.delivery_rate, 2 / 6);
      assert.deepEqual(
        s.top_errors.map((x: { error_code: string; count: number }) => [x.error_code, x.count]),
        [
          ['21211', 2],
          ['21610', 1],
          ['30003', 1],
        ],
      );
      assert.match(s.top_errors[0].last_error, /21211/);
    });

    test('a window elsewhere counts nothing; another tenant sees none of it', async () => {
      const old = (await e().api('GET', '/api/v2/phone/stats?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z', { token })).json();
      assert.equal(old.totals.sends, 0);
      assert.equal(old.from, '2020-01-01T00:00:00.000Z');
      const other = await e().createTenant('other', 'other.example');
      const s = (await e().api('GET', '/api/v2/phone/stats', { token: other.token, host: 'other.example' })).json();
      assert.equal(s.totals.sends, 0);
      assert.deepEqual(s.hours, []);
    });

    test('bad windows are 400 in Auth0 shape; the scope is read:logs', async () => {
      for (const q of ['from=yesterday', 'from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z', 'from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z', 'extra=1']) {
        const res = await e().api('GET', `/api/v2/phone/stats?${q}`, { token });
        assert.equal(res.statusCode, 400, `${q}: ${res.body}`);
        assert.equal(res.json().errorCode, 'invalid_query_string');
      }
      const narrow = await e().token(['read:users']);
      const res = await e().api('GET', '/api/v2/phone/stats', { token: narrow });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().errorCode, 'insufficient_scope');
    });

    test('logs: phone_number:X selects the lines about that (masked) number', async () => {
      const res = await e().api('GET', `/api/v2/logs?q=${encodeURIComponent('phone_number:+14155552674')}`, { token });
      assert.equal(res.statusCode, 200, res.body);
      const logs = res.json() as Array<{ type: string; details: { to: string } }>;
      assert.ok(logs.length >= 1);
      assert.ok(logs.every((l) => l.details.to === '+1415*****74'), JSON.stringify(logs));
      assert.ok(logs.some((l) => l.type === 'gd_send_sms_failure'));
      const combined = (await e().api('GET', `/api/v2/logs?q=${encodeURIComponent('phone_number:+14155552671 AND type:phone_delivered')}`, { token })).json();
      assert.equal(combined.length, 1);
      const bad = await e().api('GET', '/api/v2/logs?q=phone_number:12', { token });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errorCode, 'invalid_query_string');
    });
  },
  { TWILIO_API_BASE_URL: mock.url, PUBLIC_URL: PUBLIC, DISPATCHER_POLL_MS: '50' },
);
