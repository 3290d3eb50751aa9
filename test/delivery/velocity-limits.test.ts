import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { systemClock } from '../../src/domain/clock.js';
import { ipBucket, destinationPrefix } from '../../src/domain/abuse/velocity-keys.js';
import { VelocityGuard } from '../../src/domain/abuse/velocity-guard.js';
import { defaultVelocityPolicy, VELOCITY_KEYS, type VelocityKey, type VelocityPolicy } from '../../src/domain/abuse/velocity-policy.js';
import type { RateCounters } from '../../src/domain/abuse/rate-counters.js';
import type { SendRequest } from '../../src/domain/notifications/send-policy.js';
import { parseRecipient } from '../../src/domain/phone-number.js';
import type { TenantRecord } from '../../src/domain/ports.js';
import { phone, setupTenant, SID, TWILIO_TOKEN, type AuthFixture } from '../auth/helpers.js';
import { describeEachDialect } from '../helpers/harness.js';
import { createRateCounters } from '../../src/adapters/rate-limits/rate-counters.js';
import type { StorageHandle } from '../../src/adapters/storage/db.js';
import { groupWrite } from '../../src/adapters/storage/write-batcher.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';

const mock = await startTwilioMock({ [SID]: TWILIO_TOKEN });
after(() => mock.close());
const METRICS_TOKEN = 'metrics-token-for-the-velocity-tests';

test('IPv6 addresses are counted by their /64, IPv4 (and IPv4-mapped) addresses alone; prefixes drop the last three digits', () => {
  assert.equal(ipBucket('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(ipBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(ipBucket('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(ipBucket('::1'), '0:0:0:0::/64');
  assert.equal(ipBucket('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(ipBucket('192.0.2.7'), '192.0.2.7');
  assert.notEqual(ipBucket('2001:db8:1:2::1'), ipBucket('2001:db8:1:3::1'));
  assert.equal(destinationPrefix('+447946000123'), '+447946000');
});

/** Only `rule` counts, with `limit` a window of `window` seconds. */
function only(rule: VelocityKey, limit: number, window = 3600, backoff: 'exponential' | 'none' = 'exponential'): VelocityPolicy {
  const p = defaultVelocityPolicy();
  for (const k of VELOCITY_KEYS) p.rules[k] = { ...p.rules[k], mode: k === rule ? 'enforce' : 'off' };
  p.rules[rule] = { mode: 'enforce', limit, window_seconds: window };
  p.backoff.type = backoff;
  return p;
}

describeEachDialect(
  'velocity limits: the guard over the shared counters',
  (env) => {
    let policy: VelocityPolicy;
    let guard: VelocityGuard;
    let tenant: TenantRecord;
    const counters = (): RateCounters => env().c.counters;
    before(() => {
      guard = new VelocityGuard({ get: async () => ({ policy, updatedAt: '' }) }, counters(), systemClock);
    });
    // Each test has a tenant id of its own, so its counters start at zero.
    const fresh = (p: VelocityPolicy) => {
      policy = p;
      tenant = { id: `vt_${randomBytes(6).toString('hex')}`, name: 'velocity' } as TenantRecord;
    };
    const send = (o: Partial<{ to: string; user: string | null; ip: string | null; client: string | null }> = {}) => {
      const r: SendRequest = {
        tenant,
        flow: 'passwordless',
        source: 'passwordless',
        type: 'otp_verify',
        deliveryMethod: 'text',
        recipient: parseRecipient(o.to ?? '+14155550123')!,
        channel: 'provider',
        userId: o.user === undefined ? 'user-1' : o.user,
        clientId: o.client === undefined ? 'client-1' : o.client,
        ip: o.ip === undefined ? '192.0.2.1' : o.ip,
      };
      return guard.check(r);
    };
    const verdicts = async (sends: Array<Parameters<typeof send>[0]>) => {
      const out: string[] = [];
      for (const s of sends) {
        const d = await send(s);
        out.push(d.verdict === 'deny' ? `deny:${d.reason}` : d.verdict);
      }
      return out;
    };

    // For each rule: two sends fill it, a third sharing its key is denied, sends with another key pass.
    const cases: Array<{ rule: VelocityKey; same: Array<Parameters<typeof send>[0]>; other: Parameters<typeof send>[0] }> = [
      { rule: 'recipient', same: [{ user: 'a' }, { user: 'b', ip: '192.0.2.9' }, { user: 'c', client: 'x' }], other: { to: '+14155550124' } },
      // Finding 5: one user from three addresses (rotating IPv6) is one user.
      { rule: 'user', same: [{ ip: '2001:db8:1::1', to: '+14155550001' }, { ip: '2001:db8:2::1', to: '+14155550002' }, { ip: '198.51.100.3', to: '+442079460003' }], other: { user: 'user-2' } },
      { rule: 'ip', same: [{ ip: '2001:db8:1:2::1', user: 'a' }, { ip: '2001:db8:1:2::ffff', user: 'b' }, { ip: '2001:db8:1:2:3:4:5:6', user: 'c' }], other: { ip: '2001:db8:1:3::1' } },
      { rule: 'client', same: [{ user: 'a' }, { user: 'b' }, { user: 'c' }], other: { client: 'client-2' } },
      { rule: 'tenant', same: [{ user: 'a', client: 'x' }, { user: 'b', client: 'y' }, { user: 'c', client: null, ip: null }], other: undefined },
      { rule: 'prefix', same: [{ to: '+14155550001' }, { to: '+14155550999' }, { to: '+14155550500' }], other: { to: '+14155551001' } },
      { rule: 'country', same: [{ to: '+14155550001' }, { to: '+12125550002' }, { to: '+13105550003' }], other: { to: '+442079460000' } },
    ];
    for (const c of cases) {
      test(`rule ${c.rule}: the third send with the same key is denied (velocity_${c.rule}), others pass`, async () => {
        fresh(only(c.rule, 2));
        assert.deepEqual(await verdicts(c.same), ['allow', 'allow', `deny:velocity_${c.rule}`]);
        if (c.other) assert.equal((await send(c.other)).verdict, 'allow', 'another key is not affected');
        else {
          // The tenant rule: another tenant is not affected.
          const mine = tenant;
          fresh(only('tenant', 2));
          assert.equal((await send()).verdict, 'allow');
          tenant = mine;
        }
      });
    }

    test('a send with no such key is not counted by that rule (no user, no IP, no client)', async () => {
      fresh(only('user', 1));
      assert.deepEqual(await verdicts([{ user: null }, { user: null }, { user: null }]), ['allow', 'allow', 'allow']);
      fresh(only('ip', 1));
      assert.deepEqual(await verdicts([{ ip: null }, { ip: null }]), ['allow', 'allow']);
    });

    test('a denial answers 429 too_many_requests with Retry-After and the x-ratelimit headers', async () => {
      fresh(only('recipient', 1, 600));
      assert.equal((await send()).verdict, 'allow');
      const d = await send();
      assert.equal(d.verdict, 'deny');
      if (d.verdict !== 'deny') return;
      assert.equal(d.error, 'too_many_requests');
      assert.ok(d.retryAfterSeconds! > 0 && d.retryAfterSeconds! <= 600, String(d.retryAfterSeconds));
      assert.equal(d.headers?.['x-ratelimit-limit'], '1');
      assert.equal(d.headers?.['x-ratelimit-remaining'], '0');
      const reset = Number(d.headers?.['x-ratelimit-reset']);
      assert.ok(reset > Date.now() / 1000 && reset <= Date.now() / 1000 + 601, String(reset));
    });

    test('monitor mode sends and records; off does not count', async () => {
      fresh(only('recipient', 1));
      policy.rules.recipient.mode = 'monitor';
      assert.deepEqual(await send(), { verdict: 'allow' });
      assert.deepEqual(await send(), { verdict: 'allow', reason: 'velocity_recipient_monitored' });
      policy.rules.recipient.mode = 'off';
      assert.deepEqual(await send(), { verdict: 'allow' });
    });

    test('exponential backoff: each new breach blocks twice as long; resends during a block neither extend nor reset it', async () => {
      fresh(only('recipient', 1, 60));
      const key = `${tenant.id}\0+14155550123`;
      const windowSpec = { name: 'v.recipient', limit: 1, windowSeconds: 60 };
      // The window ends (what an hour of waiting does): its counter is gone, the breaches are not.
      const windowEnds = () => counters().delete(windowSpec, key);
      const retry = async () => {
        const d = await send();
        assert.equal(d.verdict, 'deny');
        return d.verdict === 'deny' ? d.retryAfterSeconds! : 0;
      };
      assert.equal((await send()).verdict, 'allow');
      const first = await retry(); // breach 1: the rest of the window
      assert.ok(first <= 60, String(first));
      for (let i = 0; i < 5; i++) assert.ok((await retry()) <= 60, 'resends do not extend the wait');
      await windowEnds();
      assert.equal((await send()).verdict, 'allow', 'a new window allows the limit again');
      const second = await retry(); // breach 2: 2 × window
      assert.ok(second > 60 && second <= 120, String(second));
      for (let i = 0; i < 5; i++) assert.ok((await retry()) <= 120, 'resends during the block do not extend it');
      await windowEnds();
      assert.equal((await send()).verdict, 'allow');
      const third = await retry(); // breach 3: 4 × window, the resends above did not count as breaches
      assert.ok(third > 120 && third <= 240, String(third));
      await windowEnds();
      assert.equal((await send()).verdict, 'allow', 'a send that succeeds does not reset the exponent');
      const fourth = await retry();
      assert.ok(fourth > 240 && fourth <= 480, String(fourth));
      // max_seconds caps it.
      policy.backoff.max_seconds = 300;
      await windowEnds();
      assert.equal((await send()).verdict, 'allow');
      assert.equal(await retry(), 300);
    });

    test('backoff none: every breach waits out the window only', async () => {
      fresh(only('recipient', 1, 60, 'none'));
      const key = `${tenant.id}\0+14155550123`;
      for (let round = 0; round < 3; round++) {
        assert.equal((await send()).verdict, 'allow');
        const d = await send();
        assert.ok(d.verdict === 'deny' && d.retryAfterSeconds! <= 60, JSON.stringify(d));
        await counters().delete({ name: 'v.recipient', limit: 1, windowSeconds: 60 }, key);
      }
    });

    test('the counters hold under concurrency: 20 sends at once past a limit of 5 let exactly 5 through', async () => {
      fresh(only('recipient', 5));
      const results = await Promise.all(Array.from({ length: 20 }, () => send()));
      assert.equal(results.filter((d) => d.verdict === 'allow').length, 5);
    });

    test('consumes that arrive together are applied together and each is told its own place: 1..N in call order, the limit exact', async () => {
      const spec = { name: 'v.test', limit: 7, windowSeconds: 60 };
      const key = `coalesce_${randomBytes(6).toString('hex')}`;
      const other = `${key}_other`;
      // Twelve at once on one key (two of them worth 2 points), three on another, in one turn of the event loop.
      const points = [1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1];
      const [states, others] = await Promise.all([
        Promise.all(points.map((p) => counters().consume(spec, key, p))),
        Promise.all([1, 2, 3].map(() => counters().consume(spec, other))),
      ]);
      let total = 0;
      const expected = points.map((p) => (total += p));
      assert.deepEqual(
        states.map((s) => s.consumed),
        expected,
      );
      assert.deepEqual(
        states.map((s) => s.allowed),
        expected.map((c) => c <= 7),
      );
      assert.deepEqual(
        states.map((s) => s.remaining),
        expected.map((c) => Math.max(0, 7 - c)),
      );
      assert.ok(states.every((s) => s.msBeforeNext > 0 && s.msBeforeNext <= 60_000));
      assert.deepEqual(
        others.map((s) => s.consumed),
        [1, 2, 3],
      );
      // The store holds the total, and the next consume continues from it.
      assert.equal((await counters().get(spec, key))?.consumed, total);
      assert.equal((await counters().consume(spec, key)).consumed, total + 1);
    });

    test('the store is written once per distinct key of a batch, not once per consume (with and without the group commit)', async () => {
      const storage = env().c.storage;
      let ops = 0;
      const counted = <T extends object>(target: T, methods: string[]): T =>
        new Proxy(target, {
          get(t, k) {
            const v = Reflect.get(t, k) as unknown;
            if (typeof v !== 'function') return v;
            return methods.includes(String(k))
              ? (...a: unknown[]) => {
                  ops++;
                  return (v as (...x: unknown[]) => unknown).apply(t, a);
                }
              : (v as (...x: unknown[]) => unknown).bind(t);
          },
        });
      // The adapter reaches SQLite only through `prepare` (its statements' run/get/all), PostgreSQL through `query`.
      const h = storage.handle;
      const handle: StorageHandle =
        h.dialect === 'postgres'
          ? { dialect: 'postgres', pool: counted(h.pool, ['query']) }
          : {
              dialect: 'sqlite',
              database: { prepare: (sql: string) => counted(h.database.prepare(sql), ['run', 'get', 'all']), transaction: h.database.transaction.bind(h.database) } as never,
            };
      // Without the group commit: one upsert per distinct key. With it (SQLite, the journal): nothing
      // read, and one row appended per distinct key with the next commit.
      const variants: Array<{ c: RateCounters; ops: number }> = [{ c: createRateCounters({ storage: handle }), ops: 2 }];
      if (handle.dialect === 'sqlite') variants.push({ c: createRateCounters({ storage: handle, groupCommit: (fn) => groupWrite(storage.db, () => fn()) }), ops: 2 });
      for (const { c, ops: expected } of variants) {
        const spec = { name: 'v.test', limit: 100, windowSeconds: 60 };
        const key = `ops_${randomBytes(6).toString('hex')}`;
        ops = 0;
        const states = await Promise.all([...Array.from({ length: 12 }, () => c.consume(spec, key)), ...Array.from({ length: 3 }, () => c.consume(spec, `${key}_b`))]);
        assert.deepEqual(
          states.map((s) => s.consumed),
          [...Array.from({ length: 12 }, (_, i) => i + 1), 1, 2, 3],
        );
        // A group commit queued now runs after the counters' write (the queue keeps its order).
        await groupWrite(storage.db, async () => undefined);
        assert.equal(ops, expected, `store operations for 15 consumes of 2 keys`);
        ops = 0;
        assert.equal((await c.get(spec, key))?.consumed, 12);
        await c.close();
      }
    });

    test('test numbers are never counted', async () => {
      fresh(only('recipient', 1));
      const r = { tenant, flow: 'passwordless', source: 'passwordless', type: 'otp_verify', deliveryMethod: 'text', recipient: parseRecipient('+14155550123')!, channel: 'test_number', userId: null, clientId: null, ip: null } as const;
      for (let i = 0; i < 3; i++) assert.equal((await guard.check({ ...r })).verdict, 'allow');
    });
  },
);

describeEachDialect(
  'velocity limits over HTTP: the policy API, the 429, the log line, the notification and the metrics',
  (env) => {
    let f: AuthFixture;
    before(async () => {
      f = await setupTenant(env());
    });
    const start = (to: string, ip = '203.0.113.5') =>
      env().app.inject({
        method: 'POST',
        url: '/passwordless/start',
        remoteAddress: ip,
        headers: { host: 'localhost', 'content-type': 'application/json' },
        payload: JSON.stringify({ client_id: f.app.clientId, client_secret: f.app.clientSecret, connection: 'sms', phone_number: to, send: 'code' }),
      });

    test('GET answers the defaults; PATCH merges, validates, and is scoped', async () => {
      const e = env();
      const got = await e.api('GET', '/api/v2/attack-protection/phone-velocity-limits', { token: f.mgmt });
      assert.equal(got.statusCode, 200, got.body);
      assert.deepEqual({ ...(got.json() as object), updated_at: undefined }, { ...defaultVelocityPolicy(), updated_at: undefined });
      assert.equal(got.json().updated_at, null);
      const prot = await e.api('GET', '/api/v2/attack-protection/phone-provider-protection', { token: f.mgmt });
      assert.deepEqual(prot.json(), { type: 'exponential' });

      const none = await e.api('PATCH', '/api/v2/attack-protection/phone-provider-protection', { token: f.mgmt, body: { type: 'none' } });
      assert.equal(none.statusCode, 200, none.body);
      assert.deepEqual(none.json(), { type: 'none' });
      assert.equal((await e.api('GET', '/api/v2/attack-protection/phone-velocity-limits', { token: f.mgmt })).json().backoff.type, 'none');
      for (const body of [{ type: 'linear' }, {}, { type: 'none', extra: 1 }]) {
        const r = await e.api('PATCH', '/api/v2/attack-protection/phone-provider-protection', { token: f.mgmt, body });
        assert.equal(r.statusCode, 400, r.body);
        assert.equal(r.json().errorCode, 'invalid_body');
      }

      const patched = await e.api('PATCH', '/api/v2/attack-protection/phone-velocity-limits', { token: f.mgmt, body: { rules: { recipient: { limit: 2 } }, backoff: null } });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual(patched.json().rules.recipient, { mode: 'enforce', limit: 2, window_seconds: 3600 });
      assert.equal(patched.json().backoff.type, 'exponential', 'null puts the backoff back to its default');
      assert.equal(typeof patched.json().updated_at, 'string');
      for (const body of [{ rules: { recipient: { limit: 0 } } }, { rules: { phone: { limit: 1 } } }, { rules: { ip: { mode: 'block' } } }, { backoff: { max_seconds: 10 ** 9 } }]) {
        const r = await e.api('PATCH', '/api/v2/attack-protection/phone-velocity-limits', { token: f.mgmt, body });
        assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
      }

      const readOnly = await e.token(['read:phone_velocity_limits', 'read:attack_protection']);
      assert.equal((await e.api('GET', '/api/v2/attack-protection/phone-velocity-limits', { token: readOnly })).statusCode, 200);
      assert.equal((await e.api('GET', '/api/v2/attack-protection/phone-provider-protection', { token: readOnly })).statusCode, 200);
      assert.equal((await e.api('PATCH', '/api/v2/attack-protection/phone-velocity-limits', { token: readOnly, body: {} })).statusCode, 403);
      assert.equal((await e.api('PATCH', '/api/v2/attack-protection/phone-provider-protection', { token: readOnly, body: { type: 'none' } })).statusCode, 403);
      const other = await e.token(['read:phone_send_policy']);
      assert.equal((await e.api('GET', '/api/v2/attack-protection/phone-velocity-limits', { token: other })).statusCode, 403);

      // Another tenant keeps its own limits.
      const b = await e.createTenant('velocity-b', 'velocity-b.example');
      const theirs = await e.api('GET', '/api/v2/attack-protection/phone-velocity-limits', { token: b.token, host: 'velocity-b.example' });
      assert.equal(theirs.json().rules.recipient.limit, defaultVelocityPolicy().rules.recipient.limit);
      assert.equal(theirs.json().updated_at, null);
    });

    test('past the limit: 429 too_many_requests with headers, a phone_send_denied log line, the decision on the notification, and the metrics', async () => {
      const e = env();
      const r = await e.api('PATCH', '/api/v2/attack-protection/phone-velocity-limits', { token: f.mgmt, body: { rules: { recipient: { limit: 2 } } } });
      assert.equal(r.statusCode, 200, r.body);
      const to = phone();
      const mark = mock.requests.length;
      assert.equal((await start(to)).statusCode, 200);
      const ok = await start(to, '2001:db8:77::1');
      assert.equal(ok.statusCode, 200, ok.body);
      const over = await start(to, '2001:db8:78::1');
      assert.equal(over.statusCode, 429, over.body);
      assert.equal(over.json().error, 'too_many_requests');
      assert.match(over.json().error_description, /to this phone number/);
      const retryAfter = Number(over.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 3600, String(retryAfter));
      assert.equal(over.headers['x-ratelimit-limit'], '2');
      assert.equal(over.headers['x-ratelimit-remaining'], '0');
      assert.ok(Number(over.headers['x-ratelimit-reset']) >= Math.floor(Date.now() / 1000), String(over.headers['x-ratelimit-reset']));
      // Nothing beyond the two was sent, and no third code was stored.
      await new Promise((res) => setTimeout(res, 50));
      assert.equal(mock.requests.slice(mark).filter((x) => x.form['To'] === to).length, 2);
      const codes = await e.c.storage.db.selectFrom('otp_codes').select('id').where('subject', 'like', `%${to}`).execute();
      assert.equal(codes.length, 2, 'a send refused by the velocity limits issues no code');
      // Another number is not affected.
      assert.equal((await start(phone())).statusCode, 200);

      const logs = await e.api('GET', '/api/v2/logs?q=type:phone_send_denied&per_page=100', { token: f.mgmt });
      const line = logs.json().find((l: any) => l.details?.reason === 'velocity_recipient');
      assert.ok(line, logs.body);
      assert.equal(line.details.guard, 'velocity');
      assert.equal(line.details.error_code, 'too_many_requests');
      assert.equal(line.details.retry_after, retryAfter);
      assert.equal(line.ip, '2001:db8:78::1');
      assert.ok(!JSON.stringify(line).includes(to), 'the number is masked');

      const sent = await e.c.storage.db.selectFrom('notifications').select('id').where('recipient', '=', to).execute();
      assert.equal(sent.length, 2);
      const n = await e.api('GET', `/api/v2/phone/notifications/${sent[0]!.id}`, { token: f.mgmt });
      assert.ok(n.json().policy.some((d: any) => d.guard === 'velocity' && d.verdict === 'allow'), n.body);

      const metrics = await e.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'localhost', authorization: `Bearer ${METRICS_TOKEN}` } });
      assert.match(metrics.body, /unifone_send_policy_decisions_total\{tenant="[^"]+",guard="velocity",verdict="deny",reason="velocity_recipient"\} 1/);
      assert.match(metrics.body, /unifone_send_policy_decisions_total\{tenant="[^"]+",guard="velocity",verdict="allow",reason="none"\} \d+/);
    });
  },
  { TWILIO_API_BASE_URL: mock.url, METRICS_TOKEN },
);
