import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Container } from '../../src/composition/container.js';
import { withContainerOf } from '../helpers/harness.js';
import { runCli } from '../helpers/processes.js';

/** `unifone phone-migration plan|apply|rollback` against an embedded database, as an operator runs them. */

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-migcli-'));
const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, UNIFONE_SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn', DEFAULT_TENANT: '' };
delete env['DATABASE_URL'];

const unifone = (args: string[]) => runCli(env, args);
const cli = (args: string[]) => unifone(['phone-migration', ...args]);

const withContainer = <T>(fn: (c: Container) => Promise<T>): Promise<T> => withContainerOf(env, fn);

const SID = `AC${'d'.repeat(32)}`;

before(async () => {
  await withContainer(async (c) => {
    const t = await c.services.tenants.create({ name: 'migcli', domains: ['migcli.example'] });
    const legacy = await c.services.tenants.updateSettings(t.id, { phoneConsolidatedExperience: false });
    await c.services.guardian.setFactor(legacy, 'sms', true);
    await c.services.guardian.setTwilio(legacy, { sid: SID, from: '+14155550144', auth_token: 'cli-token' });
    await c.services.guardian.setSelectedProvider(legacy, 'twilio');
  });
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('plan (summary and --json), apply --dry-run, apply, rollback; bad input exits 2 with one line', async () => {
  const summary = await cli(['plan', '--tenant', 'migcli']);
  assert.equal(summary.code, 0, summary.stderr);
  assert.match(summary.stdout, /^tenant migcli: legacy, eligible$/m);
  assert.match(summary.stdout, /^target: twilio \(MFA uses Twilio\)$/m);
  assert.match(summary.stdout, /^plan hash: \S+$/m);
  assert.ok(!summary.stdout.includes('cli-token'));

  const json = await cli(['plan', '--tenant', 'migcli', '--json']);
  const plan = JSON.parse(json.stdout) as { plan_hash: string; target: { kind: string } };
  assert.equal(plan.target.kind, 'twilio');

  const dry = await cli(['apply', '--tenant', 'migcli', '--plan-hash', plan.plan_hash, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(JSON.parse(dry.stdout).dry_run, true);
  assert.equal(await withContainer(async (c) => (await c.repos.tenants.findByName('migcli'))!.phoneConsolidatedExperience), false);

  const stale = await cli(['apply', '--tenant', 'migcli', '--plan-hash', 'not-the-hash']);
  assert.equal(stale.code, 2);
  assert.match(stale.stderr, /changed since the plan/);
  const badList = await cli(['plan', '--tenant', 'migcli', '--delivery-methods', 'fax']);
  assert.equal(badList.code, 2);
  assert.match(badList.stderr, /--delivery-methods takes text, voice/);

  const applied = await cli(['apply', '--tenant', 'migcli', '--plan-hash', plan.plan_hash]);
  assert.equal(applied.code, 0, applied.stderr);
  await withContainer(async (c) => {
    const t = (await c.repos.tenants.findByName('migcli'))!;
    assert.equal(t.phoneConsolidatedExperience, true);
    const p = await c.repos.phoneProviders.getForTenant(t.id);
    assert.equal(p?.name, 'twilio');
    assert.deepEqual(c.services.phoneProviders.credentialsOf(p!), { auth_token: 'cli-token' }, 'the Guardian auth token was copied, sealed');
  });

  // The snapshot is a sealed value like any other: rotated to a new key, the old key can go.
  const oldKey = env['UNIFONE_SECRET_KEY']!;
  const newKey = randomBytes(32).toString('hex');
  env['UNIFONE_SECRET_KEY'] = `${newKey},${oldKey}`;
  const rotated = await unifone(['keys', 'rotate']);
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.deepEqual(JSON.parse(rotated.stdout).phone_migration_snapshots, { total: 1, resealed: 1, skipped: 0 });
  env['UNIFONE_SECRET_KEY'] = newKey;

  const back = await cli(['rollback', '--tenant', 'migcli']);
  assert.equal(back.code, 0, back.stderr);
  await withContainer(async (c) => {
    const t = (await c.repos.tenants.findByName('migcli'))!;
    assert.equal(t.phoneConsolidatedExperience, false);
    assert.equal(await c.repos.phoneProviders.getForTenant(t.id), undefined);
    const g = (await c.repos.guardian.get(t.id))!;
    assert.equal(c.box.open(g.twilioAuthTokenSealed!, 'guardian_twilio_auth_token'), 'cli-token', 'the Guardian token is back, sealed with the new key');
  });
  const none = await cli(['rollback', '--tenant', 'migcli']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no migration to roll back/);
});
