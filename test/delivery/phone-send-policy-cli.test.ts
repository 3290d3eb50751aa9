import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Container } from '../../src/composition/container.js';
import { isAppError } from '../../src/domain/errors.js';
import { parseRecipient } from '../../src/domain/phone-number.js';
import { withContainerOf } from '../helpers/harness.js';
import { runCli } from '../helpers/processes.js';

/** `unifone send-policy show|set` against an embedded database, as an operator runs them. */

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-policycli-'));
const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, UNIFONE_SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn', DEFAULT_TENANT: '' };
delete env['DATABASE_URL'];

const cli = (args: string[]) => runCli(env, ['send-policy', ...args]);

const withContainer = <T>(fn: (c: Container) => Promise<T>): Promise<T> => withContainerOf(env, fn);

const file = (name: string, content: string) => {
  const p = path.join(dataDir, name);
  fs.writeFileSync(p, content);
  return p;
};

before(async () => {
  await withContainer(async (c) => {
    await c.services.tenants.create({ name: 'policycli', domains: ['policycli.example'] });
    await c.services.tenants.create({ name: 'othercli', domains: ['othercli.example'] });
  });
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('show prints the defaults; set replaces the policy from a file and the send path obeys it; show → edit → set round-trips', async () => {
  const shown = await cli(['show', '--tenant', 'policycli']);
  assert.equal(shown.code, 0, shown.stderr);
  const defaults = JSON.parse(shown.stdout);
  assert.deepEqual(defaults.countries, { mode: 'deny_list', list: [] });
  assert.deepEqual(defaults.number_types.blocked, ['PREMIUM_RATE', 'SHARED_COST', 'UAN', 'PAGER', 'VOICEMAIL']);
  assert.equal(defaults.updated_at, null);

  const set = await cli(['set', '--tenant', 'policycli', '--file', file('p.json', JSON.stringify({ countries: { mode: 'allow_list', list: ['US'] }, flows: { passwordless: { delivery_methods: ['text'] } } }))]);
  assert.equal(set.code, 0, set.stderr);
  const stored = JSON.parse(set.stdout);
  assert.deepEqual(stored.countries, { mode: 'allow_list', list: ['US'] });
  assert.deepEqual(stored.number_types.blocked, defaults.number_types.blocked, 'a part left out of the file is its default');
  assert.deepEqual(stored.flows, { passwordless: { delivery_methods: ['text'] } });
  assert.deepEqual(JSON.parse((await cli(['show', '--tenant', 'policycli'])).stdout), stored);

  // What show printed, edited and set again (its updated_at is ignored).
  const edited = { ...stored, countries: { mode: 'allow_list', list: ['US', 'GB'] } };
  const again = await cli(['set', '--tenant', 'policycli', '--file', file('edited.json', JSON.stringify(edited))]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout).countries.list, ['US', 'GB']);

  // The policy the CLI stored is the one the send path applies, to this tenant only.
  await withContainer(async (c) => {
    const tenant = (await c.repos.tenants.findByName('policycli'))!;
    const other = (await c.repos.tenants.findByName('othercli'))!;
    const send = (t: typeof tenant, to: string) =>
      c.sendPolicy.evaluate({ tenant: t, flow: 'passwordless', source: 'passwordless', type: 'otp_verify', deliveryMethod: 'text', recipient: parseRecipient(to)!, channel: 'provider', userId: null, clientId: null, ip: null });
    const denied = await send(tenant, '+4915012345678').catch((e: unknown) => e);
    assert.ok(isAppError(denied) && denied.code === 'phone_destination_not_allowed', String(denied));
    assert.equal((await send(tenant, '+447400123456')).decisions[0]?.verdict, 'allow');
    assert.equal((await send(other, '+4915012345678')).decisions[0]?.verdict, 'allow');
  });
});

test('bad input exits 2 with one line and changes nothing', async () => {
  const before = (await cli(['show', '--tenant', 'policycli'])).stdout;
  const cases: Array<[string[], RegExp]> = [
    [['set', '--tenant', 'policycli', '--file', file('zz.json', '{"countries":{"mode":"allow_list","list":["ZZ"]}}')], /unknown country codes: "ZZ"/],
    [['set', '--tenant', 'policycli', '--file', file('type.json', '{"number_types":{"mode":"enforce","blocked":["SATELLITE"]}}')], /unknown number types: "SATELLITE"/],
    [['set', '--tenant', 'policycli', '--file', file('flow.json', '{"flows":{"login":{}}}')], /Additional properties not allowed: login in flows/],
    [['set', '--tenant', 'policycli', '--file', file('bad.json', '{"countries":')], /is not valid JSON/],
    [['set', '--tenant', 'policycli', '--file', path.join(dataDir, 'missing.json')], /cannot read .*ENOENT/],
    [['set', '--tenant', 'nope', '--file', file('ok.json', '{}')], /unknown tenant: nope/],
    [['show', '--tenant', 'nope'], /unknown tenant: nope/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.equal((await cli(['show', '--tenant', 'policycli'])).stdout, before);
});
