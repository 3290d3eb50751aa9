import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { prefixOf } from '../../src/domain/abuse/phone-fraud-settings.js';
import { maskNumber } from '../../src/domain/notifications/dispatcher.js';
import { parseRecipient } from '../../src/domain/phone-number.js';
import { codeOf, received, setupTenant, SID, TWILIO_TOKEN, tenantId, type AuthFixture } from '../auth/helpers.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';

const mock = await startTwilioMock({ [SID]: TWILIO_TOKEN });
after(() => mock.close());

const BASE = '/api/v2/attack-protection/phone-fraud-guard';
const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const METRICS_TOKEN = 'metrics-token-for-fraud-tests';

/**
 * A fresh range of 10,000 Uzbek mobile numbers (one prefix: `+99890` and three digits), and numbers
 * in it. Each test takes its own, so that the two dialects' runs and the tests never share a prefix.
 */
let rangeSeq = 100 + Math.floor(Math.random() * 400);
const freshRange = () => `+99890${++rangeSeq}`;
const numberIn = (range: string, i: number) => `${range}${String(1000 + i).padStart(4, '0')}`;

test('the test ranges are one prefix of valid mobile numbers', () => {
  const r = freshRange();
  for (const i of [0, 1, 8999]) {
    const n = numberIn(r, i);
    assert.deepEqual(parseRecipient(n), { e164: n, country: 'UZ', numberType: 'MOBILE', callingCode: '998' });
    assert.equal(prefixOf(n), r);
    assert.equal(prefixOf(n, '998'), r);
  }
  assert.equal(prefixOf('+14155550123'), '+1415555', 'NANP: the prefix is the exchange (NPA-NXX)');
  assert.equal(prefixOf('+447400123456'), '+44740012');
});

interface Quarantine {
  id: string;
  prefix: string;
  country: string;
  mode: string;
  rule: string;
  evidence: Record<string, unknown>;
  blocked_sends: number;
  released_at: string | null;
  active: boolean;
}

describeEachDialect(
  'fraud guard: bursts to adjacent numbers and low conversion quarantine a prefix; release, safe list, monitor mode',
  (env) => {
    let e: TestEnv;
    let f: AuthFixture;
    let mark = 0;

    const start = (to: string) =>
      e.api('POST', '/passwordless/start', { body: { client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: to, send: 'code' } });
    const login = (to: string, otp: string) =>
      e.api('POST', '/oauth/token', { body: { grant_type: OTP_GRANT, client_id: f.app.clientId, client_secret: f.app.clientSecret, username: to, otp, realm: 'sms' } });
    const count = (prefix: string) => mock.requests.slice(mark).filter((r) => r.answered === 201 && r.form['To']?.startsWith(prefix)).length;
    /** The messages to numbers of `prefix` since the test began, once `expected` have arrived (sends are dispatched after the answer). */
    const sentTo = async (prefix: string, expected: number) => {
      await waitFor(`${expected} messages to ${prefix}`, async () => count(prefix) >= expected || undefined).catch(() => undefined);
      return count(prefix);
    };
    const settings = (body?: unknown, token = f.mgmt) => e.api(body === undefined ? 'GET' : 'PATCH', BASE, { token, ...(body !== undefined ? { body } : {}) });
    const quarantines = async (query = ''): Promise<Quarantine[]> => {
      const res = await e.api('GET', `${BASE}/quarantines${query}`, { token: f.mgmt });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const quarantineOf = async (prefix: string) => (await quarantines(`?prefix=${encodeURIComponent(prefix)}`))[0];
    /** Sends `n` codes to distinct numbers of `range` (from number `from`), each answered 200. */
    const pump = async (range: string, n: number, from = 0) => {
      for (let i = from; i < from + n; i++) {
        const res = await start(numberIn(range, i));
        assert.equal(res.statusCode, 200, `send ${i}: ${res.body}`);
      }
    };

    beforeEach(async () => {
      if (!e) {
        e = env();
        f = await setupTenant(e);
      }
      const reset = await settings({ mode: 'enforce', cooling_period_seconds: null, thresholds: null });
      assert.equal(reset.statusCode, 200, reset.body);
      mark = mock.requests.length;
    });

    test('settings: the defaults, a merge patch, validation (400 naming the field), scopes', async () => {
      // The server's default mode (the suite runs with PHONE_FRAUD_GUARD_DEFAULT_MODE=off; the shipped default is enforce).
      assert.equal((await settings({ mode: null })).json().mode, 'off');
      assert.equal((await settings({ mode: 'enforce' })).statusCode, 200);
      const got = await settings();
      assert.equal(got.statusCode, 200, got.body);
      assert.deepEqual(got.json(), {
        mode: 'enforce',
        cooling_period_seconds: 86400,
        thresholds: {
          burst_window_seconds: 600,
          burst_min_numbers: 8,
          burst_min_numbers_under_alarm: 3,
          burst_baseline_factor: 4,
          max_conversion: 0.2,
          settle_seconds: 300,
          conversion_window_seconds: 86400,
          conversion_min_sends: 20,
          volume_min_sends: 30,
          volume_baseline_factor: 5,
          volume_max_conversion: 0.35,
          country_min_sends: 50,
        },
        updated_at: got.json().updated_at,
      });
      const patched = await settings({ mode: 'monitor', thresholds: { burst_min_numbers: 12 } });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().mode, 'monitor');
      assert.equal(patched.json().thresholds.burst_min_numbers, 12);
      assert.equal(patched.json().thresholds.max_conversion, 0.2, 'the other thresholds keep their values');
      assert.equal((await settings()).json().thresholds.burst_min_numbers, 12);

      for (const [body, words] of [
        [{ mode: 'block' }, 'mode'],
        [{ thresholds: { max_conversion: 2 } }, 'max_conversion'],
        [{ thresholds: { burst_min_numbers: 1.5 } }, 'burst_min_numbers'],
        [{ thresholds: { nope: 1 } }, 'nope'],
        [{ cooling_period_seconds: 10 }, 'cooling_period_seconds'],
        [{ extra: true }, 'extra'],
      ] as const) {
        const res = await settings(body);
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.equal(res.json().errorCode, 'invalid_body');
        assert.match(res.json().message, new RegExp(words));
      }
      const readOnly = await e.token(['read:phone_fraud_guard']);
      assert.equal((await settings(undefined, readOnly)).statusCode, 200);
      assert.equal((await settings({ mode: 'off' }, readOnly)).statusCode, 403);
      const none = await e.token(['read:phone_send_policy']);
      assert.equal((await settings(undefined, none)).statusCode, 403);
      assert.equal((await e.api('GET', `${BASE}/quarantines`, { token: none })).statusCode, 403);
      assert.equal((await e.api('POST', `${BASE}/safe-prefixes`, { token: readOnly, body: { prefix: '+4479' } })).statusCode, 403);
    });

    test('a burst to adjacent numbers with no code verified: eight reach the provider, the ninth quarantines the prefix', async () => {
      const range = freshRange();
      await pump(range, 8);
      const ninth = await start(numberIn(range, 8));
      assert.equal(ninth.statusCode, 400, ninth.body);
      assert.equal(ninth.json().error, 'phone_destination_quarantined');
      // Another number of the range, and a send the next minute: refused too; another range is not.
      assert.equal((await start(numberIn(range, 500))).json().error, 'phone_destination_quarantined');
      assert.equal(await sentTo(range, 8), 8, 'eight messages reached the provider, no more');
      const other = freshRange();
      assert.equal((await start(numberIn(other, 1))).statusCode, 200);

      const q = await quarantineOf(range);
      assert.ok(q, 'the quarantine is listed');
      assert.equal(q.rule, 'adjacent_burst');
      assert.equal(q.country, 'UZ');
      assert.equal(q.mode, 'enforce');
      assert.equal(q.active, true);
      assert.equal(q.blocked_sends, 2);
      assert.equal(q.evidence['numbers'], 8);
      assert.equal(q.evidence['verified'], 0);
      assert.equal(q.evidence['threshold_numbers'], 8);
      const one = await e.api('GET', `${BASE}/quarantines/${q.id}`, { token: f.mgmt });
      assert.equal(one.statusCode, 200, one.body);
      assert.equal(one.json().id, q.id);

      const logs = await e.api('GET', '/api/v2/logs?q=type:phone_send_denied&per_page=100', { token: f.mgmt });
      const mine = (logs.json() as Array<{ details: Record<string, unknown> }>).filter((l) => l.details['to'] === maskNumber(numberIn(range, 8)));
      assert.equal(mine.length, 1);
      assert.equal(mine[0]!.details['guard'], 'phone_fraud_guard');
      assert.equal(mine[0]!.details['reason'], 'prefix_quarantined');
      assert.equal(mine[0]!.details['prefix'], range);
      assert.equal(mine[0]!.details['quarantine_id'], q.id);

      const metrics = await e.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      assert.match(metrics.body, /unifone_phone_sends_denied_total\{guard="phone_fraud_guard",reason="prefix_quarantined"\} [1-9]/);
    });

    test('the same burst with its codes verified (conversion) is not pumping: nothing is quarantined', async () => {
      const range = freshRange();
      for (let i = 0; i < 12; i++) {
        const to = numberIn(range, i);
        const m = mock.requests.length;
        assert.equal((await start(to)).statusCode, 200);
        const res = await login(to, codeOf(await received(mock, to, m)));
        assert.equal(res.statusCode, 200, res.body);
      }
      assert.equal(await sentTo(range, 12), 12);
      assert.equal(await quarantineOf(range), undefined);
      // Each code's row says where its send was counted, and every send counts as converted.
      const codes = await e.c.storage.db
        .selectFrom('phone_fraud_sends')
        .innerJoin('otp_codes', 'otp_codes.id', 'phone_fraud_sends.otp_id')
        .select(['otp_codes.fraud_prefix', 'otp_codes.fraud_country', 'otp_codes.consumed_at'])
        .where('phone_fraud_sends.prefix', '=', range)
        .execute();
      assert.equal(codes.length, 12);
      assert.ok(codes.every((c) => c.fraud_prefix === range && c.fraud_country === 'UZ' && c.consumed_at !== null), 'every send is linked to its verified code');
      // A sign-in does not wait for its conversion to be written (on PostgreSQL it is written beside it).
      const sums = async () => {
        const m = await e.c.storage.db
          .selectFrom('phone_fraud_minutes')
          .select((eb) => [eb.fn.sum<number>('sends').as('sends'), eb.fn.sum<number>('verified').as('verified')])
          .where('prefix', '=', range)
          .executeTakeFirstOrThrow();
        return { sends: Number(m.sends), verified: Number(m.verified) };
      };
      await waitFor('the twelve conversions', async () => (await sums()).verified >= 12 || undefined).catch(() => undefined);
      assert.deepEqual(await sums(), { sends: 12, verified: 12 });
    });

    test('release: DELETE ends the quarantine (kept as a record) and the prefix starts afresh; a second DELETE is 404', async () => {
      const range = freshRange();
      await pump(range, 8);
      assert.equal((await start(numberIn(range, 8))).statusCode, 400);
      const q = (await quarantineOf(range))!;
      const del = await e.api('DELETE', `${BASE}/quarantines/${q.id}`, { token: f.mgmt });
      assert.equal(del.statusCode, 204, del.body);
      assert.equal((await start(numberIn(range, 9))).statusCode, 200, 'sent after the release');
      const after = (await quarantineOf(range))!;
      assert.equal(after.active, false);
      assert.ok(after.released_at);
      assert.deepEqual((await quarantines('?active=true')).filter((x) => x.prefix === range), []);
      assert.equal((await e.api('DELETE', `${BASE}/quarantines/${q.id}`, { token: f.mgmt })).statusCode, 404);
      assert.equal((await e.api('GET', `${BASE}/quarantines/fq_nope`, { token: f.mgmt })).statusCode, 400);
      assert.equal((await e.api('GET', `${BASE}/quarantines/fq_000000000000000000000000`, { token: f.mgmt })).statusCode, 404);
      const totals = await e.api('GET', `${BASE}/quarantines?include_totals=true&per_page=1`, { token: f.mgmt });
      assert.equal(totals.statusCode, 200, totals.body);
      assert.equal(totals.json().quarantines.length, 1);
      assert.ok(totals.json().total >= 1);
    });

    test('safe list: a safe-listed prefix is never quarantined, adding one releases its quarantine; list, delete, bad input', async () => {
      const range = freshRange();
      const add = await e.api('POST', `${BASE}/safe-prefixes`, { token: f.mgmt, body: { prefix: range, note: 'our office' } });
      assert.equal(add.statusCode, 201, add.body);
      assert.deepEqual({ prefix: add.json().prefix, note: add.json().note }, { prefix: range, note: 'our office' });
      await pump(range, 12);
      assert.equal(await sentTo(range, 12), 12);
      assert.equal(await quarantineOf(range), undefined);
      const list = await e.api('GET', `${BASE}/safe-prefixes`, { token: f.mgmt });
      assert.ok((list.json() as Array<{ prefix: string }>).some((s) => s.prefix === range));
      const del = await e.api('DELETE', `${BASE}/safe-prefixes/${encodeURIComponent(range)}`, { token: f.mgmt });
      assert.equal(del.statusCode, 204, del.body);
      assert.equal((await e.api('DELETE', `${BASE}/safe-prefixes/${encodeURIComponent(range)}`, { token: f.mgmt })).statusCode, 404);

      // A quarantined prefix, safe-listed by a shorter prefix covering it: released, and sent to.
      const other = freshRange();
      await pump(other, 8);
      assert.equal((await start(numberIn(other, 8))).statusCode, 400);
      assert.equal((await e.api('POST', `${BASE}/safe-prefixes`, { token: f.mgmt, body: { prefix: other.slice(0, -1) } })).statusCode, 201);
      assert.equal((await quarantineOf(other))!.active, false);
      assert.equal((await start(numberIn(other, 9))).statusCode, 200);
      await e.api('DELETE', `${BASE}/safe-prefixes/${encodeURIComponent(other.slice(0, -1))}`, { token: f.mgmt });

      for (const body of [{ prefix: 'abc' }, { prefix: '+0123' }, { prefix: '' }, { note: 'x' }, { prefix: '+44', extra: 1 }]) {
        const res = await e.api('POST', `${BASE}/safe-prefixes`, { token: f.mgmt, body });
        assert.equal(res.statusCode, 400, JSON.stringify(body));
      }
    });

    test('monitor mode: nothing is refused, the quarantine is recorded with the sends it would have blocked; enforce then refuses', async () => {
      assert.equal((await settings({ mode: 'monitor' })).statusCode, 200);
      const range = freshRange();
      await pump(range, 11);
      assert.equal(await sentTo(range, 11), 11, 'all sent');
      const q = (await quarantineOf(range))!;
      assert.equal(q.mode, 'monitor');
      assert.equal(q.rule, 'adjacent_burst');
      assert.equal(q.blocked_sends, 3, 'the 9th, 10th and 11th would have been blocked');
      const row = await e.c.storage.db.selectFrom('notifications').select('id').where('recipient', '=', numberIn(range, 10)).executeTakeFirstOrThrow();
      const n = await e.api('GET', `/api/v2/phone/notifications/${row.id}`, { token: f.mgmt });
      assert.ok((n.json().policy as Array<Record<string, unknown>>).some((d) => d['guard'] === 'phone_fraud_guard' && d['reason'] === 'prefix_quarantine_monitored'), n.body);

      assert.equal((await settings({ mode: 'enforce' })).statusCode, 200);
      assert.equal((await start(numberIn(range, 11))).json().error, 'phone_destination_quarantined');
      assert.equal((await settings({ mode: 'off' })).statusCode, 200);
      assert.equal((await start(numberIn(range, 12))).statusCode, 200, 'off: nothing is judged');
    });

    test('low conversion: twenty settled sends in a day with one verified quarantine the prefix (no burst needed)', async () => {
      const range = freshRange();
      const t = await tenantId(e);
      const now = Date.now();
      // Spread over the last six hours, outside the burst window: only the settled-conversion rule sees them.
      for (let i = 0; i < 20; i++) {
        const at = new Date(now - 30 * 60_000 - i * 15 * 60_000).toISOString();
        await e.c.repos.phoneFraud.recordSend(t, { id: `seed${range}${i}`, otpId: `otp${range}${i}`, prefix: range, country: 'UZ', recipient: numberIn(range, i), createdAt: at });
      }
      // The first send's code verified (the conversion counts in that send's minute).
      await e.c.repos.phoneFraud.markVerified(t, { prefix: range, country: 'UZ', sentAt: new Date(now - 30 * 60_000).toISOString() });
      const res = await start(numberIn(range, 50));
      assert.equal(res.statusCode, 400, res.body);
      const q = (await quarantineOf(range))!;
      assert.equal(q.rule, 'low_conversion');
      assert.equal(q.evidence['settled_sends'], 20);
      assert.equal(q.evidence['verified'], 1);

      // Nineteen settled sends are not enough to judge.
      const other = freshRange();
      for (let i = 0; i < 19; i++) {
        const at = new Date(now - 30 * 60_000 - i * 15 * 60_000).toISOString();
        await e.c.repos.phoneFraud.recordSend(t, { id: `seed${other}${i}`, otpId: `otp${other}${i}`, prefix: other, country: 'UZ', recipient: numberIn(other, i), createdAt: at });
      }
      assert.equal((await start(numberIn(other, 50))).statusCode, 200);
    });

    test('tenants: another tenant neither sees the quarantine nor is refused for it', async () => {
      const range = freshRange();
      await pump(range, 8);
      assert.equal((await start(numberIn(range, 8))).statusCode, 400);
      const q = (await quarantineOf(range))!;
      const b = await e.createTenant(`fraud-b-${e.dialect}`, `fraud-b-${e.dialect}.example.com`);
      const host = `fraud-b-${e.dialect}.example.com`;
      assert.equal((await e.api('GET', `${BASE}/quarantines/${q.id}`, { token: b.token, host })).statusCode, 404);
      assert.equal((await e.api('DELETE', `${BASE}/quarantines/${q.id}`, { token: b.token, host })).statusCode, 404);
      const listB = await e.api('GET', `${BASE}/quarantines`, { token: b.token, host });
      assert.deepEqual(listB.json(), []);
      assert.equal((await quarantineOf(range))!.active, true, "tenant B's DELETE did not release A's quarantine");
    });
  },
  { TWILIO_API_BASE_URL: mock.url, METRICS_TOKEN },
);
