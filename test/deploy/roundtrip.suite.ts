import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_HOST, describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { listenForTool, readTenant, toolConfig, type DeployTool, type ToolAuth } from './helpers.js';

/**
 * Auth0's Deploy CLI against unifone: `a0deploy export` of a tenant holding the whole phone
 * configuration, then `a0deploy import` of that export into a fresh tenant, in YAML and directory
 * formats, reproduces it (compared through the Management API); a second import changes nothing.
 */

/** The target tenants' addresses (in the test certificate). */
export const ROUND_TRIP_IPS = ['127.0.0.2', '127.0.0.3'];

const ACTION_CODE = `/** Sends through the tenant's SMS gateway. */
exports.onExecuteCustomPhoneProvider = async (event, api) => {
  const text = event.notification.as_text;
  console.log('sending', text.length);
};
`;

/** The source tenant's whole phone configuration, set through the Management API. */
async function configureSource(e: TestEnv, token: string): Promise<void> {
  const ok = async (method: 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown) => {
    const res = await e.api(method, url, { token, ...(body !== undefined ? { body } : {}) });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  await ok('PATCH', '/api/v2/tenants/settings', {
    friendly_name: 'Phone Co',
    support_email: 'help@phone.example',
    support_url: 'https://phone.example/help',
    enabled_locales: ['en', 'fr'],
    session_lifetime: 72,
    flags: { enable_client_connections: false },
  });
  const action = await ok('POST', '/api/v2/actions/actions', {
    name: 'sms-gateway',
    supported_triggers: [{ id: 'custom-phone-provider', version: 'v1' }],
    code: ACTION_CODE,
    runtime: 'node22',
  });
  await ok('POST', `/api/v2/actions/actions/${action.id}/deploy`);
  await ok('POST', '/api/v2/branding/phone/providers', { name: 'custom', configuration: { delivery_methods: ['text', 'voice'] }, credentials: {} });
  const templates = (await ok('POST', '/api/v2/branding/phone/templates', {
    type: 'otp_verify',
    content: { from: '+14155550100', body: { text: '{{ code }} is your Phone Co code', voice: 'Your Phone Co code is {{ code }}' } },
  })) as { id: string };
  await ok('PATCH', `/api/v2/branding/phone/templates/${templates.id}`, { content: { body: { text: '{{ code }} is your {{ friendly_name }} code' } } });
  await ok('POST', '/api/v2/branding/phone/templates', { type: 'otp_enroll', content: { body: { text: 'Enroll with {{ code }}', voice: 'Enroll with {{ code }}' } } });
  await ok('POST', '/api/v2/branding/phone/templates', { type: 'blocked_account', disabled: true, content: { body: { text: 'Blocked: {{ user.source_ip }}', voice: 'Blocked' } } });
  await ok('PUT', '/api/v2/guardian/factors/sms', { enabled: true });
  await ok('PUT', '/api/v2/guardian/factors/otp', { enabled: true });
  await ok('PUT', '/api/v2/guardian/factors/phone/message-types', { message_types: ['sms', 'voice'] });
  await ok('PUT', '/api/v2/guardian/policies', ['all-applications']);

  const web = await ok('POST', '/api/v2/clients', {
    name: 'Phone Web',
    description: 'The web login',
    app_type: 'regular_web',
    grant_types: ['password', 'http://auth0.com/oauth/grant-type/password-realm', 'http://auth0.com/oauth/grant-type/mfa-oob', 'refresh_token'],
    callbacks: ['https://web.phone.example/callback'],
    allowed_logout_urls: ['https://web.phone.example'],
    web_origins: ['https://web.phone.example'],
    jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 36000, secret_encoded: false },
    oidc_conformant: true,
    client_metadata: { team: 'phones' },
    refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0, token_lifetime: 2592000, infinite_token_lifetime: false, idle_token_lifetime: 1296000, infinite_idle_token_lifetime: false },
  });
  await ok('POST', '/api/v2/clients', {
    name: 'Phone SPA',
    app_type: 'spa',
    token_endpoint_auth_method: 'none',
    grant_types: ['http://auth0.com/oauth/grant-type/passwordless/otp', 'refresh_token'],
    callbacks: ['https://spa.phone.example'],
    allowed_origins: ['https://spa.phone.example'],
  });
  const m2m = await ok('POST', '/api/v2/clients', { name: 'Phone Backend', app_type: 'non_interactive', grant_types: ['client_credentials'] });
  await ok('POST', '/api/v2/resource-servers', {
    identifier: 'https://api.phone.example',
    name: 'Phone API',
    scopes: [{ value: 'read:calls', description: 'Read calls' }, { value: 'write:calls', description: 'Place calls' }],
    token_lifetime: 3600,
    allow_offline_access: true,
  });
  await ok('POST', '/api/v2/client-grants', { client_id: m2m.client_id, audience: 'https://api.phone.example', scope: ['read:calls'] });

  const conns = (await ok('GET' as 'POST', '/api/v2/connections')) as Array<{ id: string; name: string }>;
  const db = conns.find((c) => c.name === 'Username-Password-Authentication')!;
  await ok('PATCH', `/api/v2/connections/${db.id}`, {
    options: { identifiers: ['email', 'phone_number'], password_min_length: 10, brute_force_threshold: 5 },
    enabled_clients: [web.client_id],
  });
  const sms = conns.find((c) => c.name === 'sms')!;
  await ok('PATCH', `/api/v2/connections/${sms.id}`, { options: { totp: { length: 6, time_step: 300 }, disable_signup: true } });
}

/** Registers the round trip, on every dialect, run with `tool` (test/deploy/deploy-cli.test.ts). */
export function roundTripSuite(tool: DeployTool): void {
  /** One command of the tool, which must succeed. */
  async function a0deploy(command: 'export' | 'import', options: Record<string, string>, auth: ToolAuth): Promise<void> {
    const r = await tool.a0().run(command, options, toolConfig(auth));
    assert.ok(r.ok, `a0deploy ${command} ${JSON.stringify(options)}:\n${r.output}`);
  }

  describeEachDialect(
    'Deploy CLI round trip',
    (env) => {
      let e: TestEnv;
      let s: Awaited<ReturnType<typeof listenForTool>>;
      let source: ToolAuth;
      let sourceView: unknown;
      before(async () => {
        e = env();
        const token = await e.token();
        await configureSource(e, token);
        s = await listenForTool(e, ROUND_TRIP_IPS);
        source = { domain: s.domain(DEFAULT_HOST), clientId: e.bootstrap.clientId, clientSecret: e.bootstrap.clientSecret };
        sourceView = await readTenant(e, DEFAULT_HOST, token);
      });
      after(() => s?.close());

      for (const format of ['yaml', 'directory'] as const) {
        test(`${format}: export, import into a fresh tenant, import again`, async () => {
          const out = path.join(tool.work, `${e.dialect}-${format}`);
          await a0deploy('export', { format, output_folder: out }, source);
          const input = format === 'yaml' ? path.join(out, 'tenant.yaml') : out;
          const ip = format === 'yaml' ? ROUND_TRIP_IPS[0]! : ROUND_TRIP_IPS[1]!;
          const t = await e.createTenant(`deploy-${format}`, ip);
          const target: ToolAuth = { domain: s.at(ip), ...t.client };
          await a0deploy('import', { input_file: input }, target);
          assert.deepEqual(await readTenant(e, ip, t.token), sourceView, 'the import reproduces the source tenant');

          const once = await readTenant(e, ip, t.token, { stable: true });
          await a0deploy('import', { input_file: input }, target);
          assert.deepEqual(await readTenant(e, ip, t.token, { stable: true }), once, 'a second import changes nothing');
        });
      }
    },
    { TLS_CERT: tool.tls.certFile, TLS_KEY: tool.tls.keyFile },
  );
}
