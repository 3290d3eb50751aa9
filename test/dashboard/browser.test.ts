import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { twilioSignature } from '../../src/adapters/providers/twilio/twilio-signature.js';
import { mintManagementToken } from '../../src/domain/operators/token-minting.js';
import { startTwilioMock, type TwilioMock } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';
import { buildDashboard, chromiumMissing, createDashEnv, openBrowser, pressButton, signInThroughPage, type Browser, type DashEnv } from './env.js';

/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core (which never downloads
 * a browser) against the server listening on a port. Screenshots of every page go to docs/dashboard/.
 */
const skip = chromiumMissing('the dashboard browser tests');

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-dashboard-auth-token-1';
const PUBLIC = 'https://unifone.example';

describe('dashboard in Chromium', { skip }, () => {
  let env: DashEnv;
  let mock: TwilioMock;
  let browser: Browser;
  let page: Page;
  let base: string;
  const admin = { email: 'admin@example.com', password: '' };
  const viewer = { email: 'viewer@example.com', password: '' };

  before(async () => {
    // The bundle the server serves: built fresh, so the test sees the current sources.
    await buildDashboard();
    mock = await startTwilioMock({ [SID]: TOKEN });
    env = await createDashEnv('sqlite', { TWILIO_API_BASE_URL: mock.url, PUBLIC_URL: PUBLIC, DISPATCHER_POLL_MS: '50' });
    admin.password = (await env.c.dashboard.operators.create({ email: admin.email, role: 'admin', tenants: '*' })).password;
    viewer.password = (await env.c.dashboard.operators.create({ email: viewer.email, role: 'viewer', tenants: ['default'] })).password;
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

  const shot = (name: string) => browser.shot(name);
  const signInAs = (who: { email: string; password: string }) => signInThroughPage(page, base, who);

  test('sign in: a wrong password is said where it happened, the right one opens the console', async () => {
    await page.goto(`${base}/dashboard/`);
    await page.getByRole('heading', { name: 'Sign in to unifone' }).waitFor();
    await shot('sign-in');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Branding › Phone Provider' }).waitFor();
    // The tenant list arrives after the page: wait for the switcher to show it.
    await waitFor('the tenant switcher to show the tenant', async () => ((await page.getByLabel('Tenant').inputValue()) === 'default' ? true : undefined), 10_000);
  });

  test('configure Twilio: the auth token is write-only ("set", replaceable, never shown)', async () => {
    await page.getByLabel('Twilio', { exact: true }).check();
    await page.getByLabel('Twilio SID').fill(SID);
    await page.getByLabel('Default from (E.164 number)').fill('+14155550100');
    await page.getByLabel('Auth token').fill(TOKEN);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByText('set', { exact: true }).waitFor();
    assert.ok(!(await page.content()).includes(TOKEN), 'the auth token is on the page');
    const p = await env.c.repos.phoneProviders.getForTenant((await env.c.repos.tenants.findByName('default'))!.id);
    assert.equal(p?.name, 'twilio');
    assert.deepEqual(p?.configuration.delivery_methods, ['text']);
    await shot('phone-provider');
  });

  test('Send Test Message: queued, sent, then delivered after a signed receipt', async () => {
    await page.getByLabel('Phone number').fill('+14155552671');
    await page.getByRole('button', { name: 'Send Test Message' }).click();
    const status = page.getByTestId('test-status');
    await waitFor('the test send to be sent', async () => ((await status.textContent().catch(() => '')) === 'sent' ? true : undefined));
    const req = mock.sent().at(-1)!;
    const cb = new URL(req.form['StatusCallback']!);
    const id = cb.pathname.split('/').pop()!;
    const n = await env.c.repos.notifications.get((await env.c.repos.tenants.findByName('default'))!.id, id);
    const params = { AccountSid: SID, MessageSid: n!.providerMessageId!, MessageStatus: 'delivered', To: '+14155552671' };
    const res = await env.app.inject({
      method: 'POST',
      url: `${cb.pathname}${cb.search}`,
      headers: { host: 'unifone.example', 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, cb.href, params) },
      payload: new URLSearchParams(params).toString(),
    });
    assert.equal(res.statusCode, 204, res.body);
    await waitFor('the page to show delivered', async () => ((await status.textContent()) === 'delivered' ? true : undefined));
    await shot('send-test-message');
  });

  test('Phone Templates: list, edit, GSM-7 / UCS-2 and segments as you type', async () => {
    await page.getByRole('link', { name: 'Phone Templates', exact: true }).click();
    await page.getByRole('button', { name: 'Edit otp_verify' }).click();
    const text = page.getByLabel('Text message (Liquid)');
    await text.fill('Your code is {{ code }}');
    await page.getByTestId('segments').filter({ hasText: 'GSM-7' }).waitFor();
    await text.fill('Votre code est {{ code }} ✅');
    await page.getByTestId('segments').filter({ hasText: 'UCS-2' }).waitFor();
    await text.fill('Your code is {{ code }}. '.repeat(8));
    await page.getByTestId('segments').filter({ hasText: '2 segments' }).waitFor();
    await pressButton(page, 'Save');
    await page.getByText('Saved.').waitFor();
    await shot('phone-templates');
  });

  test('MFA Phone Message: voice is refused while the tenant-level provider delivers text only', async () => {
    await page.getByRole('link', { name: 'Phone Message', exact: true }).click();
    await page.getByRole('heading', { name: 'Phone Message', exact: true }).waitFor();
    assert.equal(await page.getByLabel('Use Tenant-level Messaging Provider').isChecked(), true);
    assert.equal(await page.getByRole('radio', { name: /^Voice/ }).isDisabled(), true);
    assert.equal(await page.getByRole('radio', { name: /^SMS and Voice/ }).isDisabled(), true);
    assert.equal(await page.getByRole('radio', { name: /^SMS$/ }).isDisabled(), false);
    await page.getByText('does not deliver by voice').first().waitFor();
    // Turn the factor on by keyboard: labels and focus work without a mouse.
    await page.getByLabel('Enable the phone message factor').focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const factors = await env.c.services.guardian.listFactors((await env.c.repos.tenants.findByName('default'))!.id);
    assert.equal(factors.find((f) => f.name === 'sms')?.enabled, true);
    await shot('mfa-phone-message');
  });

  test('disabling a provider MFA depends on: the 409 is explained, and "Disable anyway" forces it', async () => {
    await page.getByRole('link', { name: 'Phone Provider', exact: true }).click();
    await page.getByRole('button', { name: 'Disable provider' }).click();
    await page.getByText('The MFA phone factor uses this provider.').waitFor();
    await shot('phone-provider-in-use');
    await page.getByRole('button', { name: 'Disable anyway' }).click();
    await waitFor('the provider to show disabled', async () => ((await page.getByTestId('provider-status').textContent()) === 'disabled' ? true : undefined));
    await page.getByRole('button', { name: 'Enable provider' }).click();
    await waitFor('the provider to show enabled', async () => ((await page.getByTestId('provider-status').textContent()) === 'enabled' ? true : undefined));
  });

  test('sign out: back to the sign-in form, and the session is gone', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to unifone' }).waitFor();
    const r = await page.evaluate(async () => (await fetch('/dashboard/api/session')).status);
    assert.equal(r, 401);
  });

  test('a viewer sees everything read-only and cannot change anything', async () => {
    await signInAs(viewer);
    await page.getByText('Read-only: your role is viewer.').waitFor();
    await page.getByLabel('Twilio SID').waitFor();
    assert.equal(await page.getByLabel('Twilio SID').isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Save' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Send Test Message' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Disable provider|Replace/ }).count(), 0);
    await shot('viewer-phone-provider');
    // Even a hand-made call with the viewer's own token is refused by the public API.
    const status = await page.evaluate(async () => {
      const s = await (await fetch('/dashboard/api/session')).json();
      const t = await (await fetch('/dashboard/api/token', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token }, body: JSON.stringify({ tenant: 'default' }) })).json();
      return (await fetch('/api/v2/tenants/settings', { method: 'PATCH', headers: { authorization: `Bearer ${t.access_token}`, 'content-type': 'application/json' }, body: '{"friendly_name":"x"}' })).status;
    });
    assert.equal(status, 403);
    await page.getByRole('link', { name: 'Phone Message', exact: true }).click();
    await page.getByRole('heading', { name: 'Phone Message', exact: true }).waitFor();
    assert.equal(await page.getByLabel('Enable the phone message factor').isDisabled(), true);
  });

  test('the migration banner shows when the tenant is in legacy mode with a Guardian Twilio provider', async () => {
    const tenant = (await env.c.repos.tenants.findByName('default'))!;
    const op = (await env.c.dashboard.operators.list()).find((o) => o.email === admin.email)!;
    const { access_token: token } = await mintManagementToken(env.c.tokenKeys, op, tenant.id, 'localhost');
    const call = async (method: 'PATCH' | 'PUT' | 'GET', url: string, body?: unknown) => {
      const r = await env.inject(method, `/api/v2${url}`, { token, ...(body !== undefined ? { body } : {}) });
      assert.ok(r.statusCode < 300, `${method} ${url}: ${r.statusCode} ${r.body}`);
      return r.json();
    };
    await call('PATCH', '/tenants/settings', { phone_consolidated_experience: false });
    await call('PUT', '/guardian/factors/phone/providers/twilio', { sid: SID, from: '+14155550100', auth_token: TOKEN });
    await call('PUT', '/guardian/factors/phone/selected-provider', { provider: 'twilio' });
    const plan = await call('GET', '/phone-migration');
    assert.equal(plan.eligible, true, JSON.stringify(plan));
    await page.reload();
    await page.getByRole('heading', { name: 'Phone Message', exact: true }).waitFor();
    await page.getByText('Move to the Unified Phone Experience.').waitFor();
    assert.equal(await page.getByLabel('Use Tenant-level Messaging Provider').isChecked(), false);
    // Signed in as the viewer: the choices are shown, none can be changed.
    assert.equal(await page.getByRole('radio', { name: /^Voice/ }).isDisabled(), true, 'a viewer changes nothing');
    await shot('mfa-migration-banner');
  });

  test('at 375 px wide the console still fits', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.getByRole('link', { name: 'Phone Provider', exact: true }).click();
    await page.getByLabel('Twilio SID').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await shot('mobile-375');
  });

  test('no Content Security Policy violation on any page', () => {
    assert.deepEqual(browser.cspViolations, []);
  });
});
