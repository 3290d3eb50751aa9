import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli } from '../helpers/processes.js';

const CORPUS = path.join(ROOT, 'test/migration/corpus');

const run = (args: string[]) => runCli(process.env, ['phone-migration', 'translate', ...args]);

test('unifone phone-migration translate: the code on stdout, warnings and secrets on stderr, JSON with --json, exit 2 on a missing file', async () => {
  const plain = await run([path.join(CORPUS, '01-fetch-json.js')]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /onExecuteCustomPhoneProvider/);
  assert.doesNotMatch(plain.stdout, /onExecuteSendPhoneMessage/);
  assert.match(plain.stderr, /secrets to set on the new action: /);

  const json = await run([path.join(CORPUS, '14-identities.js'), '--json']);
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout) as { code: string; warnings: Array<{ code: string; line: number }> };
  assert.match(result.code, /onExecuteCustomPhoneProvider/);
  const identities = result.warnings.find((w) => /identities/.test(w.code));
  assert.ok(identities, JSON.stringify(result.warnings));
  assert.match(json.stderr, new RegExp(`14-identities\\.js:${identities.line}: `));

  const missing = await run([path.join(CORPUS, 'no-such-file.js')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*no-such-file\.js/);
});
