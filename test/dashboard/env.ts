import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { createContainer, type Container } from '../../src/composition/container.js';
import { runBootstrap } from '../../src/composition/startup.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { dropPgSchema, type Dialect } from '../helpers/harness.js';
import { contentHash } from '../helpers/processes.js';

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
      if (pgSchema && pgUrl) await dropPgSchema(pgUrl, pgSchema);
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

// ---- Browser tests: Debian's Chromium driven by playwright-core (which never downloads a browser) ----

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where the browser tests write their screenshots (listed in docs/dashboard.md). */
export const SHOTS = path.join(ROOT, 'docs', 'dashboard');

/**
 * Undefined when Chromium is there; otherwise the reason to skip (said loudly). Under `CI=true` a
 * missing Chromium is an error, not a skip.
 */
export function chromiumMissing(what: string): string | undefined {
  if (fs.existsSync(CHROMIUM)) return undefined;
  if (process.env['CI'] === 'true') throw new Error(`CI=true but Chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium)`);
  process.stderr.write(`\n*** Chromium not found at ${CHROMIUM}: SKIPPING ${what} (apt-get install -y chromium) ***\n\n`);
  return `Chromium missing at ${CHROMIUM}`;
}

/** Whether the browser tests can run (see `chromiumMissing`). */
export function chromiumAvailable(): boolean {
  return chromiumMissing('the dashboard browser tests') === undefined;
}

/** What the bundle is built from: the dashboard's files and the locked versions of its packages. */
const dashboardSourcesHash = () => contentHash(['dashboard', 'package-lock.json']);

/**
 * Builds the bundle the server serves (dist/dashboard), so a browser test sees the current sources.
 * A bundle already built from the same sources (the hash stamped beside it) is kept: every browser
 * test file asks, the run builds once. Test files run two at a time: the build happens under a lock
 * (a folder only one process can create), into a folder of its own that then takes the place of
 * dist/dashboard, so no test process serves a half-written bundle.
 */
export async function buildDashboard(): Promise<void> {
  const out = path.join(ROOT, 'dist', 'dashboard');
  const stamp = path.join(out, '.sources-sha256');
  const hash = dashboardSourcesHash();
  const current = () => fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash;
  if (current()) return;
  const lock = path.join(ROOT, 'dist', '.dashboard-build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock left by a process that died during its build (a build takes well under a minute).
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 300_000) fs.rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (current()) return;
    const fresh = `${out}.build-${process.pid}`;
    const old = `${out}.old-${process.pid}`;
    const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    execFileSync(process.execPath, [vite, 'build', '--config', 'dashboard/vite.config.ts', '--outDir', fresh, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    fs.writeFileSync(path.join(fresh, '.sources-sha256'), hash);
    if (fs.existsSync(out)) fs.renameSync(out, old);
    fs.renameSync(fresh, out);
    fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console messages about the Content Security Policy: a test asserts there are none. */
  cspViolations: string[];
  /** Writes `docs/dashboard/<name>.png` (the whole page). */
  shot(name: string): Promise<unknown>;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile, one page, CSP violations collected. */
export async function openBrowser(viewport = { width: 1100, height: 800 }): Promise<Browser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  fs.mkdirSync(SHOTS, { recursive: true });
  return {
    context,
    page,
    cspViolations,
    shot: (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true }),
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the sign-in form of the dashboard at `base`. */
export async function signInThroughPage(page: Page, base: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${base}/dashboard/`);
  await page.getByRole('heading', { name: 'Sign in to unifone' }).waitFor();
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * Activates a button from the keyboard (focus, Enter). The template editors above a Save button
 * re-measure their height in animation frames after an edit, so on a loaded machine a mouse click
 * at the button's position can land beside it; the keyboard reaches the button itself.
 */
export async function pressButton(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name, exact: true }).focus();
  await page.keyboard.press('Enter');
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (node_modules/axe-core/axe.min.js) in the page and returns its violations. The
 * script goes in through the DevTools protocol (`page.evaluate`), which the page's Content Security
 * Policy does not govern, so the CSP stays as served.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
}

/** A headless Chromium with a profile of its own (removed by `close`). */
export const launchChromium = openBrowser;
