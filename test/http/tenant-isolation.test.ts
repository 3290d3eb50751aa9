import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDialect } from '../helpers/harness.js';

describeEachDialect('tenant isolation', (env) => {
  test("tenant B's token can neither read nor change anything of tenant A", async () => {
    const { api } = env();
    const a = await env().token();
    const b = await env().createTenant('tenant-b', 'b.example');
    const asB = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown) =>
      api(method, url, { token: b.token, host: 'b.example', ...(body !== undefined ? { body } : {}) });

    // Tenant A's resources.
    const provider = (
      await api('POST', '/api/v2/branding/phone/providers', {
        token: a,
        body: {
          name: 'twilio',
          configuration: { sid: 'AC0000000000000000000000000000000a', default_from: '+14155552671', delivery_methods: ['text'] },
          credentials: { auth_token: 'tenant-a-auth-token' },
        },
      })
    ).json();
    const template = (
      await api('POST', '/api/v2/branding/phone/templates', { token: a, body: { type: 'otp_verify', content: { body: { text: 'A {{ code }}' } } } })
    ).json();
    const client = (await api('POST', '/api/v2/clients', { token: a, body: { name: 'A app' } })).json();
    const grant = (
      await api('POST', '/api/v2/client-grants', { token: a, body: { client_id: client.client_id, audience: 'https://localhost/api/v2/', scope: ['read:clients'] } })
    ).json();
    assert.equal((await api('PUT', '/api/v2/guardian/factors/sms', { token: a, body: { enabled: true } })).statusCode, 200);
    assert.equal((await api('PATCH', '/api/v2/tenants/settings', { token: a, body: { friendly_name: 'Tenant A' } })).statusCode, 200);
    assert.match(provider.id, /^pro_/);
    assert.match(template.id, /^tem_/);
    assert.match(grant.id, /^cgr_/);

    // B sees none of it.
    assert.deepEqual((await asB('GET', '/api/v2/branding/phone/providers')).json(), { providers: [] });
    const bTemplates = (await asB('GET', '/api/v2/branding/phone/templates')).json().templates as Array<{ id?: string; tenant: string }>;
    assert.ok(bTemplates.every((t) => t.id === undefined && t.tenant === 'tenant-b'));
    assert.ok(!(await asB('GET', '/api/v2/clients')).body.includes(client.client_id));
    assert.deepEqual((await asB('GET', '/api/v2/client-grants')).json().filter((g: { id: string }) => g.id === grant.id), []);
    assert.equal((await asB('GET', '/api/v2/guardian/factors')).json().find((f: { name: string }) => f.name === 'sms').enabled, false);
    assert.notEqual((await asB('GET', '/api/v2/tenants/settings')).json().friendly_name, 'Tenant A');

    // Addressing A's ids from B answers 404 and changes nothing.
    const attempts: Array<[Parameters<typeof asB>[0], string, unknown?]> = [
      ['GET', `/api/v2/branding/phone/providers/${provider.id}`],
      ['PATCH', `/api/v2/branding/phone/providers/${provider.id}`, { disabled: true }],
      ['DELETE', `/api/v2/branding/phone/providers/${provider.id}?force=true`],
      ['GET', `/api/v2/branding/phone/templates/${template.id}`],
      ['PATCH', `/api/v2/branding/phone/templates/${template.id}`, { disabled: true }],
      ['PATCH', `/api/v2/branding/phone/templates/${template.id}/reset`, {}],
      ['DELETE', `/api/v2/branding/phone/templates/${template.id}`],
      ['GET', `/api/v2/clients/${client.client_id}`],
      ['PATCH', `/api/v2/clients/${client.client_id}`, { name: 'stolen' }],
      ['POST', `/api/v2/clients/${client.client_id}/rotate-secret`],
      ['DELETE', `/api/v2/clients/${client.client_id}`],
      ['PATCH', `/api/v2/client-grants/${grant.id}`, { scope: [] }],
      ['DELETE', `/api/v2/client-grants/${grant.id}`],
      ['POST', '/api/v2/client-grants', { client_id: client.client_id, audience: 'https://b.example/api/v2/', scope: ['read:clients'] }],
    ];
    for (const [method, url, body] of attempts) {
      const res = await asB(method, url, body);
      assert.equal(res.statusCode, 404, `${method} ${url} → ${res.statusCode} ${res.body}`);
    }
    // B's token is not valid on A's host at all.
    assert.equal((await api('GET', '/api/v2/branding/phone/providers', { token: b.token })).statusCode, 401);

    // A's data is intact.
    const p = (await api('GET', `/api/v2/branding/phone/providers/${provider.id}`, { token: a })).json();
    assert.equal(p.disabled, false);
    const t = (await api('GET', `/api/v2/branding/phone/templates/${template.id}`, { token: a })).json();
    assert.equal(t.disabled, false);
    assert.equal(t.content.body.text, 'A {{ code }}');
    const cl = (await api('GET', `/api/v2/clients/${client.client_id}`, { token: a })).json();
    assert.equal(cl.name, 'A app');
    assert.equal(cl.client_secret, client.client_secret);
    assert.deepEqual((await api('GET', `/api/v2/client-grants?client_id=${client.client_id}`, { token: a })).json(), [grant]);
  });
});
