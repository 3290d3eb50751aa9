import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/composition/container.js';
import { rotateSecrets } from '../../src/domain/keys/rotate-secrets.js';
import { createLogger } from '../../src/logger.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';

/**
 * The hashes of refresh tokens, recovery codes and one-time codes cannot be re-computed, so rotating
 * the secret key (docs/operations.md) must not change their keys.
 */
describeEachDialect('secret-key rotation keeps the hashing keys', (env) => {
  const open = (e: TestEnv, keys: string): Promise<Container> =>
    createContainer({ config: loadConfig({ ...configEnv(e), UNIFONE_SECRET_KEY: keys }), logger: createLogger('silent'), storage: e.storageOptions });

  test('every node reads the same root: a second process started with the same key derives the same keys', async () => {
    const e = env();
    const second = await open(e, e.secretKey);
    try {
      assert.equal(second.auth.recoveryHash('u', 'CODE'), e.c.auth.recoveryHash('u', 'CODE'));
    } finally {
      await second.close();
    }
  });

  test('a refresh token and a recovery code issued before a rotation still verify after it, with only the new key', async () => {
    const e = env();
    const token = await e.token();
    const created = await e.api('POST', '/api/v2/users', { token, body: { connection: 'Username-Password-Authentication', email: 'rotate@example.com', password: 'Rotation-test-pass-9931' } });
    assert.equal(created.statusCode, 201, created.body);
    const tenant = (await e.c.repos.tenants.findByName('default'))!;
    const user = (await e.c.identity.directory.getUser(tenant, created.json().user_id))!;
    // The bootstrap (machine-to-machine) client, allowed refresh tokens for this test.
    const stored = (await e.c.repos.clients.get(tenant.id, e.bootstrap.clientId))!;
    const client = { ...stored, grantTypes: [...stored.grantTypes, 'refresh_token'] };
    const set = await e.c.auth.tokens.issue(tenant.id, 'localhost', client, user, { scope: 'openid offline_access', audience: undefined }, 'password');
    assert.ok(set.refresh_token);
    const recovery = e.c.auth.recoveryHash(user.userId, 'ABCDEFGHJKLMNPQRSTUVWXYZ');

    const newKey = randomBytes(32).toString('hex');
    const both = await open(e, `${newKey},${e.secretKey}`);
    try {
      const report = await rotateSecrets(both.repos, both.box, both.tokenKeys, both.repos.actions);
      assert.deepEqual(report.serverSecrets, { total: 1, resealed: 1, skipped: 0 }, 'the derivation root is re-sealed with the new key');
    } finally {
      await both.close();
    }
    const onlyNew = await open(e, newKey);
    try {
      const rec = await onlyNew.auth.tokens.useRefreshToken(tenant.id, set.refresh_token, client.clientId);
      assert.equal(rec.userId, user.userId);
      assert.equal(onlyNew.auth.recoveryHash(user.userId, 'ABCDEFGHJKLMNPQRSTUVWXYZ'), recovery);
    } finally {
      await onlyNew.close();
    }
  });
});

/** The environment the harness built its container from, as variables (without the key). */
function configEnv(e: TestEnv): Record<string, string> {
  return {
    DATA_DIR: e.dataDir,
    LOG_LEVEL: 'silent',
    DEFAULT_TENANT: 'default',
    DEFAULT_TENANT_DOMAINS: 'localhost',
    ...(e.config.databaseUrl ? { DATABASE_URL: e.config.databaseUrl } : {}),
  };
}
