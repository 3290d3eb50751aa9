/**
 * The dashboard in Chromium on localhost: bundle size (raw and gzip), page load (navigation to the
 * sign-in form drawn) and first interactions (sign-in to the first page's data shown; opening the
 * Activity page to its chart drawn). Figures for docs/performance.md; nothing is asserted.
 * Run: node --no-node-snapshot --import tsx bench/dashboard.bench.ts  (BENCH_ROUNDS, default 5)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { createContainer } from '../src/composition/container.js';
import { runBootstrap } from '../src/composition/startup.js';
import { buildApp } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { formatTable, ROOT, ROUNDS } from './lib.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
if (!fs.existsSync(CHROMIUM)) {
  process.stderr.write(`dashboard bench: Chromium not found at ${CHROMIUM}; skipped\n`);
  process.exit(0);
}

// The bundle, as `npm run build:dashboard` makes it.
execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'dashboard/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
const dist = path.join(ROOT, 'dist', 'dashboard');
const files = ['index.html', ...fs.readdirSync(path.join(dist, 'assets')).map((f) => `assets/${f}`)];
const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
const sizes = files.map((f) => {
  const b = fs.readFileSync(path.join(dist, f));
  return [f.replace(/-[A-Za-z0-9_-]{8}\./, '-<hash>.'), kB(b.length), kB(gzipSync(b, { level: 9 }).length)];
});

// A server on a port, SQLite in a scratch directory, one admin operator, a few notifications for the chart.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-bench-dash-'));
const config = loadConfig({ DATA_DIR: dataDir, UNIFONE_SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn', DEFAULT_TENANT: 'default', DEFAULT_TENANT_DOMAINS: 'localhost' });
const c = await createContainer({ config, logger: createLogger('warn') });
await runBootstrap(c);
const app = await buildApp(c.http);
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const email = 'bench@example.com';
const { password } = await c.dashboard.operators.create({ email, role: 'admin', tenants: '*' });

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unifone-bench-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1100, height: 800 },
});
const page = context.pages()[0] ?? (await context.newPage());

const runs: Array<{ load: number; dcl: number; signIn: number; signInRequest: number; activity: number }> = [];
for (let i = 0; i <= ROUNDS; i++) {
  // A cold cache each round: the figure is a first visit's.
  await context.clearCookies();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
  let t = performance.now();
  await page.goto(`${base}/dashboard/`);
  await page.getByLabel('Email').waitFor();
  const load = performance.now() - t;
  const dcl = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  t = performance.now();
  const signInResponse = page.waitForResponse((r) => r.url().endsWith('/dashboard/api/session') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const res = await signInResponse;
  await res.finished();
  const timing = res.request().timing();
  const signInRequest = timing.responseEnd - timing.requestStart;
  await page.getByLabel('SMS gateway', { exact: true }).waitFor();
  const signIn = performance.now() - t;
  t = performance.now();
  await page.getByRole('link', { name: 'Activity', exact: true }).click();
  await page.getByTestId('delivery-rate').waitFor();
  const activity = performance.now() - t;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to unifone' }).waitFor();
  if (i > 0) runs.push({ load, dcl, signIn, signInRequest, activity }); // the first round warms Chromium itself
}
await context.close();
await app.close();
await c.close();
fs.rmSync(userDataDir, { recursive: true, force: true });
fs.rmSync(dataDir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (xs: number[]) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
const out = [
  '',
  `## dashboard (Chromium, localhost, cold cache; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs)`,
  '',
  ...formatTable(['file', 'size', 'gzip'], sizes),
  '',
  ...formatTable(
    ['step', `median (min–max) of ${runs.length}`],
    [
      ['page load: navigation to the sign-in form drawn', ms(runs.map((r) => r.load))],
      ['  of which DOMContentLoaded (navigation timing)', ms(runs.map((r) => r.dcl))],
      ['first interaction: Sign in to the Phone Provider page showing its data', ms(runs.map((r) => r.signIn))],
      ['  of which POST /dashboard/api/session (scrypt, N = 2^15)', ms(runs.map((r) => r.signInRequest))],
      ['opening Activity to its figures shown (stats + logs)', ms(runs.map((r) => r.activity))],
    ],
  ),
  '',
];
process.stdout.write(out.join('\n'));
