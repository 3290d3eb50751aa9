import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PHONE_BOT_CHECK_SECRET_PURPOSE } from '../../src/domain/purposes.js';
import { withContainerOf } from '../helpers/harness.js';
import { runCli } from '../helpers/processes.js';

/** `unifone bot-check show|set` against an embedded database, as an operator runs them. */

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-botcheckcli-'));
const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, UNIFONE_SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn', DEFAULT_TENANT: '' };
delete env['DATABASE_URL'];
delete env['REDIS_URL'];

const SECRET = 'cli-captcha-secret-value';
const cli = (args: string[]) => runCli(env, ['bot-check', ...args]);
const file = (name: string, content: string) => {
  const p = path.join(dataDir, name);
  fs.writeFileSync(p, content);
  return p;
};

before(async () => {
  await withContainerOf(env, async (c) => {
    await c.services.tenants.create({ name: 'botcli', domains: ['botcli.example'] });
  });
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('show prints the defaults; set applies a file (the secret sealed, never printed); what show prints can be set again; bad input exits 2', async () => {
  const shown = await cli(['show', '--tenant', 'botcli']);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(JSON.parse(shown.stdout).mode, 'off');
  assert.equal(JSON.parse(shown.stdout).secret_set, false);

  const set = await cli(['set', '--tenant', 'botcli', '--file', file('b.json', JSON.stringify({ mode: 'monitor', provider: 'hcaptcha', secret: SECRET, flows: ['signup'] }))]);
  assert.equal(set.code, 0, set.stderr);
  assert.ok(!set.stdout.includes(SECRET) && !set.stderr.includes(SECRET), 'the secret is not printed');
  const stored = JSON.parse(set.stdout);
  assert.equal(stored.mode, 'monitor');
  assert.equal(stored.siteverify_url, 'https://api.hcaptcha.com/siteverify');
  assert.deepEqual(stored.flows, ['signup']);
  assert.equal(stored.secret_set, true);

  const again = await cli(['set', '--tenant', 'botcli', '--file', file('again.json', JSON.stringify(stored))]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).secret_set, true, 'the secret stays when the file does not name it');

  const bad = await cli(['set', '--tenant', 'botcli', '--file', file('bad.json', '{"siteverify_url":"http://verifier.example/siteverify"}')]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /siteverify_url must be an https URL/);
  assert.equal((await cli(['show', '--tenant', 'nope'])).code, 2);

  await withContainerOf(env, async (c) => {
    const tenant = (await c.repos.tenants.findByName('botcli'))!;
    const row = await c.repos.phoneBotCheck.get(tenant.id);
    assert.equal(c.box.open(row!.secretSealed!, PHONE_BOT_CHECK_SECRET_PURPOSE), SECRET);
  });
});
