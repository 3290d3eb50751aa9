import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { mintManagementToken } from '../../src/domain/operators/token-minting.js';
import { USER_GRANTS } from '../auth/helpers.js';
import { startTwilioMock, type TwilioMock } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';
import { axeViolations, buildDashboard, chromiumAvailable, createDashEnv, openBrowser, signInThroughPage, type Browser, type DashEnv } from './env.js';

/**
 * Security › Attack Protection in Chromium: the fraud guard turned on from the page, a prefix
 * quarantined for real (codes sent through `/passwordless/start` to adjacent numbers, none typed),
 * shown with its evidence, released; another safe-listed from its row; the safe list edited; a
 * velocity limit, the backoff and the spend caps saved and read back after a reload; the spend of
 * those sends against the caps; a viewer read-only; axe-core, 375 px, dark mode, no CSP violation.
 */
const haveChromium = chromiumAvailable();
const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-attack-auth-token-1';
const BASE = '/attack-protection/phone-fraud-guard';

/** Two fresh Uzbek ranges of 10,000 mobile numbers (one fraud-guard prefix each). */
const seq = 100 + Math.floor(Math.random() * 400);
const RANGE_A = `+99890${seq}`;
const RANGE_B = `+99890${seq + 1}`;
const numberIn = (range: string, i: number) => `${range}${String(1000 + i).padStart(4, '0')}`;

describe('dashboard attack protection: velocity limits, fraud guard, quarantines, spend', { skip: haveChromium ? undefined : 'Chromium missing' }, () => {
  let env: DashEnv;
  let mock: TwilioMock;
  let browser: Browser;
  let page: Page;
  let base: string;
  let token: string;
  let client: { client_id: string; client_secret: string };
  const admin = { email: 'admin@example.com', password: '' };
  const viewer = { email: 'viewer@example.com', password: '' };

  const api = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => {
    const r = await env.inject(method, `/api/v2${url}`, { token, ...(body !== undefined ? { body } : {}) });
    return { status: r.statusCode, json: r.body ? r.json() : undefined };
  };
  const start = (to: string) =>
    env.inject('POST', '/passwordless/start', { body: { client_id: client.client_id, client_secret: client.client_secret, connection: 'sms', phone_number: to, send: 'code' } });
  /** Eight codes to adjacent numbers of `range`, none typed: the ninth send quarantines the prefix (docs/abuse.md, "Fraud guard"). */
  const pump = async (range: string) => {
    for (let i = 0; i < 8; i++) {
      const r = await start(numberIn(range, i));
      assert.equal(r.statusCode, 200, `send ${i}: ${r.body}`);
    }
    const ninth = await start(numberIn(range, 8));
    assert.equal(ninth.statusCode, 400, ninth.body);
    assert.equal(ninth.json().error, 'phone_destination_quarantined');
  };
  const quarantineOf = async (prefix: string) => ((await api('GET', `${BASE}/quarantines?prefix=${encodeURIComponent(prefix)}`)).json as Array<{ id: string; active: boolean; released_at: string | null }>)[0];
  const axe = async (name: string) => {
    const v = await axeViolations(page);
    const critical = v.filter((x) => x.impact === 'critical');
    assert.deepEqual(critical, [], `critical accessibility violations on ${name}: ${JSON.stringify(critical, null, 1)}`);
    const rest = v.map((x) => `${x.impact} ${x.id}`);
    if (rest.length) process.stdout.write(`# axe-core findings on ${name} (none critical): ${rest.join(', ')}\n`);
  };
  const open = async () => {
    await page.getByRole('link', { name: 'Attack Protection', exact: true }).click();
    await page.getByRole('heading', { name: 'Security › Attack Protection', exact: true }).waitFor();
  };
  const reload = async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Security › Attack Protection', exact: true }).waitFor();
  };
  const card = (id: string) => page.getByTestId(id);
  const value = (label: string) => page.getByLabel(label, { exact: true }).inputValue();

  before(async () => {
    await buildDashboard();
    mock = await startTwilioMock({ [SID]: TOKEN });
    // As the rest of the suite: the fraud guard off by default, so that the page is what turns it on.
    env = await createDashEnv('sqlite', { TWILIO_API_BASE_URL: mock.url, PUBLIC_URL: 'https://unifone.example', DISPATCHER_POLL_MS: '50', PHONE_FRAUD_GUARD_DEFAULT_MODE: 'off' });
    admin.password = (await env.c.dashboard.operators.create({ email: admin.email, role: 'admin', tenants: '*' })).password;
    viewer.password = (await env.c.dashboard.operators.create({ email: viewer.email, role: 'viewer', tenants: ['default'] })).password;
    const tenant = (await env.c.repos.tenants.findByName('default'))!;
    const op = (await env.c.dashboard.operators.list()).find((o) => o.email === admin.email)!;
    token = (await mintManagementToken(env.c.tokenKeys, op, tenant.id, 'localhost')).access_token;
    const p = await api('POST', '/branding/phone/providers', { name: 'twilio', configuration: { sid: SID, default_from: '+14155550100', delivery_methods: ['text'] }, credentials: { auth_token: TOKEN } });
    assert.equal(p.status, 201, JSON.stringify(p.json));
    const c = await api('POST', '/clients', { name: 'Phone App', app_type: 'regular_web', grant_types: USER_GRANTS });
    assert.equal(c.status, 201, JSON.stringify(c.json));
    client = c.json;
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
    browser = await openBrowser();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await env?.close();
    await mock?.close();
  });

  test("the operators' tokens carry the protections' scopes: admin all of them, viewer the read ones", async () => {
    const tenant = (await env.c.repos.tenants.findByName('default'))!;
    const ops = await env.c.dashboard.operators.list();
    const scopesOf = async (email: string) => new Set((await mintManagementToken(env.c.tokenKeys, ops.find((o) => o.email === email)!, tenant.id, 'localhost')).scope.split(' '));
    const a = await scopesOf(admin.email);
    const v = await scopesOf(viewer.email);
    for (const r of ['phone_velocity_limits', 'phone_fraud_guard', 'phone_spend', 'attack_protection']) {
      assert.ok(a.has(`read:${r}`) && a.has(`update:${r}`), `admin: ${r}`);
      assert.ok(v.has(`read:${r}`), `viewer: read:${r}`);
      assert.ok(!v.has(`update:${r}`), `viewer: no update:${r}`);
    }
  });

  test('the fraud guard turned on from the page (mode and cooling period), read back from the server', async () => {
    await signInThroughPage(page, base, admin);
    await open();
    const fraud = card('fraud-guard');
    await page.getByLabel('Off: judge nothing').waitFor();
    assert.equal(await page.getByLabel('Off: judge nothing').isChecked(), true, "the server's default, off in this test");
    await page.getByLabel('Enforce: refuse sends to quarantined prefixes').check();
    await page.getByLabel(/^Cooling period/).fill('7200');
    await fraud.getByRole('button', { name: 'Save fraud guard' }).click();
    await fraud.getByText('Fraud guard saved.').waitFor();
    const s = (await api('GET', BASE)).json;
    assert.equal(s.mode, 'enforce');
    assert.equal(s.cooling_period_seconds, 7200);
    // A refused value is said where it happened.
    await page.getByLabel(/^Cooling period/).fill('10');
    await fraud.getByRole('button', { name: 'Save fraud guard' }).click();
    await fraud.getByRole('alert').filter({ hasText: 'cooling_period_seconds' }).waitFor();
    await page.getByLabel(/^Cooling period/).fill('7200');
  });

  test('a prefix quarantined by real sends shows with its evidence, and Release ends it', async () => {
    await pump(RANGE_A);
    await card('quarantines').getByRole('button', { name: 'Refresh quarantines' }).click();
    const row = page.getByTestId(`quarantine-${RANGE_A}`);
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, /UZ/);
    assert.match(text, /active/);
    assert.match(text, /adjacent_burst/);
    assert.match(text, /8 numbers in 10 min, 0 verified \(0 %\); threshold 8 numbers under 20 %/);
    assert.equal(await row.locator('td').nth(2).textContent(), '1', 'the ninth send, refused');
    // The spend of the eight sends (UZ: 0.30 a text) shows against today's total, no cap yet.
    await card('spend').getByRole('button', { name: 'Refresh spend' }).click();
    await card('spend-day').filter({ hasText: '2.40 USD spent, no cap' }).waitFor();
    await axe('attack-protection-quarantine');
    await browser.shot('attack-protection-quarantine');

    // By keyboard: the button focused, Enter.
    await row.getByRole('button', { name: `Release ${RANGE_A}` }).press('Enter');
    await card('quarantines').getByText(`Released ${RANGE_A}.`).waitFor();
    await row.filter({ hasText: 'released' }).waitFor();
    assert.equal(await row.getByRole('button', { name: /Release/ }).count(), 0);
    const q = await quarantineOf(RANGE_A);
    assert.equal(q?.active, false);
    assert.ok(q?.released_at);
    assert.equal((await start(numberIn(RANGE_A, 9))).statusCode, 200, 'sent after the release');
  });

  test('Safe-list from a quarantine, and the safe list added to and removed from', async () => {
    await pump(RANGE_B);
    await card('quarantines').getByRole('button', { name: 'Refresh quarantines' }).click();
    const row = page.getByTestId(`quarantine-${RANGE_B}`);
    await row.filter({ hasText: 'active' }).waitFor();
    // Active ones first: B (active) above A (released).
    const prefixes = await page.locator('[data-testid="quarantine-list"] tbody tr strong').allTextContents();
    assert.deepEqual(prefixes.slice(0, 2), [RANGE_B, RANGE_A]);
    await row.getByRole('button', { name: `Safe-list ${RANGE_B}` }).click();
    await card('quarantines').getByText(`${RANGE_B} added to the safe list.`).waitFor();
    await card('safe-list').filter({ hasText: RANGE_B }).waitFor();
    await row.filter({ hasText: 'released' }).waitFor();
    const safe = (await api('GET', `${BASE}/safe-prefixes`)).json as Array<{ prefix: string; note: string }>;
    assert.deepEqual(
      safe.map((s) => s.prefix),
      [RANGE_B],
    );
    assert.equal((await quarantineOf(RANGE_B))?.active, false);
    assert.equal((await start(numberIn(RANGE_B, 9))).statusCode, 200, 'a safe-listed prefix is sent to');

    // The form: a prefix written with spaces is added; a refused one says why; Remove takes one off.
    await page.getByLabel('Prefix to safe-list').fill('+44 20');
    await page.getByLabel('Note (optional)').fill('London office');
    // From the keyboard: Enter in the form adds it.
    await page.getByLabel('Note (optional)').press('Enter');
    await card('safe-list').filter({ hasText: 'London office' }).waitFor();
    await page.getByLabel('Prefix to safe-list').fill('abc');
    await page.getByRole('button', { name: 'Add to safe list' }).click();
    await card('quarantines').getByRole('alert').waitFor();
    await page.getByRole('button', { name: 'Remove +4420 from the safe list' }).click();
    await card('quarantines').getByText('+4420 removed from the safe list.').waitFor();
    await waitFor('+4420 to leave the list', async () => ((await card('safe-list').textContent())?.includes('+4420') ? undefined : true));
    assert.deepEqual(
      ((await api('GET', `${BASE}/safe-prefixes`)).json as Array<{ prefix: string }>).map((s) => s.prefix),
      [RANGE_B],
    );
  });

  test('a velocity limit and the backoff saved, read back after a reload', async () => {
    const v = card('velocity');
    assert.equal(await value('Recipient (the number): limit'), '30');
    await page.getByLabel('Recipient (the number): limit', { exact: true }).fill('25');
    await page.getByLabel('Prefix (1,000 numbers): mode', { exact: true }).selectOption('monitor');
    await page.getByLabel('Country: window in seconds', { exact: true }).fill('1800');
    await page.getByLabel('None: wait out the window').check();
    await page.getByLabel(/^Longest backoff/).fill('43200');
    await v.getByRole('button', { name: 'Save velocity limits' }).click();
    await v.getByText('Velocity limits saved.').waitFor();
    const policy = (await api('GET', '/attack-protection/phone-velocity-limits')).json;
    assert.deepEqual(policy.rules.recipient, { mode: 'enforce', limit: 25, window_seconds: 3600 });
    assert.deepEqual(policy.rules.prefix, { mode: 'monitor', limit: 500, window_seconds: 3600 });
    assert.deepEqual(policy.rules.country, { mode: 'enforce', limit: 5000, window_seconds: 1800 });
    assert.deepEqual(policy.rules.user, { mode: 'enforce', limit: 30, window_seconds: 3600 }, 'a rule not edited keeps its values');
    assert.deepEqual(policy.backoff, { type: 'none', max_seconds: 43200 });
    assert.deepEqual((await api('GET', '/attack-protection/phone-provider-protection')).json, { type: 'none' });
    // A limit the API refuses is said beside Save.
    await page.getByLabel('Tenant: limit', { exact: true }).fill('0');
    await v.getByRole('button', { name: 'Save velocity limits' }).click();
    await v.getByRole('alert').filter({ hasText: 'invalid_body' }).waitFor();

    await reload();
    await waitFor('the saved limit to show', async () => ((await value('Recipient (the number): limit').catch(() => '')) === '25' ? true : undefined));
    assert.equal(await page.getByLabel('Prefix (1,000 numbers): mode', { exact: true }).inputValue(), 'monitor');
    assert.equal(await value('Country: window in seconds'), '1800');
    assert.equal(await value('Tenant: limit'), '10000', 'the refused value was not stored');
    assert.equal(await page.getByLabel('None: wait out the window').isChecked(), true);
    assert.equal(await page.getByLabel(/^Longest backoff/).inputValue(), '43200');
    assert.equal(await page.getByLabel(/^Cooling period/).inputValue(), '7200');
  });

  test('the spend caps saved, read back after a reload, the meters against them', async () => {
    const s = card('spend');
    await page.getByLabel(/^Daily cap/).fill('50');
    await page.getByLabel(/^Monthly cap/).fill('1000');
    await s.getByRole('button', { name: 'Save caps' }).click();
    await s.getByText('Caps saved.').waitFor();
    const got = (await api('GET', '/attack-protection/phone-spend')).json;
    assert.equal(got.daily_cap, 50);
    assert.equal(got.monthly_cap, 1000);
    await page.getByLabel(/^Daily cap/).fill('lots');
    await s.getByRole('button', { name: 'Save caps' }).click();
    await s.getByRole('alert').waitFor();

    await reload();
    await waitFor('the saved cap to show', async () => ((await page.getByLabel(/^Daily cap/).inputValue().catch(() => '')) === '50' ? true : undefined));
    assert.equal(await page.getByLabel(/^Monthly cap/).inputValue(), '1000');
    // Sixteen sends to UZ and two after release and safe-listing: 18 × 0.30.
    await card('spend-day').filter({ hasText: '5.40 USD of 50.00 USD (11 %)' }).waitFor();
    const meter = card('spend-day').locator('meter');
    assert.equal(await meter.getAttribute('value'), '5.4');
    assert.equal(await meter.getAttribute('max'), '50');
    await axe('attack-protection');
    await browser.shot('attack-protection-limits');
  });

  test('375 px wide: the page fits (wide tables scroll in their card); dark mode', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await reload();
    await page.getByTestId(`quarantine-${RANGE_A}`).waitFor();
    await page.getByTestId('spend-day').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
        .slice(0, 8)
        .map((e) => `${e.tagName}.${e.className}`),
    );
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen: ${wide.join(', ')}`);
    await axe('attack-protection-375');
    await browser.shot('attack-protection-375');
    await page.setViewportSize({ width: 1100, height: 800 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await reload();
    await page.getByTestId(`quarantine-${RANGE_A}`).waitFor();
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(17, 20, 24)');
    await axe('attack-protection-dark');
    await browser.shot('attack-protection-limits-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('a viewer sees every card read-only, with no Save, Release, Safe-list or Remove', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInThroughPage(page, base, viewer);
    await open();
    await page.getByTestId(`quarantine-${RANGE_B}`).waitFor();
    await card('safe-list').filter({ hasText: RANGE_B }).waitFor();
    await page.getByTestId('spend-day').filter({ hasText: '50.00 USD' }).waitFor();
    for (const label of ['Recipient (the number): limit', 'Prefix (1,000 numbers): mode', 'Enforce: refuse sends to quarantined prefixes', 'None: wait out the window']) {
      assert.equal(await page.getByLabel(label, { exact: true }).isDisabled(), true, label);
    }
    assert.equal(await page.getByLabel(/^Daily cap/).isDisabled(), true);
    assert.equal(await page.getByLabel(/^Cooling period/).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: /^(Save|Release|Safe-list|Remove|Add to safe list)/ }).count(), 0);
    assert.equal(await page.getByLabel('Prefix to safe-list').count(), 0);
    await axe('attack-protection-viewer');
  });

  test('no Content Security Policy violation', () => {
    assert.deepEqual(browser.cspViolations, []);
  });
});
