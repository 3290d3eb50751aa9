import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { mintManagementToken } from '../../src/domain/operators/token-minting.js';
import { bootstrapDefaultTenant } from '../../src/domain/tenants/bootstrap.js';
import { waitFor } from '../helpers/wait.js';
import { buildDashboard, chromiumMissing, createDashEnv, openBrowser, pressButton, signInThroughPage, type Browser, type DashEnv } from './env.js';

/**
 * The dashboard's editors in Debian's Chromium (playwright-core, never a downloaded browser): the
 * custom provider's Action, the template editor and its server-rendered preview, the MFA page on a
 * text-only provider, the migration wizard, a second tenant through the switcher, and a viewer.
 * Screenshots go to docs/dashboard/.
 */
const skip = chromiumMissing('the dashboard editor browser tests');

const GATEWAY_SECRET = 'gateway-bearer-secret-7f3a';
const HOOK_SECRET = 'hook-endpoint-secret-91c2';
const HOOK = `const { fetch } = require('undici');
exports.onExecuteSendPhoneMessage = async (event, api) => {
  await fetch(event.secrets.ENDPOINT, {
    method: 'POST',
    body: JSON.stringify({ to: event.message_options.recipient, text: event.message_options.text, kind: event.message_options.message_type }),
  });
};
`;

interface Received {
  auth: string | undefined;
  body: Record<string, unknown>;
}

describe('dashboard editors in Chromium', { skip }, () => {
  let env: DashEnv;
  let gateway: http.Server;
  let gatewayUrl: string;
  const received: Received[] = [];
  let browser: Browser;
  let page: Page;
  let base: string;
  let port: number;
  const admin = { email: 'admin@example.com', password: '' };
  const viewer = { email: 'viewer@example.com', password: '' };
  const scripts: string[] = [];
  const betaHost = () => `beta.localhost:${port}`;

  before(async () => {
    await buildDashboard();
    // The custom provider's gateway: what the Action posts, with its bearer secret.
    gateway = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ auth: req.headers['authorization'], body: JSON.parse(data || '{}') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((ok) => gateway.listen(0, '127.0.0.1', ok));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`;
    env = await createDashEnv('sqlite', { ACTIONS_ALLOW_PRIVATE_NETWORK: 'true', PUBLIC_URL: 'https://unifone.example', DISPATCHER_POLL_MS: '50' });
    admin.password = (await env.c.dashboard.operators.create({ email: admin.email, role: 'admin', tenants: '*' })).password;
    viewer.password = (await env.c.dashboard.operators.create({ email: viewer.email, role: 'viewer', tenants: ['default'] })).password;
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    port = (env.app.server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    browser = await openBrowser();
    page = browser.page;
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
  });

  after(async () => {
    await browser?.close();
    await env?.close();
    await new Promise((ok) => gateway?.close(ok));
  });

  const shot = (name: string) => browser.shot(name);
  const tenantId = async (name: string) => (await env.c.repos.tenants.findByName(name))!.id;
  const signInAs = (who: { email: string; password: string }) => signInThroughPage(page, base, who);
  /** Waits for `what`, failing at once with the page's error when an alert shows instead. */
  const expectShown = async (what: ReturnType<Page['getByText']>) => {
    await what
      .or(page.getByRole('alert'))
      .first()
      .waitFor()
      .catch(async (e) => {
        await page.screenshot({ path: path.join(os.tmpdir(), 'unifone-editors-failure.png'), fullPage: true });
        throw e;
      });
    if (!(await what.isVisible())) throw new Error(`the page shows an error: ${await page.getByRole('alert').allTextContents()}`);
  };
  const go = async (link: string, heading: string) => {
    await page.getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { name: heading, exact: true }).waitFor();
  };
  /** A Management API caller as the admin operator, for setting up state the way a tool would. */
  const adminApi = async (tenant: string, host: string) => {
    const op = (await env.c.dashboard.operators.list()).find((o) => o.email === admin.email)!;
    const { access_token: token } = await mintManagementToken(env.c.tokenKeys, op, await tenantId(tenant), host);
    return async (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown) => {
      const r = await env.inject(method, `/api/v2${url}`, { token, host, ...(body !== undefined ? { body } : {}) });
      assert.ok(r.statusCode < 300, `${method} ${url}: ${r.statusCode} ${r.body}`);
      return r.body ? r.json() : undefined;
    };
  };
  /** What the page's own Management API token gets for a call (the API decides, not the page). */
  const asPage = (method: string, url: string, body?: unknown) =>
    page.evaluate(
      async ([method, url, body]) => {
        const s = await (await fetch('/dashboard/api/session')).json();
        const tenants = await (await fetch('/dashboard/api/tenants')).json();
        const here = tenants.tenants.find((t: { here: boolean }) => t.here).name;
        const t = await (await fetch('/dashboard/api/token', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token }, body: JSON.stringify({ tenant: here }) })).json();
        const r = await fetch(`/api/v2${url}`, { method, headers: { authorization: `Bearer ${t.access_token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
        return { status: r.status, body: await r.json().catch(() => null) };
      },
      [method, url, body] as const,
    );

  test('the sign-in page does not load the editor: CodeMirror is a chunk of its own, fetched by the first editor', async () => {
    await page.goto(`${base}/dashboard/`);
    await page.getByRole('heading', { name: 'Sign in to unifone' }).waitFor();
    assert.ok(scripts.some((s) => /^\/dashboard\/assets\/index-[\w-]+\.js$/.test(s)), scripts.join(', '));
    assert.ok(!scripts.some((s) => s.includes('codemirror')), `loaded at sign-in: ${scripts.join(', ')}`);
  });

  test('custom provider: the Action from the seed example, write-only secrets, deploy, save, and a test message that reaches the gateway', async () => {
    await signInAs(admin);
    await page.getByLabel('Custom (Action)').check();
    const code = page.getByRole('textbox', { name: 'Action code (JavaScript)' });
    await code.waitFor();
    assert.ok(scripts.some((s) => /\/codemirror-[\w-]+\.js$/.test(s)), 'the editor chunk is fetched with the first editor');
    assert.match((await code.textContent()) ?? '', /exports\.onExecuteCustomPhoneProvider = async \(event, api\) => \{/);
    // Its two secrets are offered, values to fill.
    await page.getByLabel('Value of MY_ENDPOINT').waitFor();
    // An edit in the editor: the deployed code is what was typed.
    await code.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n// Deployed from the dashboard');
    await page.getByLabel('Value of MY_ENDPOINT').fill(gatewayUrl);
    await page.getByLabel('Value of MY_SECRET').fill(GATEWAY_SECRET);
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expectShown(page.getByText('Deployed: version 1.'));
    // The secrets are "set" now; their values are not on the page.
    await page.getByRole('button', { name: 'Replace MY_SECRET' }).waitFor();
    assert.ok(!(await page.content()).includes(GATEWAY_SECRET), 'a secret value is on the page');
    const actions = await env.c.actions.service.list(await tenantId('default'), { triggerId: 'custom-phone-provider' }, { page: 0, perPage: 10 });
    assert.equal(actions.items.length, 1);
    assert.match(actions.items[0]!.code, /\/\/ Deployed from the dashboard\s*$/);

    await pressButton(page, 'Save');
    await expectShown(page.getByText('Saved.'));
    const p = await env.c.repos.phoneProviders.getForTenant(await tenantId('default'));
    assert.equal(p?.name, 'custom');

    await page.getByLabel('Phone number').fill('+14155552671');
    await page.getByRole('button', { name: 'Send Test Message' }).click();
    await waitFor('the test send to be sent', async () => ((await page.getByTestId('test-status').textContent().catch(() => '')) === 'sent' ? true : undefined));
    const got = await waitFor('the gateway to receive the code', async () => received.find((r) => r.body['recipient'] === '+14155552671'));
    assert.equal(got.auth, `Bearer ${GATEWAY_SECRET}`);
    assert.equal(got.body['action'], 'second-factor-authenticator');
    assert.match(String(got.body['code']), /^\d{6}$/);
    assert.match(String(got.body['text']), new RegExp(`^${got.body['code']} is your verification code`));
    await shot('custom-provider');
  });

  test('template editor: Liquid in CodeMirror, the server-rendered preview with a locale switch, segments, the WebOTP line, save, test send, reset', async () => {
    await go('Phone Templates', 'Branding › Phone Templates');
    await page.getByRole('button', { name: 'Edit otp_verify' }).click();
    const text = page.getByRole('textbox', { name: 'Text message (Liquid)' });
    await text.fill('{% if locale == "fr" %}Votre code {{ code }}{% else %}Your code is {{ code }}{% endif %}\n\n@127.0.0.1 #{{ code }}');
    const preview = page.getByTestId('preview-text');
    await waitFor('the preview of the draft', async () => ((await preview.textContent()) === 'Your code is 123456\n\n@127.0.0.1 #123456' ? true : undefined));
    await page.getByTestId('webotp').filter({ hasText: 'WebOTP line found: @127.0.0.1 #123456' }).waitFor();
    await page.getByTestId('segments-rendered').filter({ hasText: 'GSM-7' }).filter({ hasText: '1 segment' }).waitFor();
    await page.getByLabel('Preview locale').selectOption('fr');
    await waitFor('the French preview', async () => ((await preview.textContent())?.startsWith('Votre code 123456') ? true : undefined));
    // GSM-7 / UCS-2 as you type.
    await text.press('Control+End');
    await page.keyboard.type(' ✅');
    await page.getByTestId('segments').filter({ hasText: 'UCS-2' }).waitFor();
    await page.getByTestId('webotp').filter({ hasText: 'No WebOTP line' }).waitFor();
    // Liquid that does not parse: the server's message, where the preview was.
    await text.fill('Code {{ code ');
    await page.getByRole('alert').filter({ hasText: 'invalid_template' }).waitFor();
    await text.fill('Your code is {{ code }}\n\n@127.0.0.1 #{{ code }}');
    await waitFor('the preview again', async () => ((await preview.textContent().catch(() => '')) === 'Your code is 123456\n\n@127.0.0.1 #123456' ? true : undefined));
    await pressButton(page, 'Save');
    await expectShown(page.getByText('Saved.'));
    const saved = await env.c.repos.phoneTemplates.getByType(await tenantId('default'), 'otp_verify');
    assert.equal(saved?.bodyText, 'Your code is {{ code }}\n\n@127.0.0.1 #{{ code }}');
    await shot('phone-template-editor');

    // A test send of the saved template reaches the custom provider's gateway with the rendered text.
    await page.getByLabel('Phone number').fill('+14155550142');
    await page.getByRole('button', { name: 'Send test', exact: true }).click();
    const got = await waitFor('the template test at the gateway', async () => received.find((r) => r.body['recipient'] === '+14155550142'));
    assert.match(String(got.body['text']), /^Your code is \d{6}\n\n@127\.0\.0\.1 #\d{6}$/);

    // Disable, then reset to the built-in text.
    await page.getByRole('checkbox', { name: /Disabled/ }).check();
    await pressButton(page, 'Save');
    await waitFor('the template to be disabled', async () => ((await env.c.repos.phoneTemplates.getByType(await tenantId('default'), 'otp_verify'))?.disabled ? true : undefined));
    await page.getByRole('button', { name: 'Reset to default' }).click();
    await waitFor('the editor to show the default', async () => ((await text.textContent())?.startsWith('{{ code | escape }} is your verification code for') ? true : undefined));
    const reset = await env.c.repos.phoneTemplates.getByType(await tenantId('default'), 'otp_verify');
    assert.match(reset!.bodyText, /^\{\{ code \| escape \}\} is your verification code/);
  });

  test('MFA Phone Message on a text-only provider: voice choices disabled with the seed rule, and the API refuses voice anyway', async () => {
    await go('Phone Message', 'Phone Message');
    assert.equal(await page.getByLabel('Use Tenant-level Messaging Provider').isChecked(), true);
    assert.equal(await page.getByRole('radio', { name: /^Voice/ }).isDisabled(), true);
    assert.equal(await page.getByRole('radio', { name: /^SMS and Voice/ }).isDisabled(), true);
    assert.equal(await page.getByRole('radio', { name: /^SMS$/ }).isDisabled(), false);
    await page.getByTestId('seed-rule').filter({ hasText: 'User must update tenant-level provider to allow for desired MFA phone factor' }).waitFor();
    const r = await asPage('PUT', '/guardian/factors/phone/message-types', { message_types: ['voice'] });
    assert.equal(r.status, 409);
    assert.equal(r.body.errorCode, 'message_type_not_supported');
    await shot('mfa-phone-text-only');
  });

  test('a second tenant through the switcher: its own host, its own sign-in, its own settings', async () => {
    const created = await bootstrapDefaultTenant(env.c.repos, env.c.services.tenants, env.c.services.clients, 'beta', [betaHost()]);
    assert.ok(created?.created);
    // A fresh load reads the tenant list again (it now has beta).
    await page.goto(`${base}/dashboard/#/branding/phone-provider`);
    await page.reload();
    await page.getByLabel('Custom (Action)').waitFor();
    await page.getByLabel('Tenant').selectOption('beta');
    // The session cookie is host-bound: beta's dashboard asks to sign in again.
    await page.getByRole('heading', { name: 'Sign in to unifone' }).waitFor();
    assert.equal(new URL(page.url()).host, betaHost());
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitFor('the switcher to show beta', async () => ((await page.getByLabel('Tenant').inputValue().catch(() => '')) === 'beta' ? true : undefined), 10_000);
    // beta has no provider; default's custom provider is not visible here.
    await page.getByText('No tenant-level phone provider yet').waitFor();
    assert.equal(await page.getByLabel('Twilio', { exact: true }).isChecked(), true);
    await shot('tenant-switcher-beta');
  });

  test('migration wizard: a legacy tenant with a send-phone-message Action — plan, side-by-side translation, dry run, apply, rollback', async () => {
    const api = await adminApi('beta', betaHost());
    await api('PATCH', '/tenants/settings', { phone_consolidated_experience: false });
    await api('PUT', '/guardian/factors/sms', { enabled: true });
    await api('PUT', '/guardian/factors/phone/message-types', { message_types: ['sms'] });
    const hook = await api('POST', '/actions/actions', { name: 'sms hook', supported_triggers: [{ id: 'send-phone-message', version: 'v2' }], code: HOOK, secrets: [{ name: 'ENDPOINT', value: `${gatewayUrl}?${HOOK_SECRET}` }] });
    await api('POST', `/actions/actions/${hook.id}/deploy`);
    await api('PATCH', '/actions/triggers/send-phone-message/bindings', { bindings: [{ ref: { type: 'action_id', value: hook.id } }] });
    await api('PUT', '/guardian/factors/phone/selected-provider', { provider: 'phone-message-hook' });

    // The MFA page: the banner, and the legacy settings while the tenant-level provider is off.
    await page.goto(`http://${betaHost()}/dashboard/#/security/mfa/phone`);
    await page.getByText('Move to the Unified Phone Experience.').waitFor();
    assert.equal(await page.getByLabel('Custom: the send-phone-message Action').isChecked(), true);
    // The legacy settings are editable while the tenant-level provider is off.
    await page.getByLabel('Verification message').fill('{{code}} is your code for {{tenant.friendly_name}}');
    await page.getByRole('button', { name: 'Save legacy settings' }).click();
    await expectShown(page.getByText('Legacy settings saved.'));
    assert.equal((await api('GET', '/guardian/factors/phone/templates')).verification_message, '{{code}} is your code for {{tenant.friendly_name}}');
    await page.getByRole('link', { name: 'migration wizard' }).click();
    await page.getByRole('heading', { name: 'Security › Multi-factor Auth › Phone migration', exact: true }).waitFor();
    await waitFor('the plan', async () => ((await page.getByTestId('migration-status').textContent().catch(() => '')) === 'legacy' ? true : undefined));
    assert.equal(await page.getByTestId('migration-target').textContent(), 'custom');
    // The original and its translation side by side.
    await page.locator('[data-testid="action-diff"][data-ready="true"]').waitFor();
    const diff = (await page.getByTestId('action-diff').locator('.cm-content').allTextContents()).join('\n');
    assert.match(diff, /onExecuteSendPhoneMessage/);
    assert.match(diff, /onExecuteCustomPhoneProvider/);
    assert.ok((await page.getByTestId('action-diff').locator('.cm-changedLine').count()) > 0, 'the changed lines are marked');
    await page.getByTestId('translation-changes').waitFor();
    await shot('phone-migration-plan');

    // Apply without copying the secrets: refused, with the reason.
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('alert').filter({ hasText: 'phone_migration_secrets_not_confirmed' }).waitFor();
    await page.getByLabel('Copy these secrets into the new Action').check();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('heading', { name: 'Dry run: the changes apply would make' }).waitFor();
    const dry = (await page.getByTestId('migration-changes').textContent()) ?? '';
    assert.match(dry, /phone_consolidated_experience|tenant/);
    assert.ok(!dry.includes(HOOK_SECRET), 'a secret value is shown in the dry run');
    const betaId = await tenantId('beta');
    assert.equal((await env.c.repos.tenants.findByName('beta'))!.phoneConsolidatedExperience, false, 'the dry run changed the tenant');
    assert.equal(await env.c.repos.phoneProviders.getForTenant(betaId), undefined);
    await shot('phone-migration-dry-run');

    await page.getByRole('button', { name: 'Apply migration' }).click();
    await page.getByRole('heading', { name: 'Applied', exact: true }).waitFor();
    await waitFor('the plan to say migrated', async () => ((await page.getByTestId('migration-status').textContent()) === 'migrated' ? true : undefined));
    assert.equal((await env.c.repos.tenants.findByName('beta'))!.phoneConsolidatedExperience, true);
    assert.equal((await env.c.repos.phoneProviders.getForTenant(betaId))?.name, 'custom');
    await shot('phone-migration-applied');

    // A template the migration wrote is edited: the rollback says so, and rolls back only when told to.
    const written = await env.c.repos.phoneTemplates.getByType(betaId, 'otp_verify');
    await api('PATCH', `/branding/phone/templates/${written!.id}`, { content: { body: { text: 'Edited {{ code }}' } } });
    await page.getByRole('button', { name: 'Roll back', exact: true }).click();
    await expectShown(page.getByText('Something the migration created was changed since.'));
    assert.equal((await env.c.repos.tenants.findByName('beta'))!.phoneConsolidatedExperience, true, 'refused, nothing rolled back');
    await page.getByRole('button', { name: 'Roll back anyway' }).click();
    await page.getByRole('heading', { name: 'Rolled back', exact: true }).waitFor();
    await waitFor('the plan to say legacy again', async () => ((await page.getByTestId('migration-status').textContent()) === 'legacy' ? true : undefined));
    assert.equal((await env.c.repos.tenants.findByName('beta'))!.phoneConsolidatedExperience, false);
    assert.equal(await env.c.repos.phoneProviders.getForTenant(betaId), undefined);
    const custom = await env.c.actions.service.list(betaId, { triggerId: 'custom-phone-provider' }, { page: 0, perPage: 10 });
    assert.equal(custom.items.length, 0, 'the Action the migration created is gone');
  });

  test('a viewer sees the editors read-only and the API refuses their writes anyway', async () => {
    await page.goto(`${base}/dashboard/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInAs(viewer);
    await page.getByText('Read-only: your role is viewer.').waitFor();
    const code = page.getByRole('textbox', { name: 'Action code (JavaScript)' });
    await code.waitFor();
    assert.equal(await code.getAttribute('contenteditable'), 'false');
    assert.equal(await page.getByRole('button', { name: /^(Deploy|Save|Add secret|Replace|Remove)/ }).count(), 0);
    await shot('viewer-custom-provider');

    await go('Phone Templates', 'Branding › Phone Templates');
    await page.getByRole('button', { name: 'View otp_verify' }).click();
    const text = page.getByRole('textbox', { name: 'Text message (Liquid)' });
    await text.waitFor();
    assert.equal(await text.getAttribute('contenteditable'), 'false');
    // The preview still works: rendering is a read.
    await waitFor('the preview', async () => ((await page.getByTestId('preview-text').textContent().catch(() => ''))?.includes('123456') ? true : undefined));
    assert.equal(await page.getByRole('button', { name: /^(Save|Reset to default|Send test)/ }).count(), 0);

    await go('Phone migration', 'Security › Multi-factor Auth › Phone migration');
    await page.getByTestId('migration-status').waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Dry run|Apply migration|Roll back)/ }).count(), 0);

    const action = (await env.c.actions.service.list(await tenantId('default'), { triggerId: 'custom-phone-provider' }, { page: 0, perPage: 10 })).items[0]!;
    for (const [method, url, body] of [
      ['PATCH', `/actions/actions/${action.id}`, { code: 'exports.onExecuteCustomPhoneProvider = async () => {};' }],
      ['POST', `/actions/actions/${action.id}/deploy`, undefined],
      ['POST', '/phone-migration?dry_run=true', { plan_hash: 'x' }],
      ['PATCH', '/branding/phone/templates/tem_AAAAAAAAAAAAAAAAAAAAAA', { disabled: true }],
    ] as const) {
      const r = await asPage(method, url, body);
      assert.equal(r.status, 403, `${method} ${url}`);
      assert.equal(r.body.errorCode, 'insufficient_scope');
    }
    assert.equal((await asPage('POST', '/branding/phone/templates/render', { type: 'otp_verify' })).status, 200);
  });

  test('at 375 px wide the editor pages still fit', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    for (const [link, ready] of [
      ['Phone Provider', () => page.getByRole('textbox', { name: 'Action code (JavaScript)' })],
      ['Phone Templates', () => page.getByRole('button', { name: 'View otp_verify' })],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await ready().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${link} is ${overflow}px wider than the screen`);
    }
    await page.getByRole('button', { name: 'View otp_verify' }).click();
    await page.getByTestId('preview-text').waitFor();
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0, 'the template editor is wider than the screen');
    await shot('mobile-375-template-editor');
    await page.setViewportSize({ width: 1100, height: 800 });
  });

  test('no Content Security Policy violation on any editor page', () => {
    assert.deepEqual(browser.cspViolations, []);
  });
});
