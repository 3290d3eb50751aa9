import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';

/** Everything stored, as text: the SQLite files' bytes, or every PostgreSQL row as JSON. */
async function everythingStored(env: TestEnv): Promise<string> {
  if (env.dialect === 'sqlite') {
    return fs
      .readdirSync(env.dataDir)
      .filter((f) => f.startsWith('unifone.db'))
      .map((f) => fs.readFileSync(path.join(env.dataDir, f)).toString('latin1'))
      .join('\n');
  }
  const db = env.c.storage.db;
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db);
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql<{ t: string }>`select row_to_json(x)::text as t from ${sql.table(name)} x`.execute(db);
    parts.push(...rows.rows.map((r) => r.t));
  }
  return parts.join('\n');
}

describeEachDialect('secrets at rest', (env) => {
  test('Twilio auth tokens (tenant provider and legacy Guardian), signing keys and client secrets are not readable in storage', async () => {
    const { api } = env();
    const token = await env().token();
    const providerToken = `tw-${randomBytes(16).toString('hex')}`;
    const created = await api('POST', '/api/v2/branding/phone/providers', {
      token,
      body: {
        name: 'twilio',
        configuration: { sid: 'AC00000000000000000000000000000009', default_from: '+14155552671', delivery_methods: ['text', 'voice'] },
        credentials: { auth_token: providerToken },
      },
    });
    assert.equal(created.statusCode, 201, created.body);

    const legacyToken = `lg-${randomBytes(16).toString('hex')}`;
    assert.equal((await api('PATCH', '/api/v2/tenants/settings', { token, body: { phone_consolidated_experience: false } })).statusCode, 200);
    const legacy = await api('PUT', '/api/v2/guardian/factors/phone/providers/twilio', {
      token,
      body: { sid: 'AC00000000000000000000000000000009', from: '+14155552671', auth_token: legacyToken },
    });
    assert.equal(legacy.statusCode, 200, legacy.body);

    // The values were stored (sealed) and can be opened with the key, so the test looks at real rows.
    const tenant = (await env().c.repos.tenants.findByName('default'))!;
    const provider = (await env().c.repos.phoneProviders.getForTenant(tenant.id))!;
    assert.match(provider.credentialsSealed!, /^v1\./);
    assert.ok(env().c.box.open(provider.credentialsSealed!, 'phone_provider_credentials').includes(providerToken));

    const stored = await everythingStored(env());
    assert.ok(stored.length > 1000, 'storage was read');
    assert.ok(stored.includes('AC00000000000000000000000000000009'), 'non-secret configuration is stored in clear');
    for (const secret of [providerToken, legacyToken, env().bootstrap.clientSecret, ...env().neverReveal]) {
      assert.equal(stored.includes(secret), false, 'a secret is readable in storage');
    }
    assert.equal(stored.includes('BEGIN PRIVATE KEY'), false);
    // The harness checks every response and, on close, every log line against env().neverReveal,
    // which now holds both auth tokens and the signing key's private parts.
    assert.ok(env().neverReveal.has(providerToken) && env().neverReveal.has(legacyToken));
  });
});
