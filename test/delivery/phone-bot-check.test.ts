import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { SiteverifyClient } from '../../src/adapters/captcha/siteverify-client.js';
import { OFFICIAL_SITEVERIFY_URLS } from '../../src/domain/abuse/phone-bot-check.js';
import { maskNumber } from '../../src/domain/notifications/dispatcher.js';
import { setupTenant, SID, TWILIO_TOKEN, type AuthFixture } from '../auth/helpers.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { startSiteverifyMock } from '../helpers/siteverify-mock.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = '0x4AAAAAAAbotCheckSecretForTests';
const mock = await startTwilioMock({ [SID]: TWILIO_TOKEN });
const verifier = await startSiteverifyMock(SECRET);
after(async () => {
  await mock.close();
  await verifier.close();
});

const PATH = '/api/v2/attack-protection/phone-bot-check';
const METRICS_TOKEN = 'metrics-token-for-bot-check-tests';
const REALM = 'Username-Password-Authentication';
const PASSWORD = 'Kq7!vLr2#pZx9w';

let seq = 0;
const base = 100 + Math.floor(Math.random() * 800);
const gb = () => `+447400${base}${String(++seq).padStart(3, '0')}`;

test('the verifier client calls no loopback or private address unless the server allows it, and plain http only on loopback', async () => {
  const strict = new SiteverifyClient({ timeoutMs: 500, allowPrivateNetwork: false });
  const open = new SiteverifyClient({ timeoutMs: 500, allowPrivateNetwork: true });
  try {
    assert.match(strict.urlProblem(new URL(verifier.url)) ?? '', /address this server does not call/);
    assert.match(strict.urlProblem(new URL('https://localhost/siteverify')) ?? '', /address this server does not call/);
    assert.match(strict.urlProblem(new URL('https://10.1.2.3/siteverify')) ?? '', /address/);
    assert.match(open.urlProblem(new URL('https://169.254.169.254/')) ?? '', /address/, 'metadata endpoints never');
    assert.match(open.urlProblem(new URL('http://10.1.2.3/siteverify')) ?? '', /https/, 'plain http only on loopback');
    assert.equal(open.urlProblem(new URL(verifier.url)), undefined);
    assert.equal(strict.urlProblem(new URL(OFFICIAL_SITEVERIFY_URLS.recaptcha)), undefined);
    const asked = verifier.requests.length;
    const r = await strict.verify({ url: verifier.url, secret: SECRET, response: verifier.issue(), remoteip: undefined });
    assert.equal(r.kind, 'unavailable');
    assert.equal(verifier.requests.length, asked, 'the refused address was not called');
    const ok = await open.verify({ url: verifier.url, secret: SECRET, response: verifier.issue(), remoteip: undefined });
    assert.deepEqual(ok, { kind: 'answered', success: true, errorCodes: [], hostname: 'app.example.com' });
    assert.equal(verifier.requests.at(-1)!.form['remoteip'], undefined, 'no remoteip when there is none');
  } finally {
    await strict.close();
    await open.close();
  }
});

interface DeniedLog {
  ip: string | null;
  client_id: string | null;
  description: string;
  details: Record<string, unknown>;
}

describeEachDialect(
  'bot check: a CAPTCHA token before a code is sent (passwordless, phone signup), verified against a siteverify stand-in',
  (env) => {
    let e: TestEnv;
    let f: AuthFixture;
    const settings = (body?: unknown, token = f.mgmt) => e.api(body === undefined ? 'GET' : 'PATCH', PATH, { token, ...(body !== undefined ? { body } : {}) });
    const start = (to: string, captcha?: unknown) =>
      e.api('POST', '/passwordless/start', {
        body: { client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: to, send: 'code', ...(captcha !== undefined ? { captcha } : {}) },
      });
    const signup = (to: string, captcha?: unknown) =>
      e.api('POST', '/dbconnections/signup', { body: { client_id: f.app.clientId, connection: REALM, phone_number: to, password: PASSWORD, ...(captcha !== undefined ? { captcha } : {}) } });
    const sentTo = (to: string) => mock.requests.filter((r) => r.form['To'] === to && r.answered === 201).length;
    /** Waits for the (inline, asynchronous) delivery of `n` messages to `to`. */
    const delivered = (to: string, n = 1) => waitFor(`${n} message(s) to ${to}`, () => (sentTo(to) >= n ? sentTo(to) : undefined));
    const notificationTo = async (to: string) => {
      const row = await e.c.storage.db.selectFrom('notifications').select('id').where('recipient', '=', to).orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
      if (!row) return undefined;
      const res = await e.api('GET', `/api/v2/phone/notifications/${row.id}`, { token: f.mgmt });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { policy: Array<Record<string, unknown>> };
    };
    const deniedLogs = async (to: string): Promise<DeniedLog[]> => {
      const res = await e.api('GET', '/api/v2/logs?q=type:phone_send_denied&per_page=100', { token: f.mgmt });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as DeniedLog[]).filter((l) => l.details['to'] === maskNumber(to));
    };
    const metrics = async () => (await e.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).body;
    const enforce = (extra: Record<string, unknown> = {}) =>
      settings({ mode: 'enforce', provider: 'turnstile', siteverify_url: verifier.url, secret: SECRET, flows: ['passwordless', 'signup'], on_verifier_error: 'fail_closed', ...extra });

    beforeEach(async () => {
      if (!e) {
        e = env();
        f = await setupTenant(e);
        e.neverReveal.add(SECRET);
      }
      verifier.state = 'up';
      const reset = await settings({ mode: 'off', secret: null, siteverify_url: null, flows: null, on_verifier_error: null, provider: null, hostnames: null, min_score: null, actions: null });
      assert.equal(reset.statusCode, 200, reset.body);
    });

    test('off by default: the settings show it, no token is needed and the verifier is never asked', async () => {
      const got = await settings();
      assert.equal(got.statusCode, 200, got.body);
      assert.deepEqual({ ...(got.json() as object), updated_at: null }, {
        mode: 'off',
        provider: 'turnstile',
        siteverify_url: OFFICIAL_SITEVERIFY_URLS.turnstile,
        flows: ['passwordless', 'signup'],
        on_verifier_error: 'fail_closed',
        hostnames: [],
        min_score: null,
        actions: {},
        secret_set: false,
        updated_at: null,
      });
      const asked = verifier.requests.length;
      const to = gb();
      assert.equal((await start(to)).statusCode, 200);
      assert.equal(await delivered(to), 1);
      assert.equal(verifier.requests.length, asked);
      assert.ok(!(await notificationTo(to))!.policy.some((d) => d['guard'] === 'phone_bot_check'), 'nothing recorded while off');
    });

    test('enforce, a good token: sent; the verifier got the form (secret, response, remoteip); the secret is never shown', async () => {
      const set = await enforce();
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(set.json().secret_set, true);
      assert.equal(set.json().mode, 'enforce');
      assert.equal(set.json().siteverify_url, verifier.url);
      assert.ok(!('secret' in set.json()));
      assert.ok(!('secret' in (await settings()).json()));
      const token = verifier.issue();
      const to = gb();
      const res = await start(to, token);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await delivered(to), 1);
      const asked = verifier.requests.at(-1)!;
      assert.match(asked.contentType ?? '', /^application\/x-www-form-urlencoded/);
      assert.equal(asked.form['secret'], SECRET);
      assert.equal(asked.form['response'], token);
      assert.equal(asked.form['remoteip'], '127.0.0.1');
      assert.deepEqual((await notificationTo(to))!.policy[0], { guard: 'phone_bot_check', verdict: 'allow' });
      // The secret stays in the database only sealed.
      const row = await e.c.storage.db.selectFrom('phone_bot_check_settings').selectAll().executeTakeFirstOrThrow();
      assert.ok(!row.secret_sealed!.includes(SECRET) && !row.settings.includes(SECRET));
    });

    test('enforce, no token: 400 invalid_captcha, nothing sent, a log line with its reason, a metric', async () => {
      assert.equal((await enforce()).statusCode, 200);
      const asked = verifier.requests.length;
      const to = gb();
      const res = await start(to);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error, 'invalid_captcha');
      assert.match(res.json().error_description, /CAPTCHA is required/);
      assert.equal(sentTo(to), 0);
      assert.equal(verifier.requests.length, asked, 'no token: the verifier is not asked');
      assert.equal(await notificationTo(to), undefined, 'no notification written');
      const [line] = await deniedLogs(to);
      assert.ok(line, 'logged');
      assert.equal(line.details['guard'], 'phone_bot_check');
      assert.equal(line.details['reason'], 'captcha_missing');
      assert.equal(line.details['error_code'], 'invalid_captcha');
      assert.equal(line.details['flow'], 'passwordless');
      assert.equal(line.client_id, f.app.clientId);
      assert.match(await metrics(), /unifone_phone_sends_denied_total\{guard="phone_bot_check",reason="captcha_missing"\} [1-9]/);
      // An empty string is no token either; a non-string is refused without asking.
      assert.equal((await start(to, '')).json().error, 'invalid_captcha');
      assert.equal((await start(to, { x: 1 })).json().error, 'invalid_captcha');
      assert.equal(verifier.requests.length, asked);
      assert.equal(sentTo(to), 0);
    });

    test('enforce, a rejected token (unknown, or used once already): 400, the vendor error codes logged', async () => {
      assert.equal((await enforce()).statusCode, 200);
      const to = gb();
      const res = await start(to, 'not-a-token-the-widget-gave');
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error, 'invalid_captcha');
      assert.match(res.json().error_description, /not accepted/);
      const token = verifier.issue();
      assert.equal((await start(to, token)).statusCode, 200);
      const replay = await start(to, token);
      assert.equal(replay.statusCode, 400, 'a token passes once');
      assert.equal(await delivered(to), 1);
      const lines = await deniedLogs(to);
      assert.deepEqual(lines.map((l) => l.details['reason']), ['captcha_rejected', 'captcha_rejected']);
      assert.deepEqual(lines.map((l) => l.details['verifier_error_codes']).sort(), [['invalid-input-response'], ['timeout-or-duplicate']]);
      for (const l of lines) assert.ok(!JSON.stringify(l).includes(token), 'the token is not logged');
    });

    test('hostnames: a token the verifier says was solved on another site is rejected', async () => {
      assert.equal((await enforce({ hostnames: ['Login.Example.org'] })).json().hostnames[0], 'login.example.org');
      const to = gb();
      const res = await start(to, verifier.issue());
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error, 'invalid_captcha');
      const [line] = await deniedLogs(to);
      assert.deepEqual(line?.details['verifier_error_codes'], ['hostname-mismatch']);
      assert.equal(line?.details['verifier_hostname'], 'app.example.com');
      assert.equal((await settings({ hostnames: ['login.example.org', 'app.example.com'] })).statusCode, 200);
      assert.equal((await start(to, verifier.issue())).statusCode, 200);
      assert.equal(await delivered(to), 1);
    });

    test('reCAPTCHA v3: a score under min_score, an answer without a score, and a token made for another action are rejected', async () => {
      const set = await enforce({ provider: 'recaptcha', min_score: 0.5, actions: { passwordless: 'login_sms' } });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(set.json().min_score, 0.5);
      assert.deepEqual(set.json().actions, { passwordless: 'login_sms' });
      const to = gb();
      for (const [extra, code] of [
        [{ score: 0.1, action: 'login_sms' }, 'score-too-low'],
        [{ action: 'login_sms' }, 'score-missing'],
        [{ score: 0.9, action: 'comment' }, 'action-mismatch'],
      ] as const) {
        const res = await start(to, verifier.issue(extra));
        assert.equal(res.statusCode, 400, `${code}: ${res.body}`);
        assert.equal(res.json().error, 'invalid_captcha');
      }
      const lines = await deniedLogs(to);
      assert.deepEqual(lines.map((l) => (l.details['verifier_error_codes'] as string[])[0]).sort(), ['action-mismatch', 'score-missing', 'score-too-low']);
      assert.ok(lines.some((l) => l.details['verifier_score'] === 0.1 && l.details['reason'] === 'captcha_rejected'));
      assert.ok(lines.some((l) => l.details['verifier_action'] === 'comment'));
      assert.equal(sentTo(to), 0, 'nothing sent');
      // At the threshold and with the action named: sent. The signup flow names no action: not checked.
      assert.equal((await start(to, verifier.issue({ score: 0.5, action: 'login_sms' }))).statusCode, 200);
      assert.equal(await delivered(to), 1);
      assert.equal((await signup(gb(), verifier.issue({ score: 0.7, action: 'anything' }))).statusCode, 200);
      // Bad values are 400 naming the field; null puts the defaults back.
      for (const body of [{ min_score: 1.5 }, { min_score: 'high' }, { actions: { passwordless: 'no spaces' } }, { actions: { reset: 'x' } }]) {
        const bad = await settings(body);
        assert.equal(bad.statusCode, 400, JSON.stringify(body));
        assert.match(bad.json().message, /min_score|actions/);
      }
      const cleared = await settings({ min_score: null, actions: null });
      assert.equal(cleared.statusCode, 200, cleared.body);
      assert.equal(cleared.json().min_score, null);
      assert.deepEqual(cleared.json().actions, {});
      assert.equal((await start(gb(), verifier.issue())).statusCode, 200, 'no score needed any more');
    });

    test('the verifier down: fail_closed refuses (400, captcha_unavailable), fail_open sends and records it', async () => {
      assert.equal((await enforce()).statusCode, 200);
      for (const state of ['down', 'garbage', 'hang'] as const) {
        verifier.state = state;
        const to = gb();
        const res = await start(to, verifier.issue());
        assert.equal(res.statusCode, 400, `${state}: ${res.body}`);
        assert.equal(res.json().error, 'invalid_captcha');
        assert.match(res.json().error_description, /could not be verified/);
        assert.equal(sentTo(to), 0);
        assert.equal((await deniedLogs(to))[0]?.details['reason'], 'captcha_unavailable', state);
      }
      verifier.state = 'down';
      assert.equal((await settings({ on_verifier_error: 'fail_open' })).statusCode, 200);
      const to = gb();
      const res = await start(to, verifier.issue());
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await delivered(to), 1);
      assert.deepEqual((await notificationTo(to))!.policy[0], { guard: 'phone_bot_check', verdict: 'allow', reason: 'captcha_unavailable' });
      // Fail-open is for an unreachable verifier only: a missing token is still refused.
      assert.equal((await start(gb())).statusCode, 400);
    });

    test('monitor: sent without a token or with a bad one, and the failed check recorded (notification, metrics)', async () => {
      assert.equal((await settings({ mode: 'monitor', siteverify_url: verifier.url, secret: SECRET })).statusCode, 200);
      const a = gb();
      assert.equal((await start(a)).statusCode, 200);
      assert.equal(await delivered(a), 1);
      assert.deepEqual((await notificationTo(a))!.policy[0], { guard: 'phone_bot_check', verdict: 'allow', reason: 'captcha_missing_monitored' });
      const b = gb();
      assert.equal((await start(b, 'forged')).statusCode, 200);
      assert.deepEqual((await notificationTo(b))!.policy[0], { guard: 'phone_bot_check', verdict: 'allow', reason: 'captcha_rejected_monitored' });
      assert.deepEqual(await deniedLogs(a), [], 'monitor refuses nothing');
      assert.match(await metrics(), /unifone_send_policy_decisions_total\{tenant="[^"]+",guard="phone_bot_check",verdict="allow",reason="captcha_missing_monitored"\} [1-9]/);
    });

    test('phone signup: refused before the user is written (a retry with a token is a new signup), and only on the flows listed', async () => {
      assert.equal((await enforce()).statusCode, 200);
      const to = gb();
      const refused = await signup(to);
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().error, 'invalid_captcha');
      assert.equal(sentTo(to), 0);
      const users = await e.c.storage.db.selectFrom('users').select('user_id').where('phone_number', '=', to).execute();
      assert.equal(users.length, 0, 'no user written');
      assert.equal((await deniedLogs(to))[0]?.details['flow'], 'signup');
      const ok = await signup(to, verifier.issue());
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(await delivered(to), 1);
      assert.equal((await notificationTo(to))!.policy[0]!['guard'], 'phone_bot_check');

      assert.equal((await settings({ flows: ['passwordless'] })).statusCode, 200);
      const other = gb();
      assert.equal((await signup(other)).statusCode, 200, 'signup no longer asks for a token');
      assert.equal((await start(gb())).statusCode, 400, 'passwordless still does');
    });

    test('bad settings are 400 naming the field; a mode that checks needs the secret', async () => {
      for (const [body, words] of [
        [{ mode: 'enforce' }, 'secret'],
        [{ mode: 'always' }, 'mode'],
        [{ provider: 'friendlycaptcha' }, 'provider'],
        [{ flows: ['mfa_challenge'] }, 'flows'],
        [{ on_verifier_error: 'maybe' }, 'on_verifier_error'],
        [{ siteverify_url: 'http://verifier.example.com/siteverify' }, 'https'],
        [{ siteverify_url: 'not a url' }, 'siteverify_url'],
        [{ siteverify_url: 'https://user:pw@verifier.example.com/' }, 'user name'],
        [{ siteverify_url: 'https://169.254.169.254/latest' }, 'address'],
        [{ secret: '' }, 'secret'],
        [{ secret: 42 }, 'secret'],
        [{ sitekey: 'x' }, 'sitekey'],
        [{ hostnames: ['https://app.example.com/'] }, 'hostnames'],
      ] as const) {
        const res = await settings(body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
        assert.equal(res.json().errorCode, 'invalid_body');
        assert.match(res.json().message, new RegExp(words), JSON.stringify(body));
      }
      // Removing the secret of a checking mode is refused too; turning it off first is fine.
      assert.equal((await enforce()).statusCode, 200);
      assert.equal((await settings({ secret: null })).statusCode, 400);
      assert.equal((await settings({ mode: 'off', secret: null })).json().secret_set, false);
      const other = await settings({ provider: 'hcaptcha', siteverify_url: null });
      assert.equal(other.json().siteverify_url, OFFICIAL_SITEVERIFY_URLS.hcaptcha);
    });

    test('scopes are enforced; another tenant has its own settings', async () => {
      const read = await e.token(['read:phone_bot_check']);
      assert.equal((await settings(undefined, read)).statusCode, 200);
      assert.equal((await settings({ mode: 'off' }, read)).statusCode, 403);
      assert.equal((await settings(undefined, await e.token(['read:phone_spend']))).statusCode, 403);
      assert.equal((await settings({ mode: 'off' }, await e.token(['update:phone_bot_check']))).statusCode, 200);

      assert.equal((await enforce()).statusCode, 200);
      const b = await e.createTenant(`bot-b-${e.dialect}`, `bot-b-${e.dialect}.example.com`);
      const host = `bot-b-${e.dialect}.example.com`;
      const theirs = await e.api('GET', PATH, { token: b.token, host });
      assert.equal(theirs.statusCode, 200, theirs.body);
      assert.equal(theirs.json().mode, 'off', "tenant A's setting is not tenant B's");
      assert.equal(theirs.json().secret_set, false);
      e.neverReveal.add('tenant-b-secret-value');
      const changed = await e.api('PATCH', PATH, { token: b.token, host, body: { mode: 'monitor', secret: 'tenant-b-secret-value' } });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal((await settings()).json().mode, 'enforce', "tenant B's change is not tenant A's");
    });
  },
  { TWILIO_API_BASE_URL: mock.url, METRICS_TOKEN, BOT_CHECK_ALLOW_PRIVATE_NETWORK: 'true', BOT_CHECK_TIMEOUT_MS: '500' },
);
