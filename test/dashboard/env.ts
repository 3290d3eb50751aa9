import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/composition/container.js';
import { runBootstrap } from '../../src/composition/startup.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import type { Dialect } from '../helpers/harness.js';

/** A server over a clock the test moves forward (`advance`), for session expiry. */
export interface DashEnv {
  app: FastifyInstance;
  c: Container;
  logs: string[];
  /** Every session id and CSRF token handed out by `signIn`: none may reach the log. */
  issued: string[];
  advance(ms: number): void;
  inject(method: InjectOptions['method'], url: string, o?: { body?: unknown; cookie?: string; csrf?: string; token?: string; host?: string; ip?: string }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function createDashEnv(dialect: Dialect, extraEnv: Record<string, string> = {}): Promise<DashEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-dash-'));
  const pgUrl = process.env['TEST_DATABASE_URL'];
  const pgSchema = dialect === 'postgres' ? `d_${randomBytes(6).toString('hex')}` : undefined;
  const config = loadConfig({
    DATA_DIR: dataDir,
    UNIFONE_SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
    DEFAULT_TENANT: 'default',
    DEFAULT_TENANT_DOMAINS: 'localhost',
    ...(dialect === 'postgres' ? { DATABASE_URL: pgUrl } : {}),
    ...extraEnv,
  });
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };
  const logs: string[] = [];
  const logger = createLogger('info', { write: (s: string) => void logs.push(s) });
  const c = await createContainer({ config, logger, clock, ...(pgSchema ? { storage: { pgSchema } } : {}) });
  await runBootstrap(c);
  const app = await buildApp(c.http);
  await app.ready();
  return {
    app,
    c,
    logs,
    issued: [],
    advance: (ms) => void (offset += ms),
    async inject(method, url, o = {}) {
      const headers: Record<string, string> = { host: o.host ?? 'localhost' };
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      if (o.cookie) headers['cookie'] = o.cookie;
      if (o.csrf) headers['x-csrf-token'] = o.csrf;
      if (o.token) headers['authorization'] = `Bearer ${o.token}`;
      const res = await app.inject({ method, url, headers, ...(o.ip ? { remoteAddress: o.ip } : {}), ...(o.body !== undefined ? { payload: JSON.stringify(o.body) } : {}) });
      if (res.statusCode >= 500) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
      return res;
    },
    async close() {
      await app.close();
      await c.close();
      if (pgSchema && pgUrl) {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`drop schema if exists ${pgSchema} cascade`);
        await client.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in; the cookie (name=value) and CSRF token of the new session. */
export async function signIn(env: DashEnv, email: string, password: string, ip?: string): Promise<{ cookie: string; csrf: string; res: LightMyRequestResponse }> {
  const res = await env.inject('POST', '/dashboard/api/session', { body: { email, password }, ...(ip ? { ip } : {}) });
  const set = res.headers['set-cookie'];
  const cookie = String(Array.isArray(set) ? set[0] : (set ?? '')).split(';')[0]!;
  const csrf = res.statusCode === 200 ? (res.json() as { csrf_token: string }).csrf_token : '';
  if (res.statusCode === 200) env.issued.push(cookie.split('=')[1]!, csrf);
  return { cookie, csrf, res };
}
