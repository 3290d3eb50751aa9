import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';

const refuses = (env: Record<string, string>, message: RegExp) => assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message));

test('config: defaults load; bad values are refused with the variable named', () => {
  const c = loadConfig({});
  assert.equal(c.delivery.leaseMs, 60_000);
  assert.ok(c.delivery.leaseMs >= 2 * Math.max(c.twilioTimeoutMs, c.actionsTimeoutMs));
  assert.ok(Object.isFrozen(c));
  refuses({ PORT: 'eighty' }, /PORT/);
  refuses({ TLS_CERT: '/x.pem' }, /TLS_CERT and TLS_KEY/);
  refuses({ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/);
  refuses({ DISPATCHER_POLL_MS: String(2 ** 31) }, /DISPATCHER_POLL_MS/);
});

test('config: a lease shorter than twice the slowest provider timeout is refused (a slow send would be taken over and sent twice)', () => {
  refuses({ DISPATCHER_LEASE_MS: '1000', TWILIO_TIMEOUT_MS: '10000' }, /DISPATCHER_LEASE_MS \(1000\) must be at least twice/);
  refuses({ ACTIONS_TIMEOUT_MS: '90000' }, /DISPATCHER_LEASE_MS \(60000\)/);
  assert.equal(loadConfig({ DISPATCHER_LEASE_MS: '180000', ACTIONS_TIMEOUT_MS: '90000' }).delivery.leaseMs, 180_000);
});

test('TRUST_PROXY takes addresses and CIDRs, and refuses anything else', () => {
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.1,2001:db8::/32' }).trustProxy, ['10.0.0.0/8', '192.0.2.1', '2001:db8::/32']);
  assert.deepEqual(loadConfig({}).trustProxy, []);
  for (const bad of ['true', '10.0.0.0/33', 'proxy.example', '10.0.0.1/8/1']) refuses({ TRUST_PROXY: bad }, /TRUST_PROXY/);
});

test('REDIS_URL takes redis:// and rediss:// URLs; REDIS_KEY_PREFIX a short plain prefix', () => {
  assert.equal(loadConfig({}).redisUrl, undefined);
  assert.equal(loadConfig({}).redisKeyPrefix, 'unifone');
  assert.equal(loadConfig({ REDIS_URL: 'rediss://cache.example:6380/2' }).redisUrl, 'rediss://cache.example:6380/2');
  refuses({ REDIS_URL: 'http://cache.example' }, /REDIS_URL/);
  refuses({ REDIS_URL: 'not a url' }, /REDIS_URL/);
  refuses({ REDIS_KEY_PREFIX: 'has space' }, /REDIS_KEY_PREFIX/);
});

test('RATE_COUNTERS_MAX: a whole number from 1000; the default a million', () => {
  assert.equal(loadConfig({}).rateCountersMax, 1_000_000);
  assert.equal(loadConfig({ RATE_COUNTERS_MAX: '50000' }).rateCountersMax, 50_000);
  for (const bad of ['lots', '10', '1.5']) refuses({ RATE_COUNTERS_MAX: bad }, /RATE_COUNTERS_MAX/);
});
