import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Container } from '../../src/composition/container.js';
import { withContainerOf } from '../helpers/harness.js';
import { runCli } from '../helpers/processes.js';

/** `unifone fraud-guard …` and `unifone spend show` against an embedded database, as an operator runs them. */

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-fraudcli-'));
const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, UNIFONE_SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn', DEFAULT_TENANT: '' };
delete env['DATABASE_URL'];
const withContainer = <T>(fn: (c: Container) => Promise<T>): Promise<T> => withContainerOf(env, fn);

let tenantId = '';
let quarantineId = '';
before(async () => {
  await withContainer(async (c) => {
    tenantId = (await c.services.tenants.create({ name: 'fraudcli', domains: ['fraudcli.example'] })).id;
    await c.services.tenants.create({ name: 'otherfraud', domains: ['otherfraud.example'] });
    const q = await c.repos.phoneFraud.quarantine(
      tenantId,
      { id: 'fq_00000000000000000001abcdef', prefix: '+99890123', country: 'UZ', mode: 'enforce', rule: 'adjacent_burst', evidence: { numbers: 8 }, blockedSends: 1, createdAt: new Date().toISOString(), until: new Date(Date.now() + 3_600_000).toISOString(), releasedAt: null },
      new Date().toISOString(),
    );
    quarantineId = q.id;
  });
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('quarantines lists, release ends one (404 for another tenant), the safe list adds and removes, spend show prints the totals', async () => {
  const listed = await runCli(env, ['fraud-guard', 'quarantines', '--tenant', 'fraudcli', '--active']);
  assert.equal(listed.code, 0, listed.stderr);
  const qs = JSON.parse(listed.stdout) as Array<{ id: string; rule: string; active: boolean }>;
  assert.deepEqual(qs.map((q) => [q.id, q.rule, q.active]), [[quarantineId, 'adjacent_burst', true]]);

  const wrong = await runCli(env, ['fraud-guard', 'release', '--tenant', 'otherfraud', '--id', quarantineId]);
  assert.notEqual(wrong.code, 0, 'another tenant cannot release it');
  const released = await runCli(env, ['fraud-guard', 'release', '--tenant', 'fraudcli', '--id', quarantineId]);
  assert.equal(released.code, 0, released.stderr);
  assert.equal(JSON.parse(released.stdout).active, false);
  assert.equal(JSON.parse((await runCli(env, ['fraud-guard', 'quarantines', '--tenant', 'fraudcli', '--active'])).stdout).length, 0);

  const added = await runCli(env, ['fraud-guard', 'safe', 'add', '--tenant', 'fraudcli', '--prefix', '+4420', '--note', 'London office']);
  assert.equal(added.code, 0, added.stderr);
  assert.deepEqual((JSON.parse((await runCli(env, ['fraud-guard', 'safe', 'list', '--tenant', 'fraudcli'])).stdout) as Array<{ prefix: string }>).map((s) => s.prefix), ['+4420']);
  const bad = await runCli(env, ['fraud-guard', 'safe', 'add', '--tenant', 'fraudcli', '--prefix', 'abc']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /invalid prefix/);
  assert.equal((await runCli(env, ['fraud-guard', 'safe', 'remove', '--tenant', 'fraudcli', '--prefix', '+4420'])).code, 0);
  assert.deepEqual(JSON.parse((await runCli(env, ['fraud-guard', 'safe', 'list', '--tenant', 'fraudcli'])).stdout), []);

  const spend = await runCli(env, ['spend', 'show', '--tenant', 'fraudcli']);
  assert.equal(spend.code, 0, spend.stderr);
  const v = JSON.parse(spend.stdout);
  assert.equal(v.currency, 'USD');
  assert.equal(v.spent.day.amount, 0);
});
