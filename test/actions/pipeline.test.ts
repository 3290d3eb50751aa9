import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ActionsPurgeWorker } from '../../src/workers/actions-purge.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';
import { recordingServer, seedExampleCode } from './fixtures.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The custom provider and the legacy send-phone-message hook through the real server: actions made
 * and deployed with the Actions API, sends started with the provider's `/try` (or enqueued as the
 * MFA flow does), outcomes read from the notification timeline and the tenant logs.
 */

const TW_SID = 'AC00000000000000000000000000000a11';
const TW_TOKEN = 'legacy-guardian-twilio-token-9';
const twilio = await startTwilioMock({ [TW_SID]: TW_TOKEN });
after(() => twilio.close());

const ENV = {
  ACTIONS_ALLOW_PRIVATE_NETWORK: 'true',
  // Long enough that tenant B's whole send fits inside one of tenant A's runaway executions.
  ACTIONS_TIMEOUT_MS: '3000',
  NOTIFY_RETRY_BASE_MS: '20',
  NOTIFY_RETRY_MAX_MS: '200',
  DISPATCHER_POLL_MS: '50',
  // Above the custom provider's own cap (5 retries): that cap is what stops a notification here.
  NOTIFY_MAX_ATTEMPTS: '10',
  TWILIO_API_BASE_URL: twilio.url,
};

const CPP = [{ id: 'custom-phone-provider', version: 'v1' }];
const SPM = [{ id: 'send-phone-message', version: 'v2' }];
const handler = (body: string) => `exports.onExecuteCustomPhoneProvider = async (event, api) => {\n${body}\n};`;
const P = '/api/v2/branding/phone/providers';
const TO = '+14155552671';

interface Attempt {
  number: number;
  provider: string;
  outcome: string;
  error_code: string | null;
  reason: string | null;
  detail: Record<string, unknown>;
}
interface Notification {
  id: string;
  status: string;
  provider: string | null;
  channel: string;
  locale: string | null;
  attempt_count: number;
  max_attempts: number;
  error_code: string | null;
  last_error: string | null;
  attempts: Attempt[];
}
interface Log {
  type: string;
  description: string;
  details: Record<string, unknown>;
}

describeEachDialect(
  'custom phone provider and send-phone-message through the delivery pipeline',
  (env) => {
    const e = (): TestEnv => env();
    const SECRET = `sk_${randomBytes(16).toString('hex')}`;
    let endpoint: Awaited<ReturnType<typeof recordingServer>>;
    let token: string;
    let actionId = '';
    let providerId = '';

    const as = (tok: string, host: string) => ({ token: tok, host });
    const timeline = async (id: string, o = as(token, 'localhost')): Promise<Notification> => (await e().api('GET', `/api/v2/phone/notifications/${id}`, o)).json();
    const final = (id: string, o = as(token, 'localhost')) =>
      waitFor(`notification ${id} to settle`, async () => {
        const n = await timeline(id, o);
        return ['sent', 'delivered', 'undelivered', 'failed'].includes(n.status) ? n : undefined;
      });
    const tryProvider = async (id = providerId, o = as(token, 'localhost')) => {
      const res = await e().api('POST', `${P}/${id}/try`, { ...o, body: { to: TO } });
      assert.equal(res.statusCode, 202, res.body);
      return res.json().notification_id as string;
    };
    /** The tenant log entries of one notification, oldest first (waits until `count` are there). */
    const logsOf = (id: string, count: number, o = as(token, 'localhost')) =>
      waitFor(`${count} log entries of ${id}`, async () => {
        const res = await e().api('GET', '/api/v2/logs?q=type:(gd_send_sms OR gd_send_sms_failure OR gd_send_voice OR gd_send_voice_failure OR phone_send_retry)&per_page=100&sort=date:1', o);
        const mine = (res.json() as Log[]).filter((l) => l.details['notification_id'] === id);
        return mine.length >= count ? mine : undefined;
      });
    const execution = async (attempt: Attempt, o = as(token, 'localhost')) => {
      const res = await e().api('GET', `/api/v2/actions/executions/${String(attempt.detail['executionId'])}`, o);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { trigger_id: string; results: Array<{ outcome: string; logs: string; version_id: string; error: { id: string; msg: string } | null }> };
    };
    /** Replaces the action's code and deploys it (a new version), through the API. */
    const deploy = async (code: string, id = actionId, o = as(token, 'localhost')) => {
      const patched = await e().api('PATCH', `/api/v2/actions/actions/${id}`, { ...o, body: { code } });
      assert.equal(patched.statusCode, 200, patched.body);
      const deployed = await e().api('POST', `/api/v2/actions/actions/${id}/deploy`, o);
      assert.equal(deployed.statusCode, 200, deployed.body);
      return deployed.json() as { id: string; number: number };
    };

    before(async () => {
      endpoint = await recordingServer();
      e().neverReveal.add(SECRET);
      token = await e().token();
    });
    after(() => endpoint.close());

    test("the seed's example provider, deployed through the API, POSTs exactly the body it builds, with the bearer secret", async () => {
      const created = await e().api('POST', '/api/v2/actions/actions', {
        token,
        body: {
          name: 'my-sms-gateway',
          supported_triggers: CPP,
          code: seedExampleCode(),
          secrets: [
            { name: 'MY_ENDPOINT', value: `${endpoint.url}/sms` },
            { name: 'MY_SECRET', value: SECRET },
          ],
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      actionId = created.json().id;
      const deployed = await e().api('POST', `/api/v2/actions/actions/${actionId}/deploy`, { token });
      assert.equal(deployed.statusCode, 200, deployed.body);

      const provider = await e().api('POST', P, { token, body: { name: 'custom', configuration: { delivery_methods: ['text', 'voice'] }, credentials: {} } });
      assert.equal(provider.statusCode, 201, provider.body);
      providerId = provider.json().id;

      const id = await tryProvider();
      const n = await final(id);
      assert.equal(n.status, 'sent', JSON.stringify(n));
      assert.equal(n.provider, 'custom');
      assert.deepEqual(n.attempts.map((a) => [a.number, a.provider, a.outcome]), [[1, 'custom', 'sent']]);

      const got = endpoint.received.filter((r) => r.url === '/sms');
      assert.equal(got.length, 1);
      assert.equal(got[0]!.method, 'POST');
      assert.equal(got[0]!.headers.authorization, `Bearer ${SECRET}`);
      const code = (JSON.parse(got[0]!.body) as { code: string }).code;
      assert.match(code, /^\d{6}$/);
      const tenant = (await e().c.repos.tenants.findByName('default'))!;
      // The body exactly as the seed's code builds it: the custom provider has no `from`, so JSON.stringify leaves it out.
      const expected = JSON.stringify({
        from: undefined,
        action: 'second-factor-authenticator',
        language: n.locale,
        recipient: TO,
        message_type: 'text',
        text: `${code} is your verification code for ${tenant.friendlyName}`,
        code,
      });
      assert.equal(got[0]!.body, expected);

      const exec = await execution(n.attempts[0]!);
      assert.equal(exec.trigger_id, 'custom-phone-provider');
      assert.equal(exec.results[0]!.outcome, 'success');
      assert.equal(exec.results[0]!.logs, '200\n{"ok":true}');
      assert.equal(exec.results[0]!.version_id, deployed.json().id);

      const [log, ...more] = await logsOf(id, 1);
      assert.equal(more.length, 0);
      assert.equal(log!.type, 'gd_send_sms');
      assert.equal(log!.details['provider'], 'custom');
      assert.equal(log!.details['message_type'], 'otp_verify');
    });

    test('api.notification.drop (the last call wins): failed at once, not retried', async () => {
      await deploy(handler('api.notification.retry("first");\napi.notification.drop("no route for " + event.notification.recipient);'));
      const id = await tryProvider();
      const n = await final(id);
      assert.equal(n.status, 'failed');
      assert.equal(n.error_code, 'dropped');
      assert.equal(n.last_error, `no route for ${TO}`);
      assert.deepEqual(n.attempts.map((a) => [a.outcome, a.error_code, a.reason]), [['failed', 'dropped', `no route for ${TO}`]]);
      assert.equal((await execution(n.attempts[0]!)).results[0]!.outcome, 'dropped');
      const logs = await logsOf(id, 1);
      assert.deepEqual(logs.map((l) => [l.type, l.details['error_code'], l.details['retryable']]), [['gd_send_sms_failure', 'dropped', false]]);
      assert.equal(logs[0]!.description, `Phone message could not be sent by SMS: no route for ${TO}`);
    });

    test('api.notification.retry: retried 5 times under the same notification id (6 attempts), then failed', async () => {
      await deploy(handler('api.notification.retry("provider busy");'));
      const id = await tryProvider();
      const n = await final(id);
      assert.equal(n.status, 'failed');
      assert.equal(n.max_attempts, 10, 'the pipeline would have tried more: the custom provider cap stopped it');
      assert.equal(n.attempt_count, 6);
      assert.deepEqual(n.attempts.map((a) => a.number), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(n.attempts.map((a) => a.outcome), ['retry', 'retry', 'retry', 'retry', 'retry', 'failed']);
      assert.ok(n.attempts.every((a) => a.error_code === 'retry' && a.reason === 'provider busy' && a.provider === 'custom'));
      assert.equal(n.error_code, 'retry');
      const executions = new Set(n.attempts.map((a) => a.detail['executionId']));
      assert.equal(executions.size, 6, 'one action execution per attempt');
      for (const a of n.attempts) assert.equal((await execution(a)).results[0]!.outcome, 'retry');
      const logs = await logsOf(id, 6);
      assert.deepEqual(logs.map((l) => l.type), ['phone_send_retry', 'phone_send_retry', 'phone_send_retry', 'phone_send_retry', 'phone_send_retry', 'gd_send_sms_failure']);
      assert.deepEqual(logs.map((l) => l.details['attempt']), [1, 2, 3, 4, 5, 6]);
    });

    test('an uncaught error is a retryable failure, with the same 5-retry budget', async () => {
      await deploy(handler('throw new Error("boom");'));
      const id = await tryProvider();
      const n = await final(id);
      assert.equal(n.status, 'failed');
      assert.deepEqual(n.attempts.map((a) => a.outcome), ['retry', 'retry', 'retry', 'retry', 'retry', 'failed']);
      assert.ok(n.attempts.every((a) => a.error_code === 'action_error' && /boom/.test(a.reason ?? '')), JSON.stringify(n.attempts));
      const exec = await execution(n.attempts[0]!);
      assert.equal(exec.results[0]!.outcome, 'runtime');
      assert.match(exec.results[0]!.error!.msg, /boom/);
      const logs = await logsOf(id, 6);
      assert.deepEqual(logs.map((l) => [l.type, l.details['error_code']]).slice(-2), [
        ['phone_send_retry', 'action_error'],
        ['gd_send_sms_failure', 'action_error'],
      ]);
    });

    test('a timeout (a loop after an await) is a retryable failure: the retry runs in a fresh isolate and is sent', async () => {
      // The local endpoint tells the action what to do: loop on the first attempt, return on the next.
      await deploy(handler('const r = await fetch(event.secrets.MY_ENDPOINT + "/control");\nif ((await r.text()) === "loop") { while (true) {} }'));
      endpoint.replies.push('loop');
      const id = await tryProvider();
      const n = await final(id);
      assert.equal(n.status, 'sent');
      assert.deepEqual(n.attempts.map((a) => [a.outcome, a.error_code]), [['retry', 'timeout'], ['sent', null]]);
      assert.equal((await execution(n.attempts[0]!)).results[0]!.outcome, 'timeout');
      assert.equal((await execution(n.attempts[1]!)).results[0]!.outcome, 'success');
      const logs = await logsOf(id, 2);
      assert.deepEqual(logs.map((l) => [l.type, l.details['error_code'] ?? null, l.details['retryable'] ?? null]), [
        ['phone_send_retry', 'timeout', true],
        ['gd_send_sms', null, null],
      ]);
    });

    test('a deploy takes effect for the next notification, without a restart', async () => {
      const post = (path: string) => handler(`await fetch(event.secrets.MY_ENDPOINT + "${path}", { method: "POST", body: event.notification.message_type });`);
      const v1 = await deploy(post('/v-one'));
      const first = await final(await tryProvider());
      assert.equal(first.status, 'sent');
      assert.equal(first.attempts[0]!.detail['versionId'], v1.id);
      const v2 = await deploy(post('/v-two'));
      assert.equal(v2.number, v1.number + 1);
      const second = await final(await tryProvider());
      assert.equal(second.status, 'sent');
      assert.equal(second.attempts[0]!.detail['versionId'], v2.id);
      assert.deepEqual(endpoint.received.filter((r) => r.url.startsWith('/sms/v-')).map((r) => [r.url, r.body]), [
        ['/sms/v-one', 'otp_verify'],
        ['/sms/v-two', 'otp_verify'],
      ]);
    });

    test("legacy mode with the phone-message-hook: the tenant's MFA texts go through its send-phone-message action", async () => {
      const { tenantId, token: lt } = await e().createTenant('legacy-co', 'legacy.example');
      const o = as(lt, 'legacy.example');
      const ok = async (method: 'PATCH' | 'PUT' | 'POST', url: string, body?: unknown) => {
        const res = await e().api(method, url, { ...o, ...(body !== undefined ? { body } : {}) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
        return res.json();
      };
      await ok('PATCH', '/api/v2/tenants/settings', { phone_consolidated_experience: false, friendly_name: 'Legacy Co' });
      assert.deepEqual(await ok('PUT', '/api/v2/guardian/factors/phone/selected-provider', { provider: 'phone-message-hook' }), { provider: 'phone-message-hook' });
      const hook = await ok('POST', '/api/v2/actions/actions', {
        name: 'legacy-hook',
        supported_triggers: SPM,
        code: 'exports.onExecuteSendPhoneMessage = async (event, api) => {\n  await fetch(event.secrets.HOOK_URL, { method: "POST", body: JSON.stringify(event.message_options) });\n};',
        secrets: [{ name: 'HOOK_URL', value: `${endpoint.url}/hook` }],
      });
      await ok('POST', `/api/v2/actions/actions/${hook.id}/deploy`);
      await ok('PATCH', '/api/v2/actions/triggers/send-phone-message/bindings', { bindings: [{ ref: { type: 'action_id', value: hook.id } }] });

      const tenant = (await e().c.repos.tenants.findById(tenantId))!;
      assert.equal(tenant.phoneConsolidatedExperience, false);
      const enqueue = (type: 'otp_verify' | 'otp_enroll', code: string, deliveryMethod: 'text' | 'voice' = 'text') =>
        e().c.services.notifications.enqueue(tenant, { type, deliveryMethod, recipient: TO, source: 'mfa', code, channel: 'legacy' });
      const hookCalls = () => endpoint.received.filter((r) => r.url === '/hook').map((r) => JSON.parse(r.body) as Record<string, string>);

      const verify = await final((await enqueue('otp_verify', '123456')).id, o);
      assert.equal(verify.status, 'sent', JSON.stringify(verify));
      assert.equal(verify.channel, 'legacy');
      assert.equal(verify.provider, 'phone-message-hook');
      assert.deepEqual(hookCalls(), [
        { action: 'second-factor-authentication', code: '123456', message_type: 'sms', recipient: TO, text: '123456 is your verification code for Legacy Co' },
      ]);
      const exec = await execution(verify.attempts[0]!, o);
      assert.equal(exec.trigger_id, 'send-phone-message');
      assert.equal(exec.results[0]!.outcome, 'success');
      assert.equal((await logsOf(verify.id, 1, o))[0]!.type, 'gd_send_sms');

      // The Guardian templates (mustache-like) give the text; enrollment is its own action.
      await ok('PUT', '/api/v2/guardian/factors/phone/templates', {
        enrollment_message: 'Enroll with {{code}} at {{tenant.friendly_name}}',
        verification_message: '{{tenant.friendly_name}} code: {{code}}',
      });
      assert.equal((await final((await enqueue('otp_enroll', '654321')).id, o)).status, 'sent');
      assert.equal((await final((await enqueue('otp_verify', '111222', 'voice')).id, o)).status, 'sent');
      assert.deepEqual(hookCalls().slice(1), [
        { action: 'enrollment', code: '654321', message_type: 'sms', recipient: TO, text: 'Enroll with 654321 at Legacy Co' },
        { action: 'second-factor-authentication', code: '111222', message_type: 'voice', recipient: TO, text: 'Legacy Co code: 1. 1. 1. 2. 2. 2' },
      ]);

      // The hook is blocking in Auth0: a failing hook fails the message at once.
      await ok('PATCH', `/api/v2/actions/actions/${hook.id}`, { code: 'exports.onExecuteSendPhoneMessage = async () => { throw new Error("gateway down"); };' });
      await ok('POST', `/api/v2/actions/actions/${hook.id}/deploy`);
      const failed = await final((await enqueue('otp_verify', '000111')).id, o);
      assert.equal(failed.status, 'failed');
      assert.deepEqual(failed.attempts.map((a) => [a.provider, a.outcome, a.error_code]), [['phone-message-hook', 'failed', 'action_error']]);

      // Guardian provider `twilio`: the legacy Twilio settings, sealed auth token included.
      await ok('PUT', '/api/v2/guardian/factors/phone/providers/twilio', { sid: TW_SID, auth_token: TW_TOKEN, from: '+14155550199' });
      await ok('PUT', '/api/v2/guardian/factors/phone/selected-provider', { provider: 'twilio' });
      const seen = twilio.requests.length; // the mock serves both dialects' runs
      const viaTwilio = await final((await enqueue('otp_verify', '424242')).id, o);
      assert.equal(viaTwilio.status, 'sent', JSON.stringify(viaTwilio));
      assert.equal(viaTwilio.provider, 'twilio');
      const [req, ...others] = twilio.requests.slice(seen);
      assert.equal(others.length, 0);
      assert.deepEqual(req!.auth, { user: TW_SID, password: TW_TOKEN });
      assert.deepEqual({ To: req!.form['To'], From: req!.form['From'], Body: req!.form['Body'] }, { To: TO, From: '+14155550199', Body: 'Legacy Co code: 424242' });

      // Guardian provider `auth0` (Auth0's own SMS service) does not exist on a self-hosted server.
      await ok('PUT', '/api/v2/guardian/factors/phone/selected-provider', { provider: 'auth0' });
      const none = await final((await enqueue('otp_verify', '999999')).id, o);
      assert.deepEqual([none.status, none.error_code], ['failed', 'provider_unavailable']);
    });

    test("while a runaway action of tenant A runs, tenant B's custom-provider sends succeed", async () => {
      const { token: bt } = await e().createTenant('tenant-b', 'b.example');
      const b = as(bt, 'b.example');
      const bSecret = `sk_b_${randomBytes(8).toString('hex')}`;
      e().neverReveal.add(bSecret);
      const made = await e().api('POST', '/api/v2/actions/actions', {
        ...b,
        body: { name: 'b-gateway', supported_triggers: CPP, code: seedExampleCode(), secrets: [{ name: 'MY_ENDPOINT', value: `${endpoint.url}/b` }, { name: 'MY_SECRET', value: bSecret }], deploy: true },
      });
      assert.equal(made.statusCode, 201, made.body);
      const bProvider = await e().api('POST', P, { ...b, body: { name: 'custom', configuration: { delivery_methods: ['text'] }, credentials: {} } });
      assert.equal(bProvider.statusCode, 201, bProvider.body);

      // Tenant A: signal that it started, then burn CPU until the wall-clock limit disposes its isolate.
      await deploy(handler('await fetch(event.secrets.MY_ENDPOINT + "/a-started");\nwhile (true) {}'));
      const aId = await tryProvider();
      await waitFor("tenant A's action to start", async () => (endpoint.received.some((r) => r.url === '/sms/a-started') ? true : undefined));

      const bId = await tryProvider(bProvider.json().id, b);
      const bSent = await final(bId, b);
      assert.equal(bSent.status, 'sent');
      const bReq = endpoint.received.filter((r) => r.url === '/b');
      assert.equal(bReq.length, 1);
      assert.equal(bReq[0]!.headers.authorization, `Bearer ${bSecret}`);
      const aMeanwhile = await timeline(aId);
      assert.equal(aMeanwhile.status, 'sending', "tenant A's first execution was still running when B's message was sent");
      assert.equal(aMeanwhile.attempts.length, 0);

      // A's next version returns at once: the retry after the timeout goes out.
      await deploy(handler('return;'));
      const a = await final(aId);
      assert.equal(a.status, 'sent');
      assert.deepEqual(a.attempts.map((x) => [x.outcome, x.error_code]), [['retry', 'timeout'], ['sent', null]]);
      // B cannot read A's notification.
      assert.equal((await e().api('GET', `/api/v2/phone/notifications/${aId}`, b)).statusCode, 404);
    });

    test('the purge worker removes executions past the 10-day retention and keeps recent ones', async () => {
      const tenant = (await e().c.repos.tenants.findByName('default'))!;
      const old = new Date(Date.now() - 11 * 24 * 3600 * 1000).toISOString();
      const oldId = randomUUID();
      await e().c.repos.actions.insertExecution(tenant.id, { id: oldId, triggerId: 'custom-phone-provider', status: 'final', results: [], createdAt: old, updatedAt: old });
      const recent = (await final(await tryProvider())).attempts[0]!;
      const errors: unknown[] = [];
      const worker = new ActionsPurgeWorker(e().c.actions, { warn: () => undefined, error: (o) => void errors.push(o) });
      await worker.tick();
      await worker.stop();
      assert.deepEqual(errors, []);
      assert.equal(await e().c.repos.actions.getExecution(tenant.id, oldId), undefined);
      assert.equal((await execution(recent)).results[0]!.outcome, 'success');
    });
  },
  ENV,
);
