import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse, RouteOptions } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/composition/container.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { runBootstrap } from '../../src/composition/startup.js';
import { withMigrationLock } from '../../src/adapters/storage/db.js';

export type Dialect = 'sqlite' | 'postgres';

const PG_URL = process.env['TEST_DATABASE_URL'];
const IN_CI = process.env['CI'] === 'true';
let warned = false;

/**
 * The dialects storage tests run on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. In CI
 * a missing TEST_DATABASE_URL is an error; on a developer machine the PostgreSQL runs are skipped, loudly.
 */
export function testDialects(): Array<{ dialect: Dialect; skip?: string }> {
  if (!PG_URL) {
    if (IN_CI) throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL half of the suite cannot run');
    if (!warned) {
      warned = true;
      process.stderr.write('\n*** TEST_DATABASE_URL is not set: SKIPPING every PostgreSQL test run ***\n\n');
    }
    return [{ dialect: 'sqlite' }, { dialect: 'postgres', skip: 'TEST_DATABASE_URL is not set' }];
  }
  return [{ dialect: 'sqlite' }, { dialect: 'postgres' }];
}

export interface TestEnv {
  dialect: Dialect;
  app: FastifyInstance;
  /** Every route of `app`, as registered (method, url, schema, config). */
  routes: RouteOptions[];
  /** The configuration and storage options of this environment, to open a second container on the same data. */
  config: ReturnType<typeof loadConfig>;
  storageOptions: { pgSchema?: string };
  c: Container;
  dataDir: string;
  secretKey: string;
  /** Every log line written by the server so far. */
  logs: string[];
  /** The default tenant's bootstrap client. */
  bootstrap: { clientId: string; clientSecret: string; audience: string };
  /** A Management API token for the default tenant (all scopes, or only `scopes`), got from POST /oauth/token. */
  token(scopes?: string[], host?: string): Promise<string>;
  /** `app.inject` with a JSON body and a bearer token. */
  api(method: InjectOptions['method'], url: string, opts?: { token?: string; body?: unknown; host?: string; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /**
   * Values that must never appear in a response body or a log line. The harness adds every
   * `auth_token` it sees in a request body, the signing keys' private parts and the secret key;
   * `api()` fails on a response that contains one, `close()` on a log line that does.
   */
  neverReveal: Set<string>;
  /** Creates another tenant reachable at `domain`, with its own all-scopes management client; returns a token for it and the client's credentials. */
  createTenant(name: string, domain: string): Promise<{ tenantId: string; token: string; client: { clientId: string; clientSecret: string } }>;
  close(): Promise<void>;
}

export const DEFAULT_HOST = 'localhost';

/** Adds the private parts of every tenant's signing keys (PEM body lines and the JWK `d`). */
export async function addSigningKeySecrets(c: Container, into: Set<string>): Promise<void> {
  const { createPrivateKey } = await import('node:crypto');
  for (const t of await c.repos.tenants.list()) {
    for (const k of await c.repos.signingKeys.list(t.id)) {
      const pem = c.box.open(k.privateKeySealed, 'signing_key');
      const jwk = createPrivateKey(pem).export({ format: 'jwk' });
      into.add(String(jwk.d));
      for (const line of pem.split('\n').slice(2, 6)) into.add(line);
    }
  }
}

export async function createTestEnv(dialect: Dialect, extraEnv: Record<string, string> = {}): Promise<TestEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-test-'));
  const secretKey = randomBytes(32).toString('hex');
  const pgSchema = dialect === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const config = loadConfig({
    DATA_DIR: dataDir,
    UNIFONE_SECRET_KEY: secretKey,
    LOG_LEVEL: 'info',
    DEFAULT_TENANT: 'default',
    DEFAULT_TENANT_DOMAINS: 'localhost',
    // The suite sends codes to runs of adjacent numbers and types few of them: pumping, to the fraud
    // guard. Its own tests turn it on (test/delivery/phone-fraud-guard.test.ts).
    PHONE_FRAUD_GUARD_DEFAULT_MODE: 'off',
    ...(dialect === 'postgres' ? { DATABASE_URL: PG_URL } : {}),
    ...extraEnv,
  });
  const logs: string[] = [];
  const logger = createLogger('info', { write: (s: string) => void logs.push(s) });
  const c = await createContainer({ config, logger, ...(pgSchema ? { storage: { pgSchema } } : {}) });
  const boot = await runBootstrap(c);
  if (!boot?.created) throw new Error('bootstrap did not create the default tenant');
  const routes: RouteOptions[] = [];
  const app = await buildApp(c.http, { onRoute: (r) => void routes.push(r) });
  await app.ready();

  const neverReveal = new Set<string>([secretKey]);
  const collectSecrets = (body: unknown) => {
    if (!body || typeof body !== 'object') return;
    const b = body as { auth_token?: unknown; credentials?: { auth_token?: unknown } };
    for (const v of [b.auth_token, b.credentials?.auth_token]) if (typeof v === 'string' && v.length >= 6) neverReveal.add(v);
  };
  const api: TestEnv['api'] = async (method, url, o = {}) => {
    collectSecrets(o.body);
    const res = await app.inject({
      method,
      url,
      headers: {
        host: o.host ?? DEFAULT_HOST,
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      ...(o.body !== undefined ? { payload: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}),
    });
    for (const secret of neverReveal) {
      if (res.body.includes(secret)) throw new Error(`a secret was revealed in the response to ${method} ${url}`);
    }
    if (res.statusCode >= 500) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return res;
  };
  await addSigningKeySecrets(c, neverReveal);

  const tokenFor = async (clientId: string, clientSecret: string, host: string, scopes?: string[]) => {
    const res = await api('POST', '/oauth/token', {
      host,
      body: {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        audience: `https://${host}/api/v2/`,
        ...(scopes ? { scope: scopes.join(' ') } : {}),
      },
    });
    if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`);
    return (res.json() as { access_token: string }).access_token;
  };

  const bootstrap = { clientId: boot.created.clientId, clientSecret: boot.created.clientSecret, audience: boot.created.audience };
  return {
    dialect,
    app,
    routes,
    config,
    storageOptions: pgSchema ? { pgSchema } : {},
    c,
    dataDir,
    secretKey,
    logs,
    bootstrap,
    token: (scopes, host = DEFAULT_HOST) => tokenFor(bootstrap.clientId, bootstrap.clientSecret, host, scopes),
    api,
    async createTenant(name, domain) {
      const { bootstrapDefaultTenant } = await import('../../src/domain/tenants/bootstrap.js');
      const r = await bootstrapDefaultTenant(c.repos, c.services.tenants, c.services.clients, name, [domain]);
      if (!r?.created) throw new Error('tenant exists');
      await addSigningKeySecrets(c, neverReveal);
      return {
        tenantId: r.tenant.id,
        token: await tokenFor(r.created.clientId, r.created.clientSecret, domain),
        client: { clientId: r.created.clientId, clientSecret: r.created.clientSecret },
      };
    },
    neverReveal,
    async close() {
      await app.close();
      const text = logs.join('');
      // Client secrets are shown to their owners by the API, but never logged.
      for (const secret of [...neverReveal, bootstrap.clientSecret]) {
        if (text.includes(secret)) throw new Error('a secret was written to the log');
      }
      await c.close();
      if (pgSchema && PG_URL) await dropPgSchema(PG_URL, pgSchema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Drops a test's PostgreSQL schema under the migration lock: a server migrating in another test
 * process reads the catalog of every schema, and fails if one is dropped under it.
 */
export async function dropPgSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await withMigrationLock(client, () => client.query(`drop schema if exists ${schema} cascade`));
  } finally {
    await client.end();
  }
}

/**
 * Runs `body` once per dialect, each with its own fresh server and database. `env()` returns the
 * environment of the dialect being run.
 */
export function describeEachDialect(name: string, body: (env: () => TestEnv) => void, extraEnv: Record<string, string> = {}): void {
  for (const { dialect, skip } of testDialects()) {
    describe(`${name} [${dialect}]`, { skip }, () => {
      let env: TestEnv | undefined;
      before(async () => {
        env = await createTestEnv(dialect, extraEnv);
      });
      after(async () => {
        await env?.close();
      });
      body(() => {
        if (!env) throw new Error('test environment not ready');
        return env;
      });
    });
  }
}

/**
 * Opens the container the CLI would open with `env` (the same database and keys), runs `fn` and
 * closes it: what a test beside the CLI uses to set up or inspect what the commands see.
 */
export async function withContainerOf<T>(env: NodeJS.ProcessEnv, fn: (c: Container) => Promise<T>): Promise<T> {
  const c = await createContainer({ config: loadConfig(env), logger: createLogger('silent') });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}
