import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = path.join(ROOT, 'test/migration/corpus');

const run = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'src/cli/index.ts', 'phone-migration', 'translate', ...args], { cwd: ROOT }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

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
