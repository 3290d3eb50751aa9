import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isAppError } from '../../src/domain/errors.js';
import { parseRecipient } from '../../src/domain/phone-number.js';
import { withContainerOf } from '../helpers/harness.js';
import { runCli } from '../helpers/processes.js';

/** `unifone velocity-limits show|set` against an embedded database, as an operator runs them. */

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-velocitycli-'));
const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, UNIFONE_SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn', DEFAULT_TENANT: '' };
delete env['DATABASE_URL'];
delete env['REDIS_URL'];

const cli = (args: string[]) => runCli(env, ['velocity-limits', ...args]);
const file = (name: string, content: string) => {
  const p = path.join(dataDir, name);
  fs.writeFileSync(p, content);
  return p;
};

before(async () => {
  await withContainerOf(env, async (c) => {
    await c.services.tenants.create({ name: 'velocli', domains: ['velocli.example'] });
  });
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('show prints the defaults; set replaces the limits from a file and the send path obeys them; bad input exits 2 and changes nothing', async () => {
  const shown = await cli(['show', '--tenant', 'velocli']);
  assert.equal(shown.code, 0, shown.stderr);
  const defaults = JSON.parse(shown.stdout);
  assert.deepEqual(defaults.backoff, { type: 'exponential', max_seconds: 86400 });
  assert.deepEqual(defaults.rules.recipient, { mode: 'enforce', limit: 30, window_seconds: 3600 });
  assert.equal(defaults.updated_at, null);

  const set = await cli(['set', '--tenant', 'velocli', '--file', file('v.json', JSON.stringify({ ...defaults, rules: { recipient: { limit: 1 } } }))]);
  assert.equal(set.code, 0, set.stderr);
  const stored = JSON.parse(set.stdout);
  assert.deepEqual(stored.rules.recipient, { mode: 'enforce', limit: 1, window_seconds: 3600 });
  assert.deepEqual(stored.rules.ip, defaults.rules.ip, 'a part left out of the file is its default');

  const bad = await cli(['set', '--tenant', 'velocli', '--file', file('bad.json', '{"rules":{"recipient":{"limit":0}}}')]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /rules\.recipient\.limit must be an integer/);
  assert.equal((await cli(['set', '--tenant', 'nope', '--file', file('ok.json', '{}')])).code, 2);
  assert.deepEqual(JSON.parse((await cli(['show', '--tenant', 'velocli'])).stdout), stored);

  await withContainerOf(env, async (c) => {
    const tenant = (await c.repos.tenants.findByName('velocli'))!;
    const send = () =>
      c.sendPolicy.evaluate({ tenant, flow: 'signup', source: 'signup', type: 'otp_verify', deliveryMethod: 'text', recipient: parseRecipient('+14155550123')!, channel: 'provider', userId: null, clientId: null, ip: null });
    await send();
    const denied = await send().catch((e: unknown) => e);
    assert.ok(isAppError(denied) && denied.code === 'too_many_requests', String(denied));
  });
});
