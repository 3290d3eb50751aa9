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
  });
}
