import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { DEFAULT_PRICES, defaultSpendSettings, periodsOf, priceOf } from '../../src/domain/abuse/phone-spend.js';
import { phoneSpendRepository } from '../../src/adapters/storage/phone-spend-repository.js';
import { setupTenant, SID, tenantId, TWILIO_TOKEN, type AuthFixture } from '../auth/helpers.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';

const mock = await startTwilioMock({ [SID]: TWILIO_TOKEN });
after(() => mock.close());

const PATH = '/api/v2/attack-protection/phone-spend';
const METRICS_TOKEN = 'metrics-token-for-spend-tests';

test('prices: the tenant price for the country, then the shipped one, then the defaults; periods are UTC', () => {
  const s = defaultSpendSettings();
  assert.equal(priceOf(s, 'GB', 'text'), DEFAULT_PRICES['GB']!.text);
  assert.equal(priceOf(s, 'ZW', 'voice'), DEFAULT_PRICES['default']!.voice, 'a country without a shipped price costs the default');
  assert.equal(priceOf(s, undefined, 'text'), DEFAULT_PRICES['001']!.text, 'non-geographic numbers');
  s.prices = { GB: { text: 0.01 }, default: { voice: 0.5 } };
  assert.equal(priceOf(s, 'GB', 'text'), 0.01);
  assert.equal(priceOf(s, 'GB', 'voice'), DEFAULT_PRICES['GB']!.voice, 'the method the tenant left out is the shipped price');
  assert.equal(priceOf(s, 'ZW', 'voice'), 0.5, "the tenant's default before the shipped default");
  assert.deepEqual(periodsOf(new Date('2026-12-31T23:59:30.000Z')), { day: '2026-12-31', month: '2026-12', dayEndsIn: 30, monthEndsIn: 30 });
});

/** Fresh UK mobile numbers (each its own per-user send budget). */
let seq = 0;
const base = 100 + Math.floor(Math.random() * 800);
const gb = () => `+447400${base}${String(++seq).padStart(3, '0')}`;

describeEachDialect(
  'spend caps: the daily and monthly caps refuse sends past them (429, logged, counted), prices per country overridable',
  (env) => {
    let e: TestEnv;
    let f: AuthFixture;
    const spend = (body?: unknown, token = f.mgmt) => e.api(body === undefined ? 'GET' : 'PATCH', PATH, { token, ...(body !== undefined ? { body } : {}) });
    const start = (to: string) =>
      e.api('POST', '/passwordless/start', { body: { client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: to, send: 'code' } });
    const spentToday = async () => (await spend()).json().spent.day.amount as number;

    beforeEach(async () => {
      if (!e) {
        e = env();
        f = await setupTenant(e);
      }
      const reset = await spend({ daily_cap: null, monthly_cap: null, prices: null });
      assert.equal(reset.statusCode, 200, reset.body);
    });

    test('defaults: no caps, the shipped prices, what was spent; every send is charged its price', async () => {
      const got = await spend();
      assert.equal(got.statusCode, 200, got.body);
      const v = got.json();
      assert.equal(v.currency, 'USD');
      assert.equal(v.daily_cap, null);
      assert.equal(v.monthly_cap, null);
      assert.deepEqual(v.prices, {});
      assert.deepEqual(v.default_prices['GB'], DEFAULT_PRICES['GB']);
      const today = new Date().toISOString();
      assert.equal(v.spent.day.period, today.slice(0, 10));
      assert.equal(v.spent.month.period, today.slice(0, 7));
      const before = v.spent.day.amount as number;
      assert.equal((await start(gb())).statusCode, 200);
      assert.equal(Math.round(((await spentToday()) - before) * 1e6), DEFAULT_PRICES['GB']!.text * 1e6);
    });

    test('a burst of uncapped charges is charged exactly; on SQLite, summed into one upsert per tenant and group commit', async () => {
      const repo = phoneSpendRepository(e.c.storage.db);
      const tenant = await tenantId(e);
      const p = periodsOf(new Date());
      const total = async () => (await repo.totals(tenant, [p.day, p.month]))[p.day]!;
      const before = await total();
      // Every statement run that writes the totals, counted at better-sqlite3's statement (SQLite only).
      let upserts = 0;
      const h = e.c.storage.handle;
      const proto = h.dialect === 'sqlite' ? (Object.getPrototypeOf(h.database.prepare('select 1')) as { run: (...a: unknown[]) => unknown; source: string }) : undefined;
      const run = proto?.run;
      if (proto && run)
        proto.run = function (this: { source: string }, ...a: unknown[]) {
          if (this.source.includes('phone_spend_totals')) upserts++;
          return run.apply(this, a);
        };
      try {
        const charges = Array.from({ length: 10 }, (_, i) => repo.charge(tenant, { day: p.day, month: p.month, cost: 1000 + i, dailyCap: null, monthlyCap: null }));
        assert.deepEqual(await Promise.all(charges), Array(10).fill('ok'));
      } finally {
        if (proto && run) proto.run = run;
      }
      assert.equal((await total()) - before, 10 * 1000 + 45);
      if (h.dialect === 'sqlite') assert.equal(upserts, 1, 'one upsert for the ten charges');
    });

    test('the daily cap: sends up to it pass, the next is refused with 429, Retry-After, a log line and a metric', async () => {
      const before = await spentToday();
      // Room for two UK texts at the tenant's price of 0.01.
      const set = await spend({ daily_cap: before + 0.025, prices: { GB: { text: 0.01 } } });
      assert.equal(set.statusCode, 200, set.body);
      assert.deepEqual(set.json().prices, { GB: { text: 0.01 } });
      // The fraud guard (off in the suite's default) in monitor mode: it records every code it allows.
      assert.equal((await e.api('PATCH', '/api/v2/attack-protection/phone-fraud-guard', { token: f.mgmt, body: { mode: 'monitor' } })).statusCode, 200);
      const sent = gb();
      assert.equal((await start(sent)).statusCode, 200);
      assert.equal((await start(gb())).statusCode, 200);
      const to = gb();
      const refused = await start(to);
      assert.equal(refused.statusCode, 429, refused.body);
      assert.equal(refused.json().error, 'phone_spend_cap_reached');
      assert.match(refused.json().error_description, /daily phone spend cap/);
      const retry = Number(refused.headers['retry-after']);
      assert.ok(retry > 0 && retry <= 86_400, `retry-after ${retry}`);
      assert.equal(refused.headers['x-ratelimit-remaining'], '0');
      assert.ok(Math.abs(Number(refused.headers['x-ratelimit-reset']) - (Math.ceil(Date.now() / 1000) + retry)) <= 2, 'x-ratelimit-reset: the end of the day');
      assert.equal(Math.round(((await spentToday()) - before) * 100), 2, 'the refused send was not charged');
      assert.equal(mock.requests.filter((r) => r.form['To'] === to).length, 0, 'nothing reached the provider');
      // The fraud guard (before the cap) allowed the code; its record is written with the send, so the refused code is not counted.
      const fraudSends = (recipient: string) => e.c.storage.db.selectFrom('phone_fraud_sends').select('id').where('recipient', '=', recipient).execute();
      assert.equal((await fraudSends(sent)).length, 1, 'a code sent is recorded');
      assert.equal((await fraudSends(to)).length, 0, 'a code the cap refused is not recorded');
      assert.equal((await e.api('PATCH', '/api/v2/attack-protection/phone-fraud-guard', { token: f.mgmt, body: { mode: null } })).statusCode, 200);

      const logs = await e.api('GET', '/api/v2/logs?q=type:phone_send_denied&per_page=100', { token: f.mgmt });
      const line = (logs.json() as Array<{ details: Record<string, unknown> }>).find((l) => l.details['guard'] === 'phone_spend_cap');
      assert.ok(line, 'logged');
      assert.equal(line.details['reason'], 'spend_cap_daily');
      assert.equal(line.details['error_code'], 'phone_spend_cap_reached');
      const metrics = await e.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      assert.match(metrics.body, /unifone_phone_sends_denied_total\{guard="phone_spend_cap",reason="spend_cap_daily"\} [1-9]/);

      // Raising the cap lets sends through again; a cheaper destination can still fit under it.
      assert.equal((await spend({ daily_cap: null })).statusCode, 200);
      assert.equal((await start(gb())).statusCode, 200);
    });

    test('the monthly cap refuses as well (reason spend_cap_monthly); test numbers are never charged', async () => {
      const month = (await spend()).json().spent.month.amount as number;
      assert.equal((await spend({ monthly_cap: month })).statusCode, 200);
      const res = await start(gb());
      assert.equal(res.statusCode, 429, res.body);
      assert.equal(res.json().error, 'phone_spend_cap_reached');
      assert.match(res.json().error_description, /monthly/);

      const testNumber = gb();
      const put = await e.api('PUT', '/api/v2/branding/phone/test-numbers', { token: f.mgmt, body: { numbers: [{ number: testNumber, code: '123456' }] } });
      assert.ok(put.statusCode < 300, put.body);
      assert.equal((await start(testNumber)).statusCode, 200, 'a test number is not charged, so it is not capped');
      assert.equal((await spend()).json().spent.month.amount, month);
      await e.api('PUT', '/api/v2/branding/phone/test-numbers', { token: f.mgmt, body: { numbers: [] } });
    });

    test('bad input is 400 naming the field; scopes', async () => {
      for (const [body, words] of [
        [{ daily_cap: -1 }, 'daily_cap'],
        [{ daily_cap: 'ten' }, 'daily_cap'],
        [{ prices: { XX: { text: 1 } } }, 'XX'],
        [{ prices: { GB: { fax: 1 } } }, 'fax'],
        [{ prices: { GB: { text: 5000 } } }, 'text'],
        [{ currency: 'EUR' }, 'currency'],
      ] as const) {
        const res = await spend(body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
        assert.equal(res.json().errorCode, 'invalid_body');
        assert.match(res.json().message, new RegExp(words));
      }
      const read = await e.token(['read:phone_spend']);
      assert.equal((await spend(undefined, read)).statusCode, 200);
      assert.equal((await spend({ daily_cap: 1 }, read)).statusCode, 403);
      assert.equal((await spend(undefined, await e.token(['read:phone_fraud_guard']))).statusCode, 403);
    });
  },
  { TWILIO_API_BASE_URL: mock.url, METRICS_TOKEN },
);
