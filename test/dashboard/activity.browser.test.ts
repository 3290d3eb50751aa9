import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { twilioSignature } from '../../src/adapters/providers/twilio/twilio-signature.js';
import { mintManagementToken } from '../../src/domain/operators/token-minting.js';
import { startTwilioMock, type TwilioMock } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';
import { axeViolations, buildDashboard, chromiumAvailable, createDashEnv, launchChromium, SHOTS, signInThroughPage, type DashEnv } from './env.js';

/**
 * The Activity, Users, Phone Test Numbers and Attack Protection pages in Chromium, against the
 * server on a port and a local Twilio-speaking server; axe-core on every page (no critical
 * violation), 375 px and dark mode. Screenshots go to docs/dashboard/.
 */
const haveChromium = chromiumAvailable();
const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-activity-auth-token-1';
const PUBLIC = 'https://unifone.example';
const TO = '+14155552671';
const FAILING = '+14155552699';

describe('dashboard activity, users, test numbers and attack protection in Chromium', { skip: haveChromium ? undefined : 'Chromium missing' }, () => {
  let env: DashEnv;
  let mock: TwilioMock;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let base: string;
  let token: string;
  let tenantId: string;
  const admin = { email: 'admin@example.com', password: '' };
  const viewer = { email: 'viewer@example.com', password: '' };
  const cspViolations: string[] = [];
  const axeByPage = new Map<string, Array<{ id: string; impact: string | null }>>();

  const api = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, body?: unknown) => {
    const r = await env.inject(method, `/api/v2${url}`, { token, ...(body !== undefined ? { body } : {}) });
    return { status: r.statusCode, json: r.body ? r.json() : undefined };
  };
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  /** axe-core on the page as it is now: no critical violation; every finding is kept for the report. */
  const axe = async (name: string) => {
    const v = await axeViolations(page);
    axeByPage.set(name, v);
    const critical = v.filter((x) => x.impact === 'critical');
    assert.deepEqual(critical, [], `critical accessibility violations on ${name}: ${JSON.stringify(critical, null, 1)}`);
  };
  const go = async (link: string, heading: string) => {
    await page.getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { name: heading, exact: true }).waitFor();
  };
  const settled = (id: string) =>
    waitFor(`notification ${id} to settle`, async () => {
      const n = (await api('GET', `/phone/notifications/${id}`)).json;
      return ['sent', 'delivered', 'undelivered', 'failed'].includes(n.status) ? n : undefined;
    });

  before(async () => {
    await buildDashboard();
    mock = await startTwilioMock({ [SID]: TOKEN });
    env = await createDashEnv('sqlite', { TWILIO_API_BASE_URL: mock.url, PUBLIC_URL: PUBLIC, DISPATCHER_POLL_MS: '50' });
    admin.password = (await env.c.dashboard.operators.create({ email: admin.email, role: 'admin', tenants: '*' })).password;
    viewer.password = (await env.c.dashboard.operators.create({ email: viewer.email, role: 'viewer', tenants: ['default'] })).password;
    const tenant = (await env.c.repos.tenants.findByName('default'))!;
    tenantId = tenant.id;
    const op = (await env.c.dashboard.operators.list()).find((o) => o.email === admin.email)!;
    token = (await mintManagementToken(env.c.tokenKeys, op, tenant.id, 'localhost')).access_token;
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = browser.page;
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
  });

  after(async () => {
    await browser?.close();
    await env?.close();
    await mock?.close();
  });

  test('sign-in page: no critical accessibility violation; sign in', async () => {
    await page.goto(`${base}/dashboard/`);
    await page.getByRole('heading', { name: 'Sign in to unifone' }).waitFor();
    await axe('sign-in');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Branding › Phone Provider' }).waitFor();
  });

  test('Activity: a real send through Twilio, its delivery and a failure in the chart, the rate and the top errors', async () => {
    const p = await api('POST', '/branding/phone/providers', { name: 'twilio', configuration: { sid: SID, default_from: '+14155550100', delivery_methods: ['text'] }, credentials: { auth_token: TOKEN } });
    assert.equal(p.status, 201, JSON.stringify(p.json));
    const sent = await api('POST', `/branding/phone/providers/${p.json.id}/try`, { to: TO });
    assert.equal(sent.status, 202);
    const n = await settled(sent.json.notification_id);
    assert.equal(n.status, 'sent');
    // Twilio's signed receipt: delivered.
    const req = mock.sent().at(-1)!;
    const cb = new URL(req.form['StatusCallback']!);
    const params = { AccountSid: SID, MessageSid: n.provider_message_id, MessageStatus: 'delivered', To: TO };
    const r = await env.app.inject({
      method: 'POST',
      url: `${cb.pathname}${cb.search}`,
      headers: { host: 'unifone.example', 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, cb.href, params) },
      payload: new URLSearchParams(params).toString(),
    });
    assert.equal(r.statusCode, 204, r.body);
    mock.script({ kind: 'http', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const failed = await settled((await api('POST', `/branding/phone/providers/${p.json.id}/try`, { to: FAILING })).json.notification_id);
    assert.equal(failed.status, 'failed');

    await go('Activity', 'Monitoring › Activity');
    await page.getByTestId('delivery-rate').filter({ hasText: '50.0 %' }).waitFor();
    assert.equal(await page.getByTestId('stat-sends').textContent(), '2');
    // The chart: uPlot drew a canvas, with one legend entry per series of the text method.
    await page.locator('[data-testid="sends-chart"] canvas').first().waitFor();
    const legend = await page.locator('[data-testid="sends-chart"] .u-legend .u-label').allTextContents();
    assert.deepEqual(legend.filter((l) => l.startsWith('text')), ['text sends', 'text delivered', 'text failures']);
    await page.getByTestId('top-errors').filter({ hasText: '21211' }).waitFor();
    await axe('activity');
    await shot('activity');
  });

  test("Activity: the logs filtered by number and type, and a notification's timeline", async () => {
    await page.getByLabel('Phone number').fill(TO);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByTestId('logs-count').filter({ hasText: /^2 entries/ }).waitFor();
    const types = await page.locator('[data-testid="logs"] tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(types.sort(), ['gd_send_sms', 'phone_delivered']);
    await page.getByLabel('Type').fill('phone_delivered');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByTestId('logs-count').filter({ hasText: /^1 entry/ }).waitFor();
    await page.getByRole('button', { name: /^Timeline of ntf_/ }).click();
    await page.getByTestId('timeline-status').filter({ hasText: 'delivered' }).waitFor();
    const events = await page.getByTestId('timeline-events').locator('li strong').allTextContents();
    assert.deepEqual(events, ['queued', 'sent', 'delivered']);
    // The timeline's heading takes the focus, for keyboard and screen-reader users.
    assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /^Notification ntf_/);
    await axe('activity-timeline');
    await shot('activity-timeline');
    // A filter the API refuses is said where it happened.
    await page.getByLabel('Phone number').fill('12');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('alert').filter({ hasText: 'invalid_query_string' }).waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
  });

  test('Users: search, a phone enrollment, unblock', async () => {
    for (const email of ['alice@example.com', 'bob@example.com']) {
      const u = await api('POST', '/users', { connection: 'Username-Password-Authentication', email, password: 'Correct-Horse-7731' });
      assert.equal(u.status, 201, JSON.stringify(u.json));
      if (email === 'alice@example.com') {
        assert.equal((await api('PATCH', `/users/${encodeURIComponent(u.json.user_id)}`, { blocked: true })).status, 200);
        const now = new Date().toISOString();
        await env.c.repos.enrollments.insert(tenantId, { id: 'dev_0123456789abcdef', userId: u.json.user_id, type: 'phone', phoneNumber: '+14155550123', preferredMethod: 'sms', status: 'confirmed', createdAt: now, confirmedAt: now, lastAuth: null });
      }
    }
    await go('Users', 'User Management › Users');
    await page.getByLabel('Email or phone number contains').fill('alice');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('users-count').filter({ hasText: '1 user,' }).waitFor();
    await page.getByRole('button', { name: 'Open alice@example.com' }).click();
    await page.getByTestId('user-status').filter({ hasText: 'blocked' }).waitFor();
    await page.getByTestId('phone-enrollments').filter({ hasText: '+14155550123 · confirmed · prefers sms' }).waitFor();
    await axe('users');
    await shot('users');
    await page.getByRole('button', { name: 'Unblock' }).click();
    await page.getByText('Unblocked.').waitFor();
    await page.getByTestId('user-status').filter({ hasText: 'active' }).waitFor();
    const users = (await api('GET', `/users?q=alice`)).json as Array<{ blocked?: boolean }>;
    assert.equal(users[0]!.blocked, false);
    // Removing the enrollment asks once more, then deletes it.
    await page.getByRole('button', { name: 'Remove the phone enrollment +14155550123' }).click();
    await page.getByRole('button', { name: 'Confirm removal' }).click();
    await page.getByText('No phone enrolled for MFA.').waitFor();
    assert.equal((await env.c.repos.enrollments.listForUser(tenantId, (await api('GET', '/users?q=alice')).json[0].user_id)).length, 0);
  });

  test('Phone Test Numbers: add one with a fixed code and save', async () => {
    await go('Phone Test Numbers', 'Branding › Phone Test Numbers');
    await page.getByText('No test numbers.').waitFor();
    await page.getByRole('button', { name: 'Add a number' }).click();
    await page.getByLabel('Test number 1', { exact: true }).fill('+1 415 555 0100');
    await page.getByLabel('Fixed code of test number 1').fill('123456');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    // The server normalised the number to E.164, and the page shows what was stored.
    assert.equal(await page.getByLabel('Test number 1', { exact: true }).inputValue(), '+14155550100');
    assert.deepEqual((await api('GET', '/branding/phone/test-numbers')).json, { numbers: [{ number: '+14155550100', code: '123456' }] });
    await page.getByRole('button', { name: 'Add a number' }).click();
    await page.getByLabel('Test number 2', { exact: true }).fill('not a number');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'invalid phone number' }).waitFor();
    await axe('test-numbers');
    await shot('phone-test-numbers');
  });

  test('Attack Protection: a rule saved and shown, a refusal with its reason, the other protections read from the server', async () => {
    await go('Attack Protection', 'Security › Attack Protection');
    await page.getByLabel('Allow only the listed countries').check();
    await page.getByLabel(/^Countries \(ISO codes/).fill('us, ca');
    await page.getByLabel('Passwordless: voice').uncheck();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Saved.').waitFor();
    const policy = (await api('GET', '/attack-protection/phone-send-policy')).json;
    assert.deepEqual(policy.countries, { mode: 'allow_list', list: ['US', 'CA'] });
    assert.deepEqual(policy.flows.passwordless, { delivery_methods: ['text'] });
    // Shown again after a reload: read back from the server.
    await page.reload();
    await page.getByRole('heading', { name: 'Security › Attack Protection', exact: true }).waitFor();
    await waitFor('the saved countries to show', async () => ((await page.getByLabel(/^Countries \(ISO codes/).inputValue()) === 'US, CA' ? true : undefined));
    assert.equal(await page.getByLabel('Allow only the listed countries').isChecked(), true);
    assert.equal(await page.getByLabel('Passwordless: voice').isChecked(), false);
    assert.equal(await page.getByLabel('Passwordless: text').isChecked(), true);

    // A test send to the United Kingdom is refused by the policy: it shows among the recent refusals.
    const providers = (await api('GET', '/branding/phone/providers')).json;
    const refused = await api('POST', `/branding/phone/providers/${providers.providers[0].id}/try`, { to: '+447911123456' });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.errorCode, 'phone_destination_not_allowed');
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByTestId('decisions').filter({ hasText: 'country_denied' }).waitFor();
    assert.match((await page.getByTestId('decisions').textContent()) ?? '', /\+4479\*+56/);
    // The other protections have cards of their own, read from the server (attack.browser.test.ts drives them).
    await page.getByTestId('velocity-rules').filter({ hasText: 'Recipient (the number)' }).waitFor();
    assert.equal(await page.getByLabel('Recipient (the number): limit').inputValue(), '30');
    await page.getByTestId('quarantines').getByText('No prefix quarantined.').waitFor();
    await page.getByTestId('spend-day').waitFor();
    assert.equal(await page.getByLabel('Enforce: refuse sends to quarantined prefixes').isChecked(), true);
    await axe('attack-protection');
    await shot('attack-protection');
  });

  test('the existing pages: no critical accessibility violation', async () => {
    await go('Phone Provider', 'Branding › Phone Provider');
    await page.getByLabel('Twilio SID').waitFor();
    await axe('phone-provider');
    await go('Phone Templates', 'Branding › Phone Templates');
    await page.getByRole('button', { name: 'Edit otp_verify' }).waitFor();
    await axe('phone-templates');
    await go('Phone Message', 'Security › Multi-factor Auth › Phone Message');
    await page.getByLabel('Use Tenant-level Messaging Provider').waitFor();
    await axe('mfa-phone-message');
  });

  test('at 375 px wide the Activity page fits, chart included', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await go('Activity', 'Monitoring › Activity');
    await page.locator('[data-testid="sends-chart"] canvas').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
        .slice(0, 8)
        .map((e) => `${e.tagName}.${e.className}`),
    );
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen: ${wide.join(', ')}`);
    await axe('activity-375');
    await shot('activity-375');
    await page.setViewportSize({ width: 1100, height: 800 });
  });

  test('dark mode follows prefers-color-scheme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await go('Activity', 'Monitoring › Activity');
    await page.locator('[data-testid="sends-chart"] canvas').first().waitFor();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(17, 20, 24)');
    await axe('activity-dark');
    await shot('activity-dark');
    await go('Attack Protection', 'Security › Attack Protection');
    await page.getByTestId('decisions').waitFor();
    await shot('attack-protection-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('a viewer sees the policy, users and test numbers read-only', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The page signed out of can still be on screen (its checkboxes have labels with "Email" in them).
    await page.getByRole('heading', { name: 'Sign in to unifone' }).waitFor();
    await signInThroughPage(page, base, viewer);
    await page.getByText('Read-only: your role is viewer.').waitFor();
    await go('Attack Protection', 'Security › Attack Protection');
    await page.getByLabel('Passwordless: voice').waitFor();
    assert.equal(await page.getByLabel('Passwordless: voice').isDisabled(), true);
    assert.equal(await page.getByLabel('Allow only the listed countries').isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Save policy' }).count(), 0);
    await page.getByTestId('decisions').waitFor();
    await go('Phone Test Numbers', 'Branding › Phone Test Numbers');
    assert.equal(await page.getByLabel('Test number 1', { exact: true }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: /Save|Add a number|Remove/ }).count(), 0);
    await go('Users', 'User Management › Users');
    await page.getByRole('button', { name: 'Open bob@example.com' }).click();
    await page.getByTestId('user-status').waitFor();
    assert.equal(await page.getByRole('button', { name: /Unblock|Remove|Lift/ }).count(), 0);
  });

  test('no Content Security Policy violation on any page', () => {
    assert.deepEqual(cspViolations, []);
    // Serious and moderate findings are not failures, but they are printed for whoever reads the run.
    const rest = [...axeByPage].flatMap(([p, v]) => v.map((x) => `${p}: ${x.impact} ${x.id}`));
    if (rest.length) process.stdout.write(`# axe-core findings (none critical):\n${rest.map((l) => `#   ${l}`).join('\n')}\n`);
  });
});
