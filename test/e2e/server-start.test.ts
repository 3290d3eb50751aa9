import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { dropPgSchema, testDialects } from '../helpers/harness.js';
import { startServer } from '../helpers/processes.js';

const PG_URL = process.env['TEST_DATABASE_URL'];


function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

for (const { dialect, skip } of testDialects()) {
  describe(`first start and restart of the server process [${dialect}]`, { skip }, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-start-'));
    const schema = `s_${randomBytes(5).toString('hex')}`;
    const env: Record<string, string> = { DATA_DIR: dataDir };
    after(async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dialect === 'postgres' && PG_URL) await dropPgSchema(PG_URL, schema);
    });

    test('prints the bootstrap client once, writes bootstrap.json 0600, and its token creates a Twilio provider', async () => {
      if (dialect === 'postgres') {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`create schema ${schema}`);
        await c.end();
        env['DATABASE_URL'] = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      }
      const first = await startServer(env);
      try {
        const clientId = /client_id:\s+(\S+)/.exec(first.out())![1]!;
        const clientSecret = /client_secret:\s+(\S+)/.exec(first.out())![1]!;
        const file = path.join(dataDir, 'bootstrap.json');
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
        assert.equal(saved.client_id, clientId);
        assert.equal(saved.client_secret, clientSecret);
        if (dialect === 'sqlite') assert.ok(fs.existsSync(path.join(dataDir, 'unifone.db')));
        assert.equal(fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777, 0o600);

        const tokenRes = await fetch(`${first.base}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: saved.audience }),
        });
        assert.equal(tokenRes.status, 200);
        const { access_token } = (await tokenRes.json()) as { access_token: string };
        const created = await fetch(`${first.base}/api/v2/branding/phone/providers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
          body: JSON.stringify({
            name: 'twilio',
            configuration: { sid: 'AC00000000000000000000000000000001', default_from: '+14155552671', delivery_methods: ['text', 'voice'] },
            credentials: { auth_token: 'start-test-auth-token' },
          }),
        });
        assert.equal(created.status, 201, await created.clone().text());
        assert.equal(((await created.json()) as { name: string }).name, 'twilio');
        assert.ok(!first.out().includes('start-test-auth-token'), 'the auth token is not logged');
      } finally {
        assert.equal(await stop(first.child), 0, 'SIGTERM shuts down cleanly');
      }

      // A restart keeps the tenant and does not print the secret again.
      const second = await startServer(env);
      try {
        assert.match(second.out(), /bootstrap credentials are in/);
        assert.doesNotMatch(second.out(), /client_secret:/);
      } finally {
        await stop(second.child);
      }
    });
  });
}
