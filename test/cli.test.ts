import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { createSecretBox, decodeKey } from '../src/adapters/crypto/secret-box.js';
import { loadConfig } from '../src/config.js';
import { createContainer, type Container } from '../src/composition/container.js';
import { openSecrets } from '../src/domain/actions/trigger-executor.js';
import { GUARDIAN_TWILIO_AUTH_TOKEN_PURPOSE as TWILIO_AUTH_TOKEN_PURPOSE, PHONE_BOT_CHECK_SECRET_PURPOSE } from '../src/domain/purposes.js';
import { buildApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { dropPgSchema, testDialects, type Dialect } from './helpers/harness.js';
import { runCli } from './helpers/processes.js';

const PG_URL = process.env['TEST_DATABASE_URL'];



const kidOf = (hexKey: string) => createSecretBox([decodeKey(hexKey)]).primaryKid;

/** Every sealed value in the database, with where it came from. */
async function sealedValues(c: Container): Promise<Array<{ where: string; value: string }>> {
  const db = c.storage.db;
  const out: Array<{ where: string; value: string }> = [];
  for (const r of await db.selectFrom('signing_keys').select(['kid', 'private_key_sealed']).execute()) out.push({ where: `signing key ${r.kid}`, value: r.private_key_sealed });
  for (const r of await db.selectFrom('clients').select(['client_id', 'secret_sealed']).execute()) out.push({ where: `client ${r.client_id}`, value: r.secret_sealed });
  for (const r of await db.selectFrom('phone_providers').select(['id', 'credentials_sealed']).execute()) {
    if (r.credentials_sealed) out.push({ where: `phone provider ${r.id}`, value: r.credentials_sealed });
  }
  for (const r of await db.selectFrom('guardian_settings').select(['tenant_id', 'twilio_auth_token_sealed']).execute()) {
    if (r.twilio_auth_token_sealed) out.push({ where: `guardian ${r.tenant_id}`, value: r.twilio_auth_token_sealed });
  }
  for (const table of ['actions', 'action_versions'] as const) {
    for (const r of await db.selectFrom(table).select(['id', 'secrets_sealed']).execute()) {
      if (r.secrets_sealed) out.push({ where: `${table} ${r.id}`, value: r.secrets_sealed });
    }
  }
  for (const r of await db.selectFrom('unifone_meta').select(['key', 'value']).where('key', 'like', 'secret:%').execute()) out.push({ where: r.key, value: r.value });
  return out;
}

function cliSuite(dialect: Dialect, skip: string | undefined): void {
  describe(`unifone CLI [${dialect}]`, { skip }, () => {
    const key1 = randomBytes(32).toString('hex');
    const key2 = randomBytes(32).toString('hex');
    const schema = `cli_${randomBytes(6).toString('hex')}`;
    let dataDir = '';
    let databaseUrl: string | undefined;
    const apps: Array<{ app: FastifyInstance; c: Container }> = [];

    /** The environment of both the CLI and the in-process app; `keys` is UNIFONE_SECRET_KEY. */
    const envFor = (keys: string): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, UNIFONE_SECRET_KEY: keys, LOG_LEVEL: 'warn', DEFAULT_TENANT: '' };
      delete env['DATABASE_URL'];
      if (databaseUrl) env['DATABASE_URL'] = databaseUrl;
      return env;
    };
    const cli = (args: string[], keys = key1) => runCli(envFor(keys), args);
    const ok = async (args: string[], keys = key1) => {
      const r = await cli(args, keys);
      assert.equal(r.code, 0, `unifone ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    };

    /** The real app, in this process, on the same database, configured with `keys`. */
    const openApp = async (keys: string) => {
      const c = await createContainer({ config: loadConfig(envFor(keys)), logger: createLogger('silent') });
      const app = await buildApp(c.http);
      await app.ready();
      apps.push({ app, c });
      const call = (method: 'GET' | 'POST' | 'PATCH', url: string, host: string, o: { token?: string; body?: unknown } = {}) =>
        app.inject({
          method,
          url,
          headers: {
            host,
            ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
            ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(o.body !== undefined ? { payload: JSON.stringify(o.body) } : {}),
        });
      const clientToken = async (host: string, clientId: string, clientSecret: string) => {
        const res = await call('POST', '/oauth/token', host, {
          body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, audience: `https://${host}/api/v2/` },
        });
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as { access_token: string; scope: string };
      };
      return { c, app, call, clientToken };
    };

    let acme: { client_id: string; client_secret: string; audience: string; tenant: { id: string } };
    let globex: { client_id: string; client_secret: string };
    let actionId = '';

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-cli-'));
      if (dialect === 'postgres' && PG_URL) {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`create schema ${schema}`);
        await client.end();
        // The CLI reads only the environment, so the schema travels in the URL like any libpq option.
        databaseUrl = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
      }
    });

    after(async () => {
      for (const { app, c } of apps) {
        await app.close();
        await c.close();
      }
      if (databaseUrl && PG_URL) await dropPgSchema(PG_URL, schema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    test('migrate applies the migrations, and a second run reports up to date', async () => {
      assert.match(await ok(['migrate']), /^applied 0001-foundation$/m);
      assert.equal(await ok(['migrate']), 'up to date\n');
    });

    test('tenant create prints credentials that obtain a token from the app; tenant list shows the tenants', async () => {
      acme = JSON.parse(await ok(['tenant', 'create', 'acme', '--domain', 'ACME.test', '--domain', 'www.acme.test', '--friendly-name', 'Acme Inc']));
      globex = JSON.parse(await ok(['tenant', 'create', 'globex', '--domain', 'globex.test']));
      assert.equal(acme.audience, 'https://acme.test/api/v2/');
      assert.match(acme.client_secret, /^\S{32,}$/);

      const list = JSON.parse(await ok(['tenant', 'list'])) as Array<{ name: string; friendly_name: string; domains: string[] }>;
      assert.deepEqual(
        list.map((t) => [t.name, t.friendly_name, t.domains.sort()]).sort(),
        [
          ['acme', 'Acme Inc', ['acme.test', 'www.acme.test']],
          ['globex', 'globex', ['globex.test']],
        ],
      );

      const { call, clientToken } = await openApp(key1);
      const { access_token } = await clientToken('acme.test', acme.client_id, acme.client_secret);
      const res = await call('GET', '/api/v2/clients', 'acme.test', { token: access_token });
      assert.equal(res.statusCode, 200, res.body);
      assert.ok((res.json() as Array<{ client_id: string }>).some((c) => c.client_id === acme.client_id));
    });

    test("unifone token is accepted on the tenant's hosts, refused on another tenant's, and carries its scopes", async () => {
      const { call } = await openApp(key1);
      const token = (await ok(['token', '--tenant', 'acme'])).trim();
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.equal((await call('GET', '/api/v2/clients', 'acme.test', { token })).statusCode, 200);
      assert.equal((await call('GET', '/api/v2/clients', 'www.acme.test', { token })).statusCode, 200);
      assert.equal((await call('GET', '/api/v2/clients', 'globex.test', { token })).statusCode, 401);

      const narrow = JSON.parse(await ok(['token', '--tenant', 'acme', '--scope', 'read:logs', '--ttl', '120', '--json']));
      assert.equal(narrow.scope, 'read:logs');
      assert.equal(narrow.expires_in, 120);
      assert.equal((await call('GET', '/api/v2/clients', 'acme.test', { token: narrow.access_token })).statusCode, 403);
    });

    test('client create grants the given scopes on the tenant audience', async () => {
      const made = JSON.parse(await ok(['client', 'create', '--tenant', 'globex', '--name', 'CI deploy', '--scope', 'read:clients', 'read:client_grants']));
      assert.equal(made.audience, 'https://globex.test/api/v2/');
      const { call, clientToken } = await openApp(key1);
      const { access_token, scope } = await clientToken('globex.test', made.client_id, made.client_secret);
      assert.deepEqual(scope.split(' ').sort(), ['read:client_grants', 'read:clients']);
      assert.equal((await call('GET', '/api/v2/clients', 'globex.test', { token: access_token })).statusCode, 200);
    });

    test('keys rotate re-seals every stored secret with the new first key, idempotently', async () => {
      // Secrets of every kind, sealed with the old key: a Twilio provider through the API, and a
      // legacy Guardian auth token through storage (the API refuses legacy settings under UPE).
      const { c, call } = await openApp(key1);
      const token = (await ok(['token', '--tenant', 'acme'])).trim();
      const created = await call('POST', '/api/v2/branding/phone/providers', 'acme.test', {
        token,
        body: { name: 'twilio', credentials: { auth_token: 'tw-auth-token' }, configuration: { sid: 'AC123', default_from: '+14155552671', delivery_methods: ['text'] } },
      });
      assert.equal(created.statusCode, 201, created.body);
      const settings = await c.repos.guardian.get(acme.tenant.id);
      assert.ok(settings);
      await c.repos.guardian.put(acme.tenant.id, { ...settings, twilioAuthTokenSealed: c.box.seal('legacy-token', TWILIO_AUTH_TOKEN_PURPOSE) });
      // An action with a secret, deployed: the draft and the version each carry a sealed copy.
      const action = await call('POST', '/api/v2/actions/actions', 'acme.test', {
        token,
        body: {
          name: 'hook',
          supported_triggers: [{ id: 'send-phone-message', version: 'v2' }],
          code: 'exports.onExecuteSendPhoneMessage = async (event) => ({ s: event.secrets.S });',
          secrets: [{ name: 'S', value: 'action-secret-value' }],
          deploy: true,
        },
      });
      assert.equal(action.statusCode, 201, action.body);
      actionId = action.json().id;
      // The bot check's CAPTCHA secret (write-only through the API).
      const bot = await call('PATCH', '/api/v2/attack-protection/phone-bot-check', 'acme.test', { token, body: { secret: 'captcha-secret-value' } });
      assert.equal(bot.statusCode, 200, bot.body);
      const before = await sealedValues(c);
      assert.equal(before.length, 10); // 2 signing keys, 3 client secrets, 1 provider, 1 Guardian token, 2 action secrets, the derivation root
      assert.ok(before.every((s) => s.value.startsWith(`v1.${kidOf(key1)}.`)));

      const report = JSON.parse(await ok(['keys', 'rotate'], `${key2},${key1}`));
      assert.deepEqual(report, {
        key_id: kidOf(key2),
        signing_keys: { total: 2, resealed: 2, skipped: 0 },
        client_secrets: { total: 3, resealed: 3, skipped: 0 },
        phone_provider_credentials: { total: 1, resealed: 1, skipped: 0 },
        guardian_twilio_auth_tokens: { total: 1, resealed: 1, skipped: 0 },
        connection_secrets: { total: 0, resealed: 0, skipped: 0 },
        action_secrets: { total: 2, resealed: 2, skipped: 0 },
        server_secrets: { total: 1, resealed: 1, skipped: 0 },
        phone_migration_snapshots: { total: 0, resealed: 0, skipped: 0 },
        phone_bot_check_secrets: { total: 1, resealed: 1, skipped: 0 },
      });
      const after = await sealedValues(c);
      assert.equal(after.length, 10);
      for (const s of after) assert.ok(s.value.startsWith(`v1.${kidOf(key2)}.`), `${s.where} still carries ${s.value.split('.')[1]}`);

      const again = JSON.parse(await ok(['keys', 'rotate'], `${key2},${key1}`));
      for (const kind of ['signing_keys', 'client_secrets', 'phone_provider_credentials', 'guardian_twilio_auth_tokens', 'connection_secrets', 'action_secrets', 'server_secrets', 'phone_bot_check_secrets']) {
        assert.equal(again[kind].resealed, 0, kind);
      }
    });

    test('after rotation the app and the CLI work with only the new key', async () => {
      const { c, call, clientToken } = await openApp(key2);
      const { access_token } = await clientToken('acme.test', acme.client_id, acme.client_secret);
      assert.equal((await call('GET', '/api/v2/clients', 'acme.test', { token: access_token })).statusCode, 200);
      assert.equal((await call('GET', '/api/v2/branding/phone/providers', 'acme.test', { token: access_token })).statusCode, 200);
      await clientToken('globex.test', globex.client_id, globex.client_secret);

      const provider = await c.repos.phoneProviders.getForTenant(acme.tenant.id);
      assert.equal(c.services.phoneProviders.credentialsOf(provider!).auth_token, 'tw-auth-token');
      const guardian = await c.repos.guardian.get(acme.tenant.id);
      assert.equal(c.box.open(guardian!.twilioAuthTokenSealed!, TWILIO_AUTH_TOKEN_PURPOSE), 'legacy-token');
      const bot = await c.repos.phoneBotCheck.get(acme.tenant.id);
      assert.equal(c.box.open(bot!.secretSealed!, PHONE_BOT_CHECK_SECRET_PURPOSE), 'captcha-secret-value');
      // The action's secret opens with the new key alone: in the draft (a test run) and in the deployed version.
      const tested = await call('POST', `/api/v2/actions/actions/${actionId}/test`, 'acme.test', { token: access_token, body: { payload: {} } });
      assert.equal(tested.statusCode, 200, tested.body);
      assert.deepEqual(tested.json().payload.returned, { s: 'action-secret-value' });
      const version = await c.repos.actions.deployedVersion(acme.tenant.id, actionId);
      assert.deepEqual(openSecrets(c.box, version!.secretsSealed), { S: 'action-secret-value' });

      const token = (await ok(['token', '--tenant', 'globex'], key2)).trim();
      assert.equal((await call('GET', '/api/v2/clients', 'globex.test', { token })).statusCode, 200);
    });

    test('keys rotate without the key that sealed the values exits 2 and changes nothing', async () => {
      const key3 = randomBytes(32).toString('hex');
      const r = await cli(['keys', 'rotate'], key3);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: cannot open the .*unknown key.*\n$/);
      const c = apps.at(-1)!.c;
      for (const s of await sealedValues(c)) assert.ok(s.value.startsWith(`v1.${kidOf(key2)}.`), s.where);
    });

    test('bad input exits 2 with one line on stderr and no stack', async () => {
      const cases: Array<[string[], RegExp, string?]> = [
        [['tenant', 'create', 'Bad!', '--domain', 'x.test'], /tenant name/],
        [['tenant', 'create', 'newco'], /--domain/],
        [['tenant', 'create', 'newco', '--domain', 'not a domain'], /invalid domain/],
        [['tenant', 'create', 'acme', '--domain', 'acme2.test'], /already exists/],
        [['tenant', 'create', 'newco', '--domain', 'acme.test'], /already belongs/],
        [['token', '--tenant', 'nope'], /unknown tenant: nope/],
        [['token'], /--tenant/],
        [['token', '--tenant', 'acme', '--scope', 'read:everything'], /unknown scope/],
        [['token', '--tenant', 'acme', '--ttl', 'soon'], /--ttl/],
        [['token', '--tenant', 'acme', '--domain', 'globex.test'], /does not answer to globex\.test/],
        [['token', '--tenant', 'acme', '--domain', 'evil host'], /invalid domain: evil host/],
        [['client', 'create', '--tenant', 'nope', '--name', 'x'], /unknown tenant: nope/],
        [['client', 'create', '--tenant', 'acme'], /--name/],
        [['frobnicate'], /unknown command/],
        [['tenant', 'list'], /32 bytes/, 'not-a-key'],
      ];
      const results = await Promise.all(cases.map(([args, , keys]) => cli(args, keys ?? key2)));
      results.forEach((r, i) => {
        const [args, message] = cases[i]!;
        const what = `unifone ${args.join(' ')}`;
        assert.equal(r.code, 2, `${what}: exit ${r.code}, stderr ${r.stderr}`);
        assert.equal(r.stdout, '', what);
        assert.match(r.stderr, /^[^\n]+\n$/, `${what}: not one line: ${r.stderr}`);
        assert.match(r.stderr, message, what);
      });
      const names = (JSON.parse(await ok(['tenant', 'list'], key2)) as Array<{ name: string }>).map((t) => t.name);
      assert.deepEqual(names.sort(), ['acme', 'globex']);
    });
  });
}

for (const { dialect, skip } of testDialects()) cliSuite(dialect, skip);
