import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli as runCliIn, startServer } from '../helpers/processes.js';

/** The first-start operator and `unifone operator`, as an operator meets them: real processes on SQLite. */
const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });

/** The CLI with nothing of this process's environment but PATH (as the server above). */
const runCli = (env: Record<string, string>, args: string[]) => runCliIn({ PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'warn', ...env }, args);

const signIn = (base: string, email: string, password: string) =>
  fetch(`${base}/dashboard/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });

describe('dashboard operators: first start and the CLI', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-operators-'));
  const env = { DATA_DIR: dataDir };
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('the first start creates an all-tenants admin, prints it once beside the client and writes it to bootstrap.json', async () => {
    const first = await startServer(env);
    try {
      const out = first.out();
      assert.match(out, /Dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard\//);
      const email = /email:\s+(\S+)/.exec(out)![1]!;
      const password = /password:\s+(\S+)/.exec(out)![1]!;
      assert.equal(email, 'admin@localhost');
      const saved = JSON.parse(fs.readFileSync(path.join(dataDir, 'bootstrap.json'), 'utf8'));
      assert.deepEqual(saved.dashboard_operator, { email, password, role: 'admin', tenants: '*' });
      assert.ok(saved.client_secret, 'the client is still in the file');
      assert.equal(fs.statSync(path.join(dataDir, 'bootstrap.json')).mode & 0o777, 0o600);
      assert.equal((await signIn(first.base, email, password)).status, 200);
    } finally {
      await stop(first.child);
    }
    const second = await startServer(env);
    try {
      assert.doesNotMatch(second.out(), /password:/, 'a restart prints no password');
    } finally {
      await stop(second.child);
    }
  });

  test('`unifone operator create` prints a generated password once; `list` never shows one', async () => {
    const created = await runCli(env, ['operator', 'create', 'Viewer@Example.com', '--tenant', 'default', '--role', 'viewer']);
    assert.equal(created.code, 0, created.stderr);
    const doc = JSON.parse(created.stdout);
    assert.equal(doc.email, 'viewer@example.com');
    assert.deepEqual(doc.tenants, ['default']);
    assert.equal(doc.role, 'viewer');
    assert.match(doc.password, /^[A-Za-z0-9_-]{24}$/);
    const list = await runCli(env, ['operator', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(!list.stdout.includes(doc.password));
    assert.deepEqual(JSON.parse(list.stdout).map((o: { email: string }) => o.email), ['admin@localhost', 'viewer@example.com']);

    for (const [args, why] of [
      [['operator', 'create', 'x@example.com', '--all', '--role', 'boss'], /--role must be admin or viewer/],
      [['operator', 'create', 'x@example.com'], /--tenant NAME/],
      [['operator', 'create', 'x@example.com', '--tenant', 'nope'], /unknown tenant: nope/],
      [['operator', 'create', 'viewer@example.com', '--all'], /already exists/],
      [['operator', 'create', 'not-an-email', '--all'], /not an email address/],
    ] as const) {
      const r = await runCli(env, [...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, why);
    }
  });
});
