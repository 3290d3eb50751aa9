import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { twilioSignature } from '../../src/adapters/providers/twilio/twilio-signature.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-test-auth-token-1';
// A second account: the Guardian Twilio settings of the legacy-mode receipt test.
const LEGACY_SID = 'AC99999999999999999999999999999999';
const LEGACY_TOKEN = 'twilio-legacy-auth-token-2';
const PUBLIC = 'https://unifone.example';
const mock = await startTwilioMock({ [SID]: TOKEN, [LEGACY_SID]: LEGACY_TOKEN });
after(() => mock.close());

const METRICS_TOKEN = 'metrics-token-for-the-tests-0001';
const ENV = {
  METRICS_TOKEN,
  TWILIO_API_BASE_URL: mock.url,
  PUBLIC_URL: PUBLIC,
  TWILIO_TIMEOUT_MS: '300',
  NOTIFY_RETRY_BASE_MS: '20',
  NOTIFY_RETRY_MAX_MS: '200',
  NOTIFY_MAX_ATTEMPTS: '4',
  DISPATCHER_POLL_MS: '50',
};

describeEachDialect(
  'delivery through Twilio (local Twilio-speaking server)',
  (env) => {
    let token: string;
    let providerId: string;
    const e = (): TestEnv => env();
    const timeline = async (id: string) => (await e().api('GET', `/api/v2/phone/notifications/${id}`, { token })).json();
    const final = (id: string) =>
      waitFor(`notification ${id} to settle`, async () => {
        const n = await timeline(id);
        return ['sent', 'delivered', 'undelivered', 'failed'].includes(n.status) ? n : undefined;
      });
    const callbackOf = (r: { form: Record<string, string> }) => (r.form['StatusCallback'] ? new URL(r.form['StatusCallback']) : undefined);
    const sendsFor = (id: string) => mock.requests.filter((r) => callbackOf(r)?.pathname === `/webhooks/twilio/status/${id}`);
    /** POSTs a receipt to the callback URL of `req` (path and query as Twilio was given them), signed with `signWith`. */
    const receiptTo = (req: { form: Record<string, string> }, params: Record<string, string>, signWith = TOKEN) => {
      const cb = callbackOf(req)!;
      return e().app.inject({
        method: 'POST',
        url: `${cb.pathname}${cb.search}`,
        headers: { host: 'unifone.example', 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(signWith, cb.href, params) },
        payload: new URLSearchParams(params).toString(),
      });
    };
    const tryProvider = async (body: Record<string, unknown>) => {
      const res = await e().api('POST', `/api/v2/branding/phone/providers/${providerId}/try`, { token, body });
      assert.equal(res.statusCode, 202, res.body);
      assert.equal(res.json().message, 'Test notification successfully sent for processing');
      assert.equal(res.json().code, 202);
      return res.json().notification_id as string;
    };

    test('setup: a Twilio provider for text and voice', async () => {
      token = await e().token();
      const res = await e().api('POST', '/api/v2/branding/phone/providers', {
        token,
        body: { name: 'twilio', configuration: { sid: SID, default_from: '+14155550100', delivery_methods: ['text', 'voice'] }, credentials: { auth_token: TOKEN } },
      });
      assert.equal(res.statusCode, 201, res.body);
      providerId = res.json().id;
    });

    test('an SMS test send posts exactly the form fields Twilio documents, with basic auth', async () => {
      const id = await tryProvider({ to: '+14155552671' });
      assert.match(id, /^ntf_[A-Za-z0-9]{22}$/);
      const n = await final(id);
      assert.equal(n.status, 'sent');
      const [req, ...more] = sendsFor(id);
      assert.equal(more.length, 0);
      assert.equal(req!.path, `/2010-04-01/Accounts/${SID}/Messages.json`);
      assert.deepEqual(req!.auth, { user: SID, password: TOKEN });
      assert.match(req!.contentType!, /^application\/x-www-form-urlencoded/);
      assert.deepEqual(Object.keys(req!.form).sort(), ['Body', 'From', 'StatusCallback', 'To']);
      assert.equal(req!.form['To'], '+14155552671');
      assert.equal(req!.form['From'], '+14155550100');
      assert.match(req!.form['Body']!, /^\d{6} is your verification code for default$/);
      assert.equal(req!.form['StatusCallback'], `${PUBLIC}/webhooks/twilio/status/${id}?attempt=1`);
      assert.match(n.provider_message_id, /^SM[0-9a-f]{32}$/);
      assert.equal(n.attempts.length, 1);
      assert.equal(n.attempts[0].outcome, 'sent');
    });

    test('a voice test send places a call with TwiML: Say in the locale, pauses, the code digit by digit', async () => {
      const id = await tryProvider({ to: '14155552672', delivery_method: 'voice' });
      assert.equal((await final(id)).status, 'sent');
      const [req] = sendsFor(id);
      assert.equal(req!.path, `/2010-04-01/Accounts/${SID}/Calls.json`);
      assert.deepEqual(Object.keys(req!.form).sort(), ['From', 'StatusCallback', 'To', 'Twiml']);
      assert.equal(req!.form['To'], '+14155552672', 'digits without + are normalised to E.164');
      const twiml = req!.form['Twiml']!;
      assert.match(twiml, /^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Say language="en-US">Hello\. Your verification code for default is<\/Say><Pause length="1"\/><Say language="en-US">\d\. \d\. \d\. \d\. \d\. \d\. I repeat, your verification code is<\/Say><Pause length="1"\/>/);
      assert.ok(twiml.endsWith('</Say></Response>'));
    });

    test('a 500 is retried under the same notification id, then succeeds', async () => {
      mock.script({ kind: 'http', status: 500 });
      const id = await tryProvider({ to: '+14155552673' });
      const n = await final(id);
      assert.equal(n.status, 'sent');
      assert.deepEqual(n.attempts.map((a: { outcome: string }) => a.outcome), ['retry', 'sent']);
      assert.equal(n.attempts[0].error_code, '20500');
      assert.equal(sendsFor(id).length, 2, 'both attempts carried the same notification id');
      assert.ok(n.events.some((ev: { kind: string }) => ev.kind === 'retry_scheduled'));
    });

    test('a timeout is retried', async () => {
      mock.script({ kind: 'delay', ms: 800 });
      const id = await tryProvider({ to: '+14155552674' });
      const n = await final(id);
      assert.equal(n.status, 'sent');
      assert.equal(n.attempts[0].outcome, 'retry');
      assert.equal(n.attempts[0].error_code, 'timeout');
      assert.equal(n.attempts[1].outcome, 'sent');
    });

    test('a 429 with Retry-After waits at least that long before the retry', async () => {
      mock.script({ kind: 'http', status: 429, code: 20429, retryAfter: '1' });
      const id = await tryProvider({ to: '+14155552675' });
      const n = await final(id);
      assert.equal(n.status, 'sent');
      const scheduled = n.events.find((ev: { kind: string }) => ev.kind === 'retry_scheduled');
      // The retry is due at least one second after the failed attempt started (Retry-After: 1).
      const startedAt = Date.parse(n.attempts[0].started_at);
      assert.ok(Date.parse(scheduled.detail.next_attempt_at) - startedAt >= 1000, 'Retry-After: 1 is honoured');
      assert.ok(Date.parse(n.attempts[1].started_at) - startedAt >= 1000, 'the retry waited');
    });

    test('21211 (invalid number) fails at once with the reason; region and fraud blocks are final and flagged', async () => {
      mock.script({ kind: 'http', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
      const id = await tryProvider({ to: '+14155552676' });
      const n = await final(id);
      assert.equal(n.status, 'failed');
      assert.equal(n.attempts.length, 1);
      assert.equal(n.error_code, '21211');
      assert.match(n.last_error, /invalid recipient phone number \(Twilio 21211\)/);

      mock.script({ kind: 'http', status: 400, code: 60410, message: 'blocked' });
      const fraud = await final(await tryProvider({ to: '+14155552677' }));
      assert.equal(fraud.status, 'failed');
      assert.equal(fraud.attempts[0].detail.blocked, 'fraud');
      mock.script({ kind: 'http', status: 400, code: 21408, message: 'Permission to send an SMS has not been enabled for the region' });
      const region = await final(await tryProvider({ to: '+14155552678' }));
      assert.equal(region.attempts[0].detail.blocked, 'region');
      const logs = (await e().api('GET', '/api/v2/logs?q=type:gd_send_sms_failure', { token })).json();
      assert.ok(logs.some((l: { details: { notification_id: string; blocked?: string } }) => l.details.notification_id === fraud.id && l.details.blocked === 'fraud'));
    });

    test('retryable failures stop after the configured number of attempts', async () => {
      mock.script({ kind: 'http', status: 503 }, { kind: 'http', status: 503 }, { kind: 'http', status: 503 }, { kind: 'http', status: 503 });
      const id = await tryProvider({ to: '+14155552679' });
      const n = await final(id);
      assert.equal(n.status, 'failed');
      assert.equal(n.attempts.length, 4);
      assert.equal(sendsFor(id).length, 4);
    });

    /** An otp_verify notification written as a process leaves it that dies right after the enqueue commits: queued. */
    const enqueuedOnly = async (recipient: string, code: string) => {
      const { NotificationService } = await import('../../src/domain/notifications/notification-service.js');
      const c = e().c;
      const tenant = (await c.repos.tenants.findByName('default'))!;
      const noInline = new NotificationService(c.repos, c.box, c.clock, c.dispatcher, c.config.delivery, c.sendPolicy, { dispatchInline: false });
      return { c, tenant, n: await noInline.enqueue(tenant, { type: 'otp_verify', deliveryMethod: 'text', recipient, source: 'mfa', code }) };
    };

    test('a crash between enqueue and send is recovered by the background dispatcher with exactly one send', async () => {
      const { c, tenant, n: queued } = await enqueuedOnly('+14155552680', '424242');
      // And one that died after claiming, before recording: sending, with a lease that has run out.
      const { n: claimedThenCrashed } = await enqueuedOnly('+14155552681', '434343');
      const past = new Date(Date.now() - 1000).toISOString();
      assert.ok(await c.repos.notifications.claim(tenant.id, claimedThenCrashed.id, new Date().toISOString(), past));
      assert.equal(sendsFor(queued.id).length + sendsFor(claimedThenCrashed.id).length, 0);
      await Promise.all([c.outbox.tick(), c.outbox.tick()]);
      await c.dispatcher.idle();
      for (const [n, code] of [[queued, '424242'], [claimedThenCrashed, '434343']] as const) {
        const t = await final(n.id);
        assert.equal(t.status, 'sent');
        const sends = sendsFor(n.id);
        assert.equal(sends.length, 1);
        assert.equal(sends[0]!.form['Body'], `${code} is your verification code for default`);
      }
      const row = await c.repos.notifications.get(tenant.id, queued.id);
      assert.equal(row!.codeSealed, null, 'the code is wiped once the notification is final');
    });

    test('delivery receipts: a good signature applies, a bad one is refused, out-of-order ones are ignored', async () => {
      const id = await tryProvider({ to: '+14155552682' });
      const n = await final(id);
      const url = `/webhooks/twilio/status/${id}`;
      const receipt = (params: Record<string, string>, signature?: string) =>
        e().app.inject({
          method: 'POST',
          url,
          headers: {
            host: 'unifone.example',
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': signature ?? twilioSignature(TOKEN, `${PUBLIC}${url}`, params),
          },
          payload: new URLSearchParams(params).toString(),
        });
      const base = { AccountSid: SID, MessageSid: n.provider_message_id, To: '+14155552682' };

      assert.equal(callbackOf(sendsFor(id)[0]!)?.href, `${PUBLIC}${url}?attempt=1`, 'the callback names the attempt');
      const forged = await receipt({ ...base, MessageStatus: 'delivered' }, twilioSignature('not-the-token', `${PUBLIC}${url}`, { ...base, MessageStatus: 'delivered' }));
      assert.equal(forged.statusCode, 403);
      assert.equal(forged.json().error, 'invalid_twilio_signature');
      const tampered = await receipt({ ...base, MessageStatus: 'delivered' }, twilioSignature(TOKEN, `${PUBLIC}${url}`, { ...base, MessageStatus: 'failed' }));
      assert.equal(tampered.statusCode, 403);
      assert.equal((await timeline(id)).status, 'sent', 'refused receipts change nothing');

      assert.equal((await receipt({ ...base, MessageStatus: 'sent' })).statusCode, 204);
      assert.equal((await receipt({ ...base, MessageStatus: 'delivered' })).statusCode, 204);
      assert.equal((await timeline(id)).status, 'delivered');
      // Late receipts never move the status backwards or sideways.
      assert.equal((await receipt({ ...base, MessageStatus: 'sent' })).statusCode, 204);
      assert.equal((await receipt({ ...base, MessageStatus: 'undelivered', ErrorCode: '30003' })).statusCode, 204);
      const after = await timeline(id);
      assert.equal(after.status, 'delivered');
      assert.ok(after.events.some((ev: { kind: string }) => ev.kind === 'receipt_ignored'));
      // A signed receipt replayed over and over adds nothing to the timeline.
      for (let i = 0; i < 20; i++) assert.equal((await receipt({ ...base, MessageStatus: 'delivered' })).statusCode, 204);
      assert.equal((await timeline(id)).events.length, after.events.length, 'replays leave the timeline as it was');
      const delivered = (await e().api('GET', '/api/v2/logs?q=type:phone_delivered', { token })).json();
      assert.ok(delivered.some((l: { details: { notification_id: string } }) => l.details.notification_id === id));

      const other = await final(await tryProvider({ to: '+14155552683' }));
      const otherUrl = `/webhooks/twilio/status/${other.id}`;
      const p = { AccountSid: SID, MessageSid: other.provider_message_id, MessageStatus: 'undelivered', ErrorCode: '30006' };
      const res = await e().app.inject({
        method: 'POST',
        url: otherUrl,
        headers: { host: 'x', 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, `${PUBLIC}${otherUrl}`, p) },
        payload: new URLSearchParams(p).toString(),
      });
      assert.equal(res.statusCode, 204);
      const undelivered = await timeline(other.id);
      assert.equal(undelivered.status, 'undelivered');
      assert.equal(undelivered.error_code, '30006');
    });

    test('a receipt settles only the attempt it reports on: an earlier attempt\'s message or another message id is ignored', async () => {
      mock.script({ kind: 'http', status: 500 });
      const id = await tryProvider({ to: '+14155552684' });
      const n = await final(id);
      assert.equal(n.attempts.length, 2);
      const [first, second] = sendsFor(id);
      assert.equal(callbackOf(first!)?.searchParams.get('attempt'), '1');
      assert.equal(callbackOf(second!)?.searchParams.get('attempt'), '2');
      // A late receipt for the first attempt (a message Twilio may have created before its error) changes nothing.
      const stale = await receiptTo(first!, { AccountSid: SID, MessageSid: 'SM00000000000000000000000000000001', MessageStatus: 'undelivered', ErrorCode: '30003' });
      assert.equal(stale.statusCode, 204);
      // Nor does a receipt on the right attempt about another message.
      const otherSid = await receiptTo(second!, { AccountSid: SID, MessageSid: 'SM00000000000000000000000000000002', MessageStatus: 'failed', ErrorCode: '30008' });
      assert.equal(otherSid.statusCode, 204);
      const between = await timeline(id);
      assert.equal(between.status, 'sent');
      assert.equal(between.events.filter((ev: { kind: string }) => ev.kind === 'receipt_ignored').length, 2);
      // The receipt for the message of the attempt that counted applies.
      assert.equal((await receiptTo(second!, { AccountSid: SID, MessageSid: n.provider_message_id, MessageStatus: 'delivered' })).statusCode, 204);
      assert.equal((await timeline(id)).status, 'delivered');
    });

    test('a receipt that arrives before Twilio\'s API answer settles the status; the attempt is still recorded', async () => {
      mock.script({ kind: 'delay', ms: 150 });
      const id = await tryProvider({ to: '+14155552686' });
      const req = await waitFor('the request to reach Twilio', () => sendsFor(id)[0]);
      assert.equal((await timeline(id)).status, 'sending');
      const early = await receiptTo(req, { AccountSid: SID, MessageSid: 'SM0000000000000000000000000000early', MessageStatus: 'delivered' });
      assert.equal(early.statusCode, 204);
      await e().c.dispatcher.idle();
      const n = await timeline(id);
      assert.equal(n.status, 'delivered');
      assert.equal(n.attempts.length, 1);
      assert.equal(n.attempts[0].outcome, 'sent');
      assert.match(n.provider_message_id, /^SM[0-9a-f]{32}$/);
      const logs = (await e().api('GET', '/api/v2/logs?q=type:gd_send_sms', { token })).json();
      assert.ok(logs.some((l: { details: { notification_id: string } }) => l.details.notification_id === id), 'the send is logged');
    });

    test('legacy mode: receipts of Guardian-Twilio sends are checked with the Guardian auth token', async () => {
      const c = e().c;
      const tenant = (await c.repos.tenants.findByName('default'))!;
      assert.equal((await e().api('PATCH', '/api/v2/tenants/settings', { token, body: { phone_consolidated_experience: false } })).statusCode, 200);
      try {
        const guardian = (path: string, body: unknown) => e().api('PUT', `/api/v2/guardian/factors/phone/${path}`, { token, body });
        assert.equal((await guardian('providers/twilio', { sid: LEGACY_SID, from: '+14155550199', auth_token: LEGACY_TOKEN })).statusCode, 200);
        assert.equal((await guardian('selected-provider', { provider: 'twilio' })).statusCode, 200);
        const queued = await c.services.notifications.enqueue(tenant, { type: 'otp_verify', deliveryMethod: 'text', recipient: '+14155552685', source: 'mfa', channel: 'legacy', code: '515151' });
        const n = await final(queued.id);
        assert.equal(n.status, 'sent');
        const [req] = sendsFor(queued.id);
        assert.equal(req!.accountSid, LEGACY_SID);
        const params = { AccountSid: LEGACY_SID, MessageSid: n.provider_message_id, MessageStatus: 'delivered' };
        // Signed with the tenant's phone provider token: not the account that sent it.
        assert.equal((await receiptTo(req!, params, TOKEN)).statusCode, 403);
        assert.equal((await receiptTo(req!, params, LEGACY_TOKEN)).statusCode, 204);
        assert.equal((await timeline(queued.id)).status, 'delivered');
      } finally {
        assert.equal((await e().api('PATCH', '/api/v2/tenants/settings', { token, body: { phone_consolidated_experience: true } })).statusCode, 200);
      }
    });

    test('template test send: the template body, its from, its type', async () => {
      const created = await e().api('POST', '/api/v2/branding/phone/templates', {
        token,
        body: { type: 'otp_enroll', content: { from: '+14155550111', body: { text: 'Enroll with {{ code }} at {{ friendly_name }} ({{ client.name }})' } } },
      });
      assert.equal(created.statusCode, 201, created.body);
      const res = await e().api('POST', `/api/v2/branding/phone/templates/${created.json().id}/try`, { token, body: { to: '+14155552684' } });
      assert.equal(res.statusCode, 202, res.body);
      const n = await final(res.json().notification_id);
      assert.equal(n.type, 'otp_enroll');
      const [req] = sendsFor(n.id);
      assert.match(req!.form['Body']!, /^Enroll with \d{6} at default \(default\)$/);
      assert.equal(req!.form['From'], '+14155550111', 'the template from overrides default_from');
    });

    test('a template that renders too much is refused when saved; one stored before the limits fails at send, at once, as invalid_template; nothing reaches Twilio', async () => {
      // Each capture doubles the string: 25 doublings of 10 characters would be 335 million.
      const doubling = '{% capture s %}{{ s }}{{ s }}{% endcapture %}'.repeat(25);
      const costly = `{% capture s %}xxxxxxxxxx{% endcapture %}${doubling}{{ code }} {{ s }}`;
      const refused = await e().api('POST', '/api/v2/branding/phone/templates', { token, body: { type: 'change_password', content: { body: { text: costly } } } });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().errorCode, 'invalid_template');
      assert.match(refused.json().message, /memory alloc limit exceeded/);
      const created = await e().api('POST', '/api/v2/branding/phone/templates', {
        token,
        body: { type: 'change_password', content: { body: { text: 'Reset with {{ code }}' } } },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      try {
        // A template stored before these limits were checked at save time: written straight to storage.
        const { c } = e();
        const tenant = (await c.repos.tenants.findByName('default'))!;
        const stored = (await c.repos.phoneTemplates.get(tenant.id, id))!;
        assert.ok(await c.repos.phoneTemplates.replace(tenant.id, { ...stored, bodyText: costly, version: stored.version + 1 }, stored.version));
        const res = await e().api('POST', `/api/v2/branding/phone/templates/${id}/try`, { token, body: { to: '+14155552687' } });
        assert.equal(res.statusCode, 202, res.body);
        const n = await final(res.json().notification_id);
        assert.equal(n.status, 'failed');
        assert.equal(n.error_code, 'invalid_template');
        assert.equal(n.attempts.length, 1, 'a deterministic failure is not retried');
        assert.equal(sendsFor(n.id).length, 0);
        // Output without capture or loops is capped too: the body may not render past the limit.
        const { MAX_RENDERED_CHARS } = await import('../../src/domain/notifications/render.js');
        const long = await e().api('PATCH', `/api/v2/branding/phone/templates/${id}`, {
          token,
          body: { content: { body: { text: `${'x'.repeat(MAX_RENDERED_CHARS)}{{ code }}` } } },
        });
        assert.equal(long.statusCode, 200, long.body);
        const again = await final((await e().api('POST', `/api/v2/branding/phone/templates/${id}/try`, { token, body: { to: '+14155552687' } })).json().notification_id);
        assert.equal(again.error_code, 'invalid_template');
      } finally {
        assert.equal((await e().api('DELETE', `/api/v2/branding/phone/templates/${id}`, { token })).statusCode, 204);
      }
    });

    test('a notification whose last attempt never finished is failed, never claimed again', async () => {
      const { c, tenant, n } = await enqueuedOnly('+14155552688', '616161');
      // What a process that died during the last allowed attempt (say, brought down by the message) leaves.
      await c.storage.db
        .updateTable('notifications')
        .set({ status: 'sending', attempts: n.maxAttempts, lease_until: new Date(Date.now() - 1000).toISOString() })
        .where('id', '=', n.id)
        .execute();
      await c.outbox.tick();
      await c.dispatcher.idle();
      const t = await timeline(n.id);
      assert.equal(t.status, 'failed');
      assert.equal(t.error_code, 'attempts_exhausted');
      assert.equal(sendsFor(n.id).length, 0);
      assert.ok(t.events.some((ev: { kind: string; detail: { error_code?: string } }) => ev.kind === 'failed' && ev.detail.error_code === 'attempts_exhausted'), 'the timeline says why');
      const failedLogs = (await e().api('GET', '/api/v2/logs?q=type:gd_send_sms_failure&per_page=100', { token })).json();
      assert.ok(failedLogs.some((l: { details: { notification_id: string; error_code: string } }) => l.details.notification_id === n.id && l.details.error_code === 'attempts_exhausted'), 'and so does the tenant log');
      const row = await c.repos.notifications.get(tenant.id, n.id);
      assert.equal(row!.codeSealed, null, 'the code is wiped');
      assert.equal(row!.attempts, n.maxAttempts, 'no further attempt');
    });

    test('/try refuses what it cannot do, with the Auth0 error body', async () => {
      const cases: Array<[string, unknown, number, string]> = [
        [`/api/v2/branding/phone/providers/pro_AAAAAAAAAAAAAAAAAAAAAA/try`, { to: '+14155552671' }, 404, 'inexistent_phone_provider'],
        [`/api/v2/branding/phone/providers/${providerId}/try`, { to: 'not a number' }, 400, 'invalid_body'],
        [`/api/v2/branding/phone/providers/${providerId}/try`, { to: '+1234567890' }, 400, 'invalid_body'],
        [`/api/v2/branding/phone/providers/${providerId}/try`, { to: '+14155552671', delivery_method: 'fax' }, 400, 'invalid_body'],
        [`/api/v2/branding/phone/providers/${providerId}/try`, {}, 400, 'invalid_body'],
        [`/api/v2/branding/phone/templates/tem_AAAAAAAAAAAAAAAAAAAAAA/try`, { to: '+14155552671' }, 404, 'inexistent_phone_template'],
      ];
      for (const [url, body, status, code] of cases) {
        const res = await e().api('POST', url, { token, body });
        assert.equal(res.statusCode, status, `${url} ${JSON.stringify(body)} → ${res.body}`);
        assert.equal(res.json().errorCode, code);
      }
      const textOnly = await e().api('PATCH', `/api/v2/branding/phone/providers/${providerId}`, {
        token,
        body: { configuration: { sid: SID, default_from: '+14155550100', delivery_methods: ['text'] } },
      });
      assert.equal(textOnly.statusCode, 200, textOnly.body);
      const voice = await e().api('POST', `/api/v2/branding/phone/providers/${providerId}/try`, { token, body: { to: '+14155552671', delivery_method: 'voice' } });
      assert.equal(voice.statusCode, 409);
      assert.equal(voice.json().errorCode, 'delivery_method_not_enabled');
      await e().api('PATCH', `/api/v2/branding/phone/providers/${providerId}`, {
        token,
        body: { configuration: { sid: SID, default_from: '+14155550100', delivery_methods: ['text', 'voice'] } },
      });
    });

    test('test numbers never reach the provider; their messages are rendered, recorded and logged', async () => {
      const put = await e().api('PUT', '/api/v2/branding/phone/test-numbers', { token, body: { numbers: [{ number: '14155550199', code: '000000' }] } });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(put.json(), { numbers: [{ number: '+14155550199', code: '000000' }] });
      assert.deepEqual((await e().api('GET', '/api/v2/branding/phone/test-numbers', { token })).json(), put.json());
      const before = mock.requests.length;
      const id = await tryProvider({ to: '+14155550199' });
      const n = await final(id);
      assert.equal(n.status, 'delivered');
      assert.equal(n.provider, 'test_number');
      assert.equal(n.channel, 'test_number');
      assert.equal(mock.requests.length, before, 'the provider was not called');
      const logs = (await e().api('GET', '/api/v2/logs?q=type:phone_test_number', { token })).json();
      const entry = logs.find((l: { details: { notification_id: string } }) => l.details.notification_id === id);
      assert.match(entry.details.captured.text, /^\d{6} is your verification code for default$/);
    });

    test('logs: Auth0 shape, filters by type and date range, pagination, by id', async () => {
      const all = await e().api('GET', '/api/v2/logs?include_totals=true&per_page=5', { token });
      assert.equal(all.statusCode, 200);
      const page = all.json();
      assert.equal(page.logs.length, 5);
      assert.ok(page.total > 10);
      for (const l of page.logs) {
        assert.deepEqual(Object.keys(l).sort(), ['client_id', 'client_name', 'date', 'description', 'details', 'ip', 'log_id', 'type', 'user_id']);
      }
      const sms = (await e().api('GET', '/api/v2/logs?q=type:(gd_send_sms OR gd_send_voice)&per_page=100', { token })).json();
      assert.ok(sms.some((l: { type: string }) => l.type === 'gd_send_voice') && sms.some((l: { type: string }) => l.type === 'gd_send_sms'));
      assert.ok(sms.every((l: { type: string }) => l.type === 'gd_send_sms' || l.type === 'gd_send_voice'));
      assert.equal(sms[0].details.to.includes('*'), true, 'recipients are masked in logs');
      const future = (await e().api('GET', '/api/v2/logs?q=date:[2999-01-01 TO *]', { token })).json();
      assert.deepEqual(future, []);
      const today = new Date().toISOString().slice(0, 10);
      assert.ok((await e().api('GET', `/api/v2/logs?q=date:[${today} TO ${today}]`, { token })).json().length > 0);
      const one = await e().api('GET', `/api/v2/logs/${sms[0].log_id}`, { token });
      assert.deepEqual(one.json(), sms[0]);
      const checkpoint = (await e().api('GET', `/api/v2/logs?from=${sms[sms.length - 1].log_id}&take=3`, { token })).json();
      assert.ok(checkpoint.length <= 3 && checkpoint.every((l: { log_id: string }) => l.log_id > sms[sms.length - 1].log_id));
      assert.equal((await e().api('GET', '/api/v2/logs?q=description:foo', { token })).statusCode, 400);
      for (const bad of ['2024-13-45', '2024-02-31', '2024-01-01T99:99:99', '2024-01-01T::::', '2024-01-01T10:00:00.1234Z']) {
        const res = await e().api('GET', `/api/v2/logs?q=${encodeURIComponent(`date:[${bad} TO *]`)}`, { token });
        assert.equal(res.statusCode, 400, `${bad}: ${res.body}`);
        assert.equal(res.json().errorCode, 'invalid_query_string', bad);
      }
      assert.equal((await e().api('GET', `/api/v2/logs?q=${encodeURIComponent('date:[2024-02-29T10:00 TO 2024-03-01T10:00:00.5Z]')}`, { token })).statusCode, 200);
      assert.equal((await e().api('GET', '/api/v2/logs/0000', { token })).statusCode, 404);
      assert.equal((await e().api('GET', '/api/v2/logs', { token: await e().token(['read:phone_providers']) })).statusCode, 403);
    });

    test('metrics: notifications by final status, provider latency, retries, queue depth', async () => {
      await e().c.dispatcher.idle();
      // Behind its own bearer token: none, or a wrong one, is 401.
      assert.equal((await e().app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
      assert.equal((await e().app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer not-the-metrics-token' } })).statusCode, 401);
      const res = await e().app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      assert.equal(res.statusCode, 200);
      const text = res.body;
      assert.match(text, /unifone_notifications_total\{tenant="default",type="otp_verify",provider="twilio",status="sent"\} \d+/);
      assert.match(text, /unifone_notifications_total\{tenant="default",type="otp_verify",provider="twilio",status="failed"\} [1-9]/);
      assert.match(text, /unifone_notifications_total\{tenant="default",type="otp_verify",provider="twilio",status="delivered"\} [1-9]\d*/);
      assert.match(text, /unifone_notifications_total\{tenant="default",type="otp_verify",provider="test_number",status="delivered"\} 1/);
      assert.match(text, /unifone_notification_retries_total\{provider="twilio"\} [1-9]/);
      assert.match(text, /unifone_provider_latency_seconds_count\{provider="twilio",outcome="sent"\} [1-9]/);
      assert.match(text, /unifone_notification_queue_depth 0/);
    });
  },
  ENV,
);

test('TwiML: a locale named like an Object.prototype member speaks en-US instead of failing the call', async () => {
  const { twiml } = await import('../../src/adapters/providers/twilio/twiml.js');
  for (const locale of ['constructor', 'toString', '__proto__', 'valueOf']) {
    assert.match(twiml({ locale, asVoice: 'Your code is 1. 2. 3.', voiceSegments: ['Your code is 1. 2. 3.'] }), /<Say language="en-US">Your code is 1\. 2\. 3\.<\/Say>/, locale);
  }
  assert.match(twiml({ locale: 'fr', asVoice: 'x', voiceSegments: ['x'] }), /language="fr-FR"/);
});

test('TwiML: the voice speaks the language of the body used, not the one asked for when the body fell back', async () => {
  const { twiml } = await import('../../src/adapters/providers/twilio/twiml.js');
  const { renderNotification } = await import('../../src/domain/notifications/render.js');
  const tenant = { internalId: 't', name: 'default', friendly_name: 'Default' };
  // No built-in Italian body: the English one is used, and read with an English voice.
  const it = renderNotification({ type: 'otp_verify', template: undefined, tenant, context: {}, locale: 'it', code: '123456' });
  assert.equal(it.bodyLocale, 'en');
  assert.match(twiml({ locale: 'it', bodyLocale: it.bodyLocale, asVoice: it.asVoice, voiceSegments: it.voiceSegments }), /<Say language="en-US">/);
  const fr = renderNotification({ type: 'otp_verify', template: undefined, tenant, context: {}, locale: 'fr-CA', code: '123456' });
  assert.equal(fr.bodyLocale, 'fr');
  assert.match(twiml({ locale: 'fr-CA', bodyLocale: fr.bodyLocale, asVoice: fr.asVoice, voiceSegments: fr.voiceSegments }), /<Say language="fr-FR">/);
});

test('legacy Guardian bodies: rendered with the same limits (invalid_template), and voiced in their own language', async () => {
  const { withLegacyBodies } = await import('../../src/domain/notifications/legacy.js');
  const { defaultGuardianSettings } = await import('../../src/domain/tenants/tenant-service.js');
  const { twiml } = await import('../../src/adapters/providers/twilio/twiml.js');
  const base = defaultGuardianSettings('2026-01-01T00:00:00.000Z');
  const message = {
    notificationId: 'ntf_x', attempt: 1, tenant: { internalId: 't', name: 'default', friendly_name: 'Default' }, type: 'otp_verify' as const,
    deliveryMethod: 'voice' as const, recipient: '+14155552671', asText: 'x', asVoice: 'x', voiceSegments: ['x'], code: '123456', locale: 'it', bodyLocale: 'en', context: {},
  };
  // The tenant's own (Italian) Guardian text is read with the notification's locale, not the UPE body's fallback.
  const own = withLegacyBodies('t', { ...base, verificationMessage: 'Il tuo codice è {{code}}' }, message);
  assert.equal(own.bodyLocale, undefined);
  assert.match(twiml(own), /<Say language="it-IT">Il tuo codice è 1\. 2\. 3\. 4\. 5\. 6<\/Say>/);
  // The built-in Guardian text is English.
  assert.equal(withLegacyBodies('t', base, message).bodyLocale, 'en');
  // A Guardian body that renders too much fails as invalid_template, as a UPE template does.
  assert.throws(
    () => withLegacyBodies('t', { ...base, verificationMessage: '{% for i in (1..20000) %}ab{% endfor %}{{code}}' }, message),
    (e: unknown) => (e as { code?: string }).code === 'invalid_template',
  );
});
