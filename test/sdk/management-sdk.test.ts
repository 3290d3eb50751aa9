import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ManagementClient } from 'auth0';
import { Agent, fetch as undiciFetch } from 'undici';
import { createTestEnv, testDialects, type TestEnv } from '../helpers/harness.js';
import { makeSelfSignedCert } from '../helpers/tls.js';

/**
 * The official `auth0` npm client (ManagementClient, client-credentials login) against the server
 * over real HTTPS on localhost. The client always calls https://{domain}; its `fetch` option is given
 * a fetch that trusts the test's self-signed certificate, nothing else is changed.
 */
for (const { dialect, skip } of testDialects()) {
  describe(`auth0 ManagementClient over TLS [${dialect}]`, { skip }, () => {
    let env: TestEnv;
    let client: ManagementClient;
    let tls: ReturnType<typeof makeSelfSignedCert>;
    let agent: Agent;

    before(async () => {
      tls = makeSelfSignedCert();
      env = await createTestEnv(dialect, { TLS_CERT: tls.certFile, TLS_KEY: tls.keyFile });
      await env.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (env.app.server.address() as AddressInfo).port;
      agent = new Agent({ connect: { ca: tls.cert } });
      const trustingFetch = ((url: string | URL | Request, init?: RequestInit) =>
        undiciFetch(url as string, { ...(init as object), dispatcher: agent } as never)) as unknown as typeof fetch;
      client = new ManagementClient({
        domain: `localhost:${port}`,
        clientId: env.bootstrap.clientId,
        clientSecret: env.bootstrap.clientSecret,
        fetch: trustingFetch,
        maxRetries: 0,
      });
    });
    after(async () => {
      await env?.close();
      await agent?.close();
      if (tls) fs.rmSync(tls.dir, { recursive: true, force: true });
    });

    const status = async (p: Promise<unknown>): Promise<number> => {
      try {
        await p;
        return 200;
      } catch (e) {
        return (e as { statusCode: number }).statusCode;
      }
    };

    test('phone providers: list, create, get, update, delete', async () => {
      const empty = await client.branding.phone.providers.list();
      assert.deepEqual(empty.providers, []);
      const created = await client.branding.phone.providers.create({
        name: 'twilio',
        configuration: { sid: 'AC00000000000000000000000000000001', default_from: '+14155552671', delivery_methods: ['text'] },
        credentials: { auth_token: 'sdk-secret-token-1' },
      });
      assert.match(created.id!, /^pro_[A-Za-z0-9]{22}$/);
      assert.equal(created.name, 'twilio');
      assert.equal(created.channel, 'phone');
      assert.equal(created.tenant, 'default');
      assert.equal((created as unknown as Record<string, unknown>)['credentials'], undefined);
      assert.deepEqual(created.configuration, {
        sid: 'AC00000000000000000000000000000001',
        default_from: '+14155552671',
        delivery_methods: ['text'],
      });
      const got = await client.branding.phone.providers.get(created.id!);
      assert.equal(got.id, created.id);
      const updated = await client.branding.phone.providers.update(created.id!, {
        configuration: { sid: 'AC00000000000000000000000000000001', default_from: '+14155552671', delivery_methods: ['text', 'voice'] },
      });
      assert.deepEqual(updated.configuration?.delivery_methods, ['text', 'voice']);
      const listed = await client.branding.phone.providers.list();
      assert.equal(listed.providers?.length, 1);
      assert.equal(listed.providers?.[0]?.id, created.id);
      const second = client.branding.phone.providers.create({
        name: 'twilio',
        configuration: { sid: 'AC1', default_from: '+14155552671', delivery_methods: ['text'] },
        credentials: { auth_token: 'x' },
      });
      assert.equal(await status(second), 409);
      await client.branding.phone.providers.delete(created.id!);
      assert.equal(await status(client.branding.phone.providers.get(created.id!)), 404);
    });

    test('phone templates: list, create, get, update, reset, delete', async () => {
      const defaults = await client.branding.phone.templates.list();
      assert.equal(defaults.templates?.length, 5);
      assert.ok(defaults.templates?.every((t) => t.id === undefined && t.content?.from === ''));
      const created = await client.branding.phone.templates.create({
        type: 'otp_verify',
        disabled: false,
        content: { from: '+14155552671', body: { text: 'Code {{ code }}', voice: 'Your code is {{ code }}' } },
      });
      assert.match(created.id!, /^tem_[A-Za-z0-9]{22}$/);
      assert.equal(created.content?.body?.text, 'Code {{ code }}');
      const got = await client.branding.phone.templates.get(created.id!);
      assert.equal(got.type, 'otp_verify');
      const updated = await client.branding.phone.templates.update(created.id!, { content: { body: { text: 'New {{ code }}' } } });
      assert.equal(updated.content?.body?.text, 'New {{ code }}');
      assert.equal(updated.content?.body?.voice, 'Your code is {{ code }}');
      const reset = await client.branding.phone.templates.reset(created.id!, {});
      assert.equal(reset.id, created.id);
      assert.equal(reset.content?.from, '+14155552671');
      assert.match(reset.content?.body?.text ?? '', /is your verification code for/);
      const listed = await client.branding.phone.templates.list();
      assert.equal(listed.templates?.filter((t) => t.type === 'otp_verify').length, 1);
      assert.equal(listed.templates?.find((t) => t.type === 'otp_verify')?.id, created.id);
      await client.branding.phone.templates.delete(created.id!);
      assert.equal(await status(client.branding.phone.templates.get(created.id!)), 404);
    });

    test('connections: the sms connection\'s legacy options through create and update; the secrets never come back', async () => {
      const token = 'sdk-legacy-twilio-token-1';
      const secret = 'sdk-legacy-gateway-secret-1';
      env.neverReveal.add(token);
      env.neverReveal.add(secret);
      const tenant = (await env.c.repos.tenants.findByName('default'))!;
      const sms = await env.c.identity.directory.connections.byName(tenant, 'sms');
      assert.ok(sms);
      await client.connections.delete(sms.id);
      const created = await client.connections.create({
        name: 'sms',
        strategy: 'sms',
        options: { provider: 'twilio', twilio_sid: 'AC00000000000000000000000000000003', twilio_token: token, from: '+14155552671', syntax: 'md_with_macros', template: 'Code @@password@@' },
      });
      assert.equal(created.strategy, 'sms');
      const options = created.options as Record<string, unknown>;
      assert.equal(options['provider'], 'twilio');
      assert.equal(options['twilio_sid'], 'AC00000000000000000000000000000003');
      assert.equal(options['template'], 'Code @@password@@');
      assert.equal(options['twilio_token'], undefined);
      const updated = await client.connections.update(created.id!, {
        options: { ...options, provider: 'sms_gateway', gateway_url: 'https://gateway.example/sms', gateway_authentication: { method: 'bearer', subject: 'urn:Auth0', audience: 'urn:gw', secret } },
      });
      const after = updated.options as Record<string, unknown>;
      assert.equal(after['provider'], 'sms_gateway');
      assert.deepEqual(after['gateway_authentication'], { method: 'bearer', subject: 'urn:Auth0', audience: 'urn:gw' });
      assert.equal(JSON.stringify(await client.connections.get(created.id!)).includes('_sealed'), false);
      const bad = client.connections.update(created.id!, { options: { ...after, syntax: 'handlebars' } });
      assert.equal(await status(bad), 400);
      // The stored secrets survived the update that did not repeat the token.
      const stored = (await env.c.repos.connections.get(tenant.id, created.id!))!.options as unknown as Record<string, string>;
      assert.equal(env.c.box.open(stored['twilio_token_sealed']!, 'legacy_sms_twilio_token'), token);
      assert.equal(env.c.box.open(stored['gateway_secret_sealed']!, 'legacy_sms_gateway_secret'), secret);
    });

    test('guardian factors, phone message types (with the 409) and tenant settings', async () => {
      const settings = await client.tenants.settings.get();
      assert.equal(settings.phone_consolidated_experience, true);
      const changed = await client.tenants.settings.update({ friendly_name: 'Acme Phones', support_email: 'help@acme.example' });
      assert.equal(changed.friendly_name, 'Acme Phones');
      assert.equal((await client.tenants.settings.get()).support_email, 'help@acme.example');

      await client.branding.phone.providers.create({
        name: 'twilio',
        configuration: { sid: 'AC00000000000000000000000000000002', default_from: '+14155552671', delivery_methods: ['text'] },
        credentials: { auth_token: 'sdk-secret-token-2' },
      });
      const factors = await client.guardian.factors.list();
      assert.ok(factors.some((f) => f.name === 'sms' && f.enabled === false));
      const set = await client.guardian.factors.set('sms', { enabled: true });
      assert.equal(set.enabled, true);
      assert.ok((await client.guardian.factors.list()).some((f) => f.name === 'sms' && f.enabled === true));

      assert.deepEqual((await client.guardian.factors.phone.setMessageTypes({ message_types: ['sms'] })).message_types, ['sms']);
      assert.deepEqual((await client.guardian.factors.phone.getMessageTypes()).message_types, ['sms']);
      // The provider delivers text only, so voice MFA would have no way to reach the user.
      assert.equal(await status(client.guardian.factors.phone.setMessageTypes({ message_types: ['sms', 'voice'] })), 409);
      assert.deepEqual((await client.guardian.factors.phone.getMessageTypes()).message_types, ['sms']);
    });

    test("list calls with Auth0's paging parameters: clients, connections (checkpoint), client grants, resource servers, actions", async () => {
      const created = await client.clients.create({ name: 'sdk-list-app', app_type: 'spa', web_origins: ['https://sdk.example'], oidc_conformant: true });
      assert.deepEqual(created.web_origins, ['https://sdk.example']);
      const page = await client.clients.list({ include_totals: true, is_global: false, page: 0, per_page: 50 });
      assert.ok(page.data.some((c) => c.client_id === created.client_id));
      assert.equal((page.response as { total?: number }).total, page.data.length);
      const spas = await client.clients.list({ app_type: 'spa', fields: 'client_id,app_type' });
      assert.deepEqual(spas.data.map((c) => Object.keys(c).sort()), [['app_type', 'client_id']]);

      // The SDK sends include_totals=true&take=50 and follows `next`: every connection once.
      const ids: string[] = [];
      for await (const c of await client.connections.list({ take: 1 })) ids.push(c.id!);
      assert.ok(ids.length >= 2);
      assert.equal(new Set(ids).size, ids.length);

      const grants = await client.clientGrants.list({ client_id: env.bootstrap.clientId });
      assert.equal(grants.data.length, 1);
      assert.equal(grants.data[0]!.audience, env.bootstrap.audience);

      const api = await client.resourceServers.create({ identifier: 'https://sdk-api.example', name: 'SDK API', scopes: [{ value: 'read:x' }] });
      const apis = await client.resourceServers.list({ include_totals: true });
      assert.deepEqual(apis.data.filter((r) => !r.is_system).map((r) => r.identifier), ['https://sdk-api.example']);
      // The Management API, as addressed by the request (the SDK calls localhost:{port}).
      assert.match(apis.data.find((r) => r.is_system)!.identifier!, /^https:\/\/localhost:\d+\/api\/v2\/$/);
      await client.resourceServers.delete(api.id!);

      const actions = await client.actions.list({ page: 0, per_page: 10 });
      assert.deepEqual(actions.data, []);
      });

    test('what a phone migration created (provider, templates, Action and its binding) is managed by the SDK', async () => {
      // The tenant left by the test above (a Twilio provider, MFA on) goes back to a legacy hook.
      await client.tenants.settings.update({ phone_consolidated_experience: false });
      const token = await env.token();
      const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) => {
        const res = await env.api(method, url, { token, ...(body !== undefined ? { body } : {}) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
        return res.json();
      };
      const hook = await call('POST', '/api/v2/actions/actions', {
        name: 'legacy hook',
        supported_triggers: [{ id: 'send-phone-message', version: 'v2' }],
        code: "exports.onExecuteSendPhoneMessage = async (event) => { await fetch(event.secrets.URL, { method: 'POST', body: event.message_options.text }); };",
        secrets: [{ name: 'URL', value: 'https://sms.example/send' }],
      });
      await call('POST', `/api/v2/actions/actions/${hook.id}/deploy`);
      await call('PATCH', '/api/v2/actions/triggers/send-phone-message/bindings', { bindings: [{ ref: { type: 'action_id', value: hook.id } }] });
      await call('PUT', '/api/v2/guardian/factors/phone/selected-provider', { provider: 'phone-message-hook' });
      await call('PUT', '/api/v2/guardian/factors/sms', { enabled: true });
      // Passwordless through the connection's own provider (set by a test above) would be a second provider.
      const sms = (await call('GET', '/api/v2/connections?strategy=sms')).find((c: { name: string }) => c.name === 'sms');
      await call('PATCH', `/api/v2/connections/${sms.id}`, { options: { provider: null } });
      const plan = await call('GET', '/api/v2/phone-migration');
      assert.equal(plan.target?.kind, 'custom', JSON.stringify(plan.blockers));
      await call('POST', '/api/v2/phone-migration', { plan_hash: plan.plan_hash, copy_secrets: true });

      const providers = (await client.branding.phone.providers.list()).providers ?? [];
      assert.deepEqual(providers.map((p) => p.name), ['custom']);
      const verify = ((await client.branding.phone.templates.list()).templates ?? []).find((t) => t.type === 'otp_verify');
      assert.equal(verify?.content?.body?.text, '{{code}} is your verification code for {{friendly_name}}', 'the Guardian default, in the UPE variables');
      const actions = [];
      for await (const a of await client.actions.list({ triggerId: 'custom-phone-provider' })) actions.push(a);
      assert.equal(actions.length, 1);
      const migrated = actions[0]!;
      assert.deepEqual(migrated.secrets?.map((x) => x.name), ['URL'], 'copied as asked, values never shown');
      const bindings = await client.actions.triggers.bindings.list('custom-phone-provider');
      const bound = [];
      for await (const b of bindings) bound.push(b);
      assert.deepEqual(bound.map((b) => b.action?.id), [migrated.id]);
      const edited = await client.actions.update(migrated.id!, { code: `${(await client.actions.get(migrated.id!)).code}\n// reviewed\n` });
      assert.match(edited.code ?? '', /reviewed/);
      await client.actions.deploy(migrated.id!);
      // The Action changed since apply: the rollback asks for force, then restores the Twilio provider.
      assert.equal((await env.api('DELETE', '/api/v2/phone-migration', { token })).statusCode, 409);
      await call('DELETE', '/api/v2/phone-migration?force=true');
      assert.deepEqual(((await client.branding.phone.providers.list()).providers ?? []).map((p) => p.name), ['twilio']);
      assert.equal((await client.tenants.settings.get()).phone_consolidated_experience, false);
      assert.equal(await status(client.actions.get(migrated.id!)), 404);
    });
  });
}
