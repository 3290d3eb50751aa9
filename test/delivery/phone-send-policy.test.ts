import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { decodeJwt } from 'jose';
import { DEFAULT_BLOCKED_TYPES } from '../../src/domain/abuse/phone-send-policy.js';
import { maskNumber } from '../../src/domain/notifications/dispatcher.js';
import { SEND_FLOWS } from '../../src/domain/notifications/send-flows.js';
import { parseRecipient } from '../../src/domain/phone-number.js';
import { enableMfa, phone, received, codeOf, setupTenant, SID, TWILIO_TOKEN, type AuthFixture } from '../auth/helpers.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';

const mock = await startTwilioMock({ [SID]: TWILIO_TOKEN });
after(() => mock.close());

/** Real numbers of each type, as libphonenumber's full metadata classifies them (checked below). */
const EXAMPLES = {
  PREMIUM_RATE: '+449098790000', // UK 09 premium-rate range (Ofcom's drama numbers)
  PREMIUM_RATE_US: '+19002345678', // NANP 900
  SHARED_COST: '+43810123456', // Austria 0810
  UAN: '+445512345678', // UK 055 corporate numbers
  PAGER: '+447640123456', // UK 076 pagers
  VOICEMAIL: '+41860123456789', // Swiss 086 voicemail access
  VOIP: '+445612345678', // UK 056
  MOBILE_GB: '+447400123456',
  MOBILE_DE: '+4915012345678',
  SATELLITE: '+881612345678', // Iridium: non-geographic (+881)
} as const;

test('the example numbers are of the types and countries the tests rely on', () => {
  const expect: Array<[string, string | undefined, string]> = [
    [EXAMPLES.PREMIUM_RATE, 'GB', 'PREMIUM_RATE'],
    [EXAMPLES.PREMIUM_RATE_US, 'US', 'PREMIUM_RATE'],
    [EXAMPLES.SHARED_COST, 'AT', 'SHARED_COST'],
    [EXAMPLES.UAN, 'GB', 'UAN'],
    [EXAMPLES.PAGER, 'GB', 'PAGER'],
    [EXAMPLES.VOICEMAIL, 'CH', 'VOICEMAIL'],
    [EXAMPLES.VOIP, 'GB', 'VOIP'],
    [EXAMPLES.MOBILE_GB, 'GB', 'MOBILE'],
    [EXAMPLES.MOBILE_DE, 'DE', 'MOBILE'],
    [EXAMPLES.SATELLITE, undefined, 'MOBILE'],
  ];
  for (const [n, country, type] of expect) {
    const { callingCode, ...rest } = parseRecipient(n)!;
    assert.deepEqual(rest, { e164: n, country, numberType: type }, n);
    assert.ok(callingCode && n.startsWith(`+${callingCode}`), `${n}: calling code ${callingCode}`);
  }
  assert.deepEqual([...DEFAULT_BLOCKED_TYPES].sort(), ['PAGER', 'PREMIUM_RATE', 'SHARED_COST', 'UAN', 'VOICEMAIL']);
});

/** Fresh GB mobile numbers (each number is its own passwordless send budget). */
let gbSeq = 0;
const gbBase = 100 + Math.floor(Math.random() * 800);
const gbMobile = () => `+447400${gbBase}${String(++gbSeq).padStart(3, '0')}`;

const PATH = '/api/v2/attack-protection/phone-send-policy';
const REALM = 'Username-Password-Authentication';
const PASSWORD = 'Kq7!vLr2#pZx9w';
const OOB = 'http://auth0.com/oauth/grant-type/mfa-oob';

interface DeniedLog {
  type: string;
  description: string;
  details: Record<string, unknown>;
}

describeEachDialect(
  'phone send policy: countries, number types and delivery methods per flow, through the real flows',
  (env) => {
    let e: TestEnv;
    let f: AuthFixture;
    let providerId: string;

    const policy = (body?: unknown, token = f.mgmt) => e.api(body === undefined ? 'GET' : 'PATCH', PATH, { token, ...(body !== undefined ? { body } : {}) });
    const set = async (body: unknown) => {
      const res = await policy(body);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const RESET = { countries: null, number_types: null, flows: Object.fromEntries(SEND_FLOWS.map((fl) => [fl, null])) };

    const start = (to: string) =>
      e.api('POST', '/passwordless/start', { body: { client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: to, send: 'code' } });
    const tryProvider = (to: string, delivery_method?: 'text' | 'voice') =>
      e.api('POST', `/api/v2/branding/phone/providers/${providerId}/try`, { token: f.mgmt, body: { to, ...(delivery_method ? { delivery_method } : {}) } });
    // The Twilio mock serves both dialects' runs: each test counts the messages since it began.
    let mark = 0;
    const sentTo = (to: string) => mock.requests.slice(mark).filter((r) => r.form['To'] === to && r.answered === 201).length;
    /** The public view of the newest notification to `to`. */
    const notificationTo = async (to: string) => {
      const row = await e.c.storage.db.selectFrom('notifications').select('id').where('recipient', '=', to).orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
      if (!row) return undefined;
      const res = await e.api('GET', `/api/v2/phone/notifications/${row.id}`, { token: f.mgmt });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { status: string; channel?: string; policy: Array<Record<string, unknown>> };
    };
    /** The `phone_send_denied` log lines about `to` (matched by its masked form). */
    const deniedLogs = async (to: string): Promise<DeniedLog[]> => {
      const res = await e.api('GET', '/api/v2/logs?q=type:phone_send_denied&per_page=100', { token: f.mgmt });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as DeniedLog[]).filter((l) => l.details['to'] === maskNumber(to));
    };
    /** Asserts one deny of `to` by the policy guard, with its reason, flow and the number masked. */
    const assertDenied = async (to: string, reason: string, flow: string, extra: Record<string, unknown> = {}) => {
      const logs = (await deniedLogs(to)).filter((l) => l.details['reason'] === reason && l.details['flow'] === flow);
      assert.equal(logs.length, 1, `one ${reason} log line for ${flow}: ${JSON.stringify(await deniedLogs(to))}`);
      const l = logs[0]!;
      assert.equal(l.details['guard'], 'phone_send_policy');
      for (const [k, v] of Object.entries(extra)) assert.deepEqual(l.details[k], v, k);
      assert.ok(!JSON.stringify(l).includes(to), 'the log line carries the number masked only');
      assert.equal(sentTo(to), 0, 'nothing reached the provider');
      assert.equal(await notificationTo(to), undefined, 'no notification was written');
    };

    beforeEach(async () => {
      if (!e) {
        e = env();
        f = await setupTenant(e);
        await enableMfa(e, f.mgmt);
        providerId = (await e.api('GET', '/api/v2/branding/phone/providers', { token: f.mgmt })).json().providers[0].id;
      }
      await set(RESET);
      mark = mock.requests.length;
    });

    test('defaults: the policy reads as its defaults; premium-rate numbers are refused on /passwordless/start and test sends, mobiles are sent', async () => {
      const got = await policy();
      assert.equal(got.statusCode, 200, got.body);
      assert.deepEqual(got.json(), {
        countries: { mode: 'deny_list', list: [] },
        number_types: { mode: 'enforce', blocked: ['PREMIUM_RATE', 'SHARED_COST', 'UAN', 'PAGER', 'VOICEMAIL'] },
        flows: {},
        updated_at: got.json().updated_at,
      });

      const p = await start(EXAMPLES.PREMIUM_RATE);
      assert.equal(p.statusCode, 400, p.body);
      assert.equal(p.json().error, 'phone_destination_not_allowed');
      assert.equal(p.json().error_description, 'Messages to premium-rate phone numbers are not allowed');
      await assertDenied(EXAMPLES.PREMIUM_RATE, 'number_type_denied', 'passwordless', { country: 'GB', number_type: 'PREMIUM_RATE', error_code: 'phone_destination_not_allowed', delivery_method: 'text' });
      const codes = await e.c.storage.db.selectFrom('otp_codes').select('id').where('subject', 'like', `%${EXAMPLES.PREMIUM_RATE}%`).execute();
      assert.equal(codes.length, 0, 'a denied send issues no code');

      const t = await tryProvider(EXAMPLES.PREMIUM_RATE_US);
      assert.equal(t.statusCode, 400, t.body);
      assert.deepEqual(t.json(), { statusCode: 400, error: 'Bad Request', message: 'Messages to premium-rate phone numbers are not allowed', errorCode: 'phone_destination_not_allowed' });
      await assertDenied(EXAMPLES.PREMIUM_RATE_US, 'number_type_denied', 'test_send', { country: 'US', number_type: 'PREMIUM_RATE' });
      assert.ok(!e.logs.join('').includes(EXAMPLES.PREMIUM_RATE_US), 'no server log line has the full number');

      // Every type blocked by default, and the non-blocked VoIP and mobile numbers go through.
      for (const n of [EXAMPLES.SHARED_COST, EXAMPLES.UAN, EXAMPLES.PAGER, EXAMPLES.VOICEMAIL]) {
        const r = await tryProvider(n);
        assert.equal(r.statusCode, 400, `${n}: ${r.body}`);
        await assertDenied(n, 'number_type_denied', 'test_send', { number_type: parseRecipient(n)!.numberType });
      }
      for (const n of [EXAMPLES.VOIP, EXAMPLES.MOBILE_DE]) {
        const r = await tryProvider(n);
        assert.equal(r.statusCode, 202, `${n}: ${r.body}`);
        await waitFor(`the test send to ${n}`, async () => sentTo(n) === 1 || undefined);
      }
      const mobile = gbMobile();
      assert.equal((await start(mobile)).statusCode, 200);
      const n = await notificationTo(mobile);
      assert.deepEqual(n!.policy[0], { guard: 'phone_send_policy', verdict: 'allow' });
      await waitFor('the code at the provider', async () => sentTo(mobile) === 1 || undefined);
    });

    test('countries: an allow list sends only to its countries, a deny list refuses its own; non-geographic numbers are 001', async () => {
      await set({ countries: { mode: 'allow_list', list: ['US', 'DE'] } });
      const gb = gbMobile();
      const denied = await start(gb);
      assert.equal(denied.statusCode, 400, denied.body);
      assert.equal(denied.json().error, 'phone_destination_not_allowed');
      assert.equal(denied.json().error_description, 'Messages to phone numbers of country GB are not allowed');
      await assertDenied(gb, 'country_denied', 'passwordless', { country: 'GB', number_type: 'MOBILE' });
      const sat = await tryProvider(EXAMPLES.SATELLITE);
      assert.equal(sat.statusCode, 400, sat.body);
      assert.equal(sat.json().message, 'Messages to non-geographic phone numbers are not allowed');
      await assertDenied(EXAMPLES.SATELLITE, 'country_denied', 'test_send');
      const us = phone();
      assert.equal((await start(us)).statusCode, 200);
      assert.deepEqual((await notificationTo(us))!.policy[0], { guard: 'phone_send_policy', verdict: 'allow' });
      await waitFor('the code to the US number', async () => sentTo(us) === 1 || undefined);

      await set({ countries: { mode: 'deny_list', list: ['US', '001'] } });
      const us2 = phone();
      assert.equal((await start(us2)).statusCode, 400);
      await assertDenied(us2, 'country_denied', 'passwordless', { country: 'US' });
      const gb2 = gbMobile();
      assert.equal((await start(gb2)).statusCode, 200);
      await waitFor('the code to the GB number', async () => sentTo(gb2) === 1 || undefined);
    });

    test('monitor: a listed country and a blocked type in monitor mode are recorded on the notification and sent', async () => {
      await set({ countries: { mode: 'monitor', list: ['GB'] } });
      const gb = gbMobile();
      const res = await start(gb);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual((await notificationTo(gb))!.policy[0], { guard: 'phone_send_policy', verdict: 'allow', reason: 'country_monitored' });
      await waitFor('the monitored send at the provider', async () => sentTo(gb) === 1 || undefined);
      assert.deepEqual(await deniedLogs(gb), []);
      // Monitor denies nothing, but the type rule still does.
      const t = await tryProvider(EXAMPLES.PAGER);
      assert.equal(t.statusCode, 400, t.body);

      await set({ countries: null, number_types: { mode: 'monitor' } });
      const p = await tryProvider(EXAMPLES.PREMIUM_RATE);
      assert.equal(p.statusCode, 202, p.body);
      const n = (await e.api('GET', `/api/v2/phone/notifications/${p.json().notification_id}`, { token: f.mgmt })).json();
      assert.deepEqual(n.policy[0], { guard: 'phone_send_policy', verdict: 'allow', reason: 'number_type_monitored' });
      await waitFor('the premium-rate test send', async () => sentTo(EXAMPLES.PREMIUM_RATE) === 1 || undefined);
    });

    // ---- MFA ----
    let users = 0;
    const newUser = async (): Promise<string> => {
      const email = `policy${++users}-${e.dialect}@example.com`;
      await e.c.identity.directory.createUser({ id: (await e.c.repos.tenants.findByName('default'))!.id }, { connection: REALM, email, password: PASSWORD });
      return email;
    };
    /** The password grant: 403 mfa_required with an mfa_token (MFA is required for every application). */
    const mfaToken = async (email: string): Promise<string> => {
      const res = await e.api('POST', '/oauth/token', {
        body: { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: f.app.clientId, client_secret: f.app.clientSecret, realm: REALM, username: email, password: PASSWORD },
      });
      assert.equal(res.statusCode, 403, res.body);
      return res.json().mfa_token as string;
    };
    const creds = () => ({ client_id: f.app.clientId, client_secret: f.app.clientSecret });
    const associate = (token: string, to: string) =>
      e.api('POST', '/mfa/associate', { headers: { authorization: `Bearer ${token}` }, body: { ...creds(), authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: to } });
    const challenge = (token: string, extra: Record<string, unknown> = {}) => e.api('POST', '/mfa/challenge', { body: { ...creds(), mfa_token: token, challenge_type: 'oob', ...extra } });
    const oob = (token: string, oobCode: string, code: string) => e.api('POST', '/oauth/token', { body: { ...creds(), grant_type: OOB, mfa_token: token, oob_code: oobCode, binding_code: code } });
    /** Runs `action`, waits for the message it sends to `to` and returns the response and the code. */
    const withCode = async (to: string, action: () => Promise<{ statusCode: number; body: string; json(): any }>) => {
      const mark = mock.requests.length;
      const res = await action();
      assert.equal(res.statusCode, 200, res.body);
      return { res: res.json(), code: codeOf(await received(mock, to, mark)) };
    };

    test('per flow: MFA enrollment limited to US numbers while passwordless still reaches GB; /mfa/associate is refused with the policy error', async () => {
      await set({ flows: { mfa_enrollment: { countries: { mode: 'allow_list', list: ['US'] } } } });
      const gb = gbMobile();
      const token = await mfaToken(await newUser());
      const a = await associate(token, gb);
      assert.equal(a.statusCode, 400, a.body);
      assert.equal(a.json().error, 'phone_destination_not_allowed');
      await assertDenied(gb, 'country_denied', 'mfa_enrollment', { country: 'GB' });
      // The tenant-level rules still apply to the other flows.
      assert.equal((await start(gb)).statusCode, 200);
      await waitFor('the passwordless code', async () => sentTo(gb) === 1 || undefined);
      // A US number enrolls; the stored decision names the guard.
      const us = phone();
      const { res, code } = await withCode(us, () => associate(token, us));
      assert.deepEqual((await notificationTo(us))!.policy[0], { guard: 'phone_send_policy', verdict: 'allow' });
      assert.equal((await oob(token, res.oob_code, code)).statusCode, 200);
    });

    test('per flow: voice off for MFA challenges refuses a voice challenge, and the SMS code sent before it stays valid', async () => {
      const us = phone();
      const email = await newUser();
      const enrolling = await mfaToken(email);
      const enrolled = await withCode(us, () => associate(enrolling, us));
      assert.equal((await oob(enrolling, enrolled.res.oob_code, enrolled.code)).statusCode, 200);
      const token = await mfaToken(email);
      await set({ flows: { mfa_challenge: { delivery_methods: ['text'] } } });
      const sms = await withCode(us, () => challenge(token));
      const before = sentTo(us);
      const voice = await challenge(token, { oob_channel: 'voice' });
      assert.equal(voice.statusCode, 400, voice.body);
      assert.equal(voice.json().error, 'delivery_method_not_allowed');
      assert.equal(voice.json().error_description, 'Voice calls are not allowed for mfa_challenge messages by this tenant\'s send policy');
      const logs = (await deniedLogs(us)).filter((l) => l.details['reason'] === 'delivery_method_denied');
      assert.equal(logs.length, 1);
      assert.equal(logs[0]!.details['flow'], 'mfa_challenge');
      assert.equal(logs[0]!.details['delivery_method'], 'voice');
      assert.equal(sentTo(us), before, 'no call was placed');
      // The deny issued no code: the SMS code sent before it still completes the challenge.
      const done = await oob(token, sms.res.oob_code, sms.code);
      assert.equal(done.statusCode, 200, done.body);
      assert.ok(decodeJwt(done.json().access_token).sub);
      // Other flows keep voice: a voice test send goes out.
      const v = await tryProvider(phone(), 'voice');
      assert.equal(v.statusCode, 202, v.body);
    });

    test('password reset by phone: a refused destination answers as for an unknown number (no account oracle), and is logged', async () => {
      const member = gbMobile();
      const target = (to: string) => ({ client_id: f.app.clientId, connection: REALM, phone_number: to });
      const signup = await e.api('POST', '/dbconnections/signup', { body: { ...target(member), password: PASSWORD } });
      assert.equal(signup.statusCode, 200, signup.body);
      await received(mock, member, mark);
      await set({ flows: { password_reset: { countries: { mode: 'deny_list', list: ['GB'] } } } });
      const mark2 = mock.requests.length;
      const known = await e.api('POST', '/dbconnections/change_password', { body: target(member) });
      const unknown = await e.api('POST', '/dbconnections/change_password', { body: target(gbMobile()) });
      assert.equal(known.statusCode, 200, known.body);
      assert.equal(known.body, unknown.body, 'the same answer for a member and a stranger');
      const logs = (await deniedLogs(member)).filter((l) => l.details['reason'] === 'country_denied');
      assert.equal(logs.length, 1);
      assert.equal(logs[0]!.details['flow'], 'password_reset');
      assert.equal(mock.requests.slice(mark2).filter((r) => r.form['To'] === member).length, 0, 'no reset code was sent');
    });

    test('signup by phone to a refused destination: the policy error, no code, and no user left behind (a later signup is a new one)', async () => {
      const to = gbMobile();
      const target = { client_id: f.app.clientId, connection: REALM, phone_number: to };
      await set({ flows: { signup: { countries: { mode: 'deny_list', list: ['GB'] } } } });
      const mark1 = mock.requests.length;
      const refused = await e.api('POST', '/dbconnections/signup', { body: { ...target, password: PASSWORD } });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().error, 'phone_destination_not_allowed');
      assert.equal(mock.requests.slice(mark1).filter((r) => r.form['To'] === to).length, 0, 'no code was sent');
      const users = (await e.api('GET', `/api/v2/users?q=${encodeURIComponent(to.slice(1))}`, { token: await e.token() })).json() as unknown[];
      assert.equal(users.length, 0, 'the user the signup wrote was removed');
      await set({ flows: { signup: null } });
      const again = await e.api('POST', '/dbconnections/signup', { body: { ...target, password: PASSWORD } });
      assert.equal(again.statusCode, 200, `not user_exists: ${again.body}`);
    });

    test('test sends follow the policy (test_send flow); test numbers are never denied for country or type, but keep the flow\'s delivery methods', async () => {
      await set({ flows: { test_send: { delivery_methods: ['text'] } } });
      const voice = await tryProvider(phone(), 'voice');
      assert.equal(voice.statusCode, 400, voice.body);
      assert.equal(voice.json().errorCode, 'delivery_method_not_allowed');

      // A premium-rate number listed as a test number, with every country denied.
      const put = await e.api('PUT', '/api/v2/branding/phone/test-numbers', { token: f.mgmt, body: { numbers: [{ number: EXAMPLES.PREMIUM_RATE }] } });
      assert.equal(put.statusCode, 200, put.body);
      await set({ countries: { mode: 'allow_list', list: [] } });
      const sentBefore = sentTo(EXAMPLES.PREMIUM_RATE);
      try {
        const p = await start(EXAMPLES.PREMIUM_RATE);
        assert.equal(p.statusCode, 200, p.body);
        const n = await notificationTo(EXAMPLES.PREMIUM_RATE);
        assert.equal(n!.channel ?? 'test_number', 'test_number');
        assert.deepEqual(n!.policy[0], { guard: 'phone_send_policy', verdict: 'allow' });
        const t = await tryProvider(EXAMPLES.PREMIUM_RATE);
        assert.equal(t.statusCode, 202, t.body);
        const tv = await tryProvider(EXAMPLES.PREMIUM_RATE, 'voice');
        assert.equal(tv.statusCode, 400, tv.body);
        assert.equal(tv.json().errorCode, 'delivery_method_not_allowed');
        // The same rules refuse a real number.
        const real = phone();
        assert.equal((await start(real)).statusCode, 400);
        await assertDenied(real, 'country_denied', 'passwordless');
      } finally {
        await e.api('PUT', '/api/v2/branding/phone/test-numbers', { token: f.mgmt, body: { numbers: [] } });
      }
      assert.equal(sentTo(EXAMPLES.PREMIUM_RATE), sentBefore, 'the test number never reached the provider');
    });

    // ---- the Management API ----

    test('PATCH merges (null puts a part back to its default), GET reads it back, and the next send obeys it at once', async () => {
      const body = {
        countries: { mode: 'allow_list', list: ['US', 'CA', 'GB'] },
        number_types: { blocked: ['PREMIUM_RATE', 'VOIP', 'UNKNOWN'] },
        flows: { passwordless: { delivery_methods: ['text'], number_types: { mode: 'enforce', blocked: ['PREMIUM_RATE', 'PERSONAL_NUMBER'] } }, account_notice: { countries: { mode: 'deny_list', list: [] } } },
      };
      const out = await set(body);
      const expected = {
        countries: { mode: 'allow_list', list: ['US', 'CA', 'GB'] },
        number_types: { mode: 'enforce', blocked: ['PREMIUM_RATE', 'VOIP', 'UNKNOWN'] },
        flows: body.flows,
      };
      assert.deepEqual({ ...out, updated_at: undefined }, { ...expected, updated_at: undefined });
      assert.ok(Date.parse(out.updated_at) > Date.now() - 60_000);
      assert.deepEqual((await policy()).json(), out);
      // The tenant-level VoIP block applies to test sends, not to passwordless (its own type rule).
      assert.equal((await tryProvider(EXAMPLES.VOIP)).statusCode, 400);

      const merged = await set({ countries: { list: ['US'] }, flows: { passwordless: { number_types: null }, account_notice: null } });
      assert.deepEqual(merged.countries, { mode: 'allow_list', list: ['US'] });
      assert.deepEqual(merged.flows, { passwordless: { delivery_methods: ['text'] } });
      assert.deepEqual(merged.number_types, expected.number_types);
      const reset = await set({ countries: null, number_types: null });
      assert.deepEqual(reset.countries, { mode: 'deny_list', list: [] });
      assert.deepEqual(reset.number_types.blocked, [...DEFAULT_BLOCKED_TYPES]);
    });

    test('bad input is 400 invalid_body in the Auth0 shape, naming what is wrong, and changes nothing', async () => {
      const before = (await policy()).json();
      const cases: Array<[unknown, RegExp]> = [
        [{ countries: { mode: 'allow_list', list: ['ZZ'] } }, /unknown country codes: "ZZ"/],
        [{ countries: { list: ['us'] } }, /countries\.list\.0/],
        [{ countries: { list: ['USA'] } }, /countries\.list\.0/],
        [{ countries: { mode: 'block' } }, /countries\.mode/],
        [{ countries: { list: ['US', 'US'] } }, /duplicate|countries\.list/],
        [{ number_types: { blocked: ['SATELLITE'] } }, /number_types\.blocked\.0/],
        [{ number_types: { mode: 'deny' } }, /number_types\.mode/],
        [{ flows: { login: { delivery_methods: ['text'] } } }, /Additional properties not allowed: login/],
        [{ flows: { passwordless: { delivery_methods: ['fax'] } } }, /delivery_methods\.0/],
        [{ flows: { passwordless: { countries: { list: ['US'] } } } }, /Missing required property: flows\.passwordless\.countries\.mode/],
        [{ flows: { passwordless: { ttl: 3 } } }, /Additional properties not allowed: ttl/],
        [{ flows: [] }, /flows/],
        [{ updated_at: '2020-01-01T00:00:00.000Z' }, /Additional properties not allowed: updated_at/],
      ];
      for (const [body, message] of cases) {
        const res = await policy(body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)} → ${res.body}`);
        const b = res.json();
        assert.deepEqual(Object.keys(b).sort(), ['error', 'errorCode', 'message', 'statusCode']);
        assert.equal(b.statusCode, 400);
        assert.equal(b.error, 'Bad Request');
        assert.equal(b.errorCode, 'invalid_body');
        assert.match(b.message, message, JSON.stringify(body));
      }
      assert.deepEqual((await policy()).json(), before);
    });

    test('scopes: read:phone_send_policy reads, update:phone_send_policy writes, other scopes do neither', async () => {
      const reader = await e.token(['read:phone_send_policy']);
      const writer = await e.token(['update:phone_send_policy']);
      const other = await e.token(['read:attack_protection', 'update:attack_protection', 'read:phone_providers']);
      assert.equal((await policy(undefined, reader)).statusCode, 200);
      const no = await policy({ countries: { list: ['US'] } }, reader);
      assert.equal(no.statusCode, 403);
      assert.equal(no.json().message, 'Insufficient scope, expected any of: update:phone_send_policy');
      assert.equal((await policy(undefined, writer)).statusCode, 403);
      assert.equal((await policy({ countries: { list: ['FR'] } }, writer)).statusCode, 200);
      assert.equal((await policy(undefined, other)).statusCode, 403);
      assert.equal((await policy({ countries: { list: ['US'] } }, other)).statusCode, 403);
      assert.equal((await e.api('GET', PATH)).statusCode, 401);
      assert.deepEqual((await policy()).json().countries.list, ['FR']);
    });

    test("tenants are isolated: tenant B neither reads nor changes tenant A's policy, nor is bound by it", async () => {
      await set({ countries: { mode: 'allow_list', list: ['US'] } });
      const b = await e.createTenant(`policy-b-${e.dialect}`, `b-${e.dialect}.example`);
      const host = `b-${e.dialect}.example`;
      const readB = await e.api('GET', PATH, { token: b.token, host });
      assert.equal(readB.statusCode, 200, readB.body);
      assert.deepEqual(readB.json().countries, { mode: 'deny_list', list: [] });
      assert.equal(readB.json().updated_at, null);
      const patchB = await e.api('PATCH', PATH, { token: b.token, host, body: { countries: { mode: 'deny_list', list: ['FR'] } } });
      assert.equal(patchB.statusCode, 200, patchB.body);
      assert.deepEqual((await policy()).json().countries, { mode: 'allow_list', list: ['US'] });
      // A's token at B's host is refused (B's keys did not sign it).
      assert.equal((await e.api('GET', PATH, { token: f.mgmt, host })).statusCode, 401);
      // B's policy does not apply to A's sends.
      assert.equal((await tryProvider(EXAMPLES.MOBILE_GB)).statusCode, 400, 'A refuses GB (its allow list)');
      assert.equal((await e.c.repos.phoneSendPolicies.get(b.tenantId))?.policy.countries.list.join(), 'FR');
    });
  },
  { TWILIO_API_BASE_URL: mock.url },
);
