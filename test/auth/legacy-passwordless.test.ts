import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { jwtVerify } from 'jose';
import { twilioSignature } from '../../src/adapters/providers/twilio/twilio-signature.js';
import { createContainer, type Container } from '../../src/composition/container.js';
import { loadConfig } from '../../src/config.js';
import { rotateSecrets } from '../../src/domain/keys/rotate-secrets.js';
import {
  LEGACY_PASSWORDLESS_DEFAULT_TEMPLATE,
  legacyPasswordlessAccount,
  renderLegacyPasswordless,
} from '../../src/domain/notifications/legacy-passwordless.js';
import { createLogger } from '../../src/logger.js';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { startTwilioMock, type RecordedRequest } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Auth0's legacy delivery options of the `sms` connection: set through the Management API (secrets
 * write-only, sealed at rest), used by `/passwordless/start` while the tenant is in legacy mode
 * (`phone_consolidated_experience: false`), ignored (with a Warning header) while it is not.
 */

// The tenant's phone provider and the connection's own Twilio account: two accounts, one mock.
const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'tenant-provider-auth-token-1';
const FROM = '+14155550100';
const LEGACY_SID = 'AC77777777777777777777777777777777';
const LEGACY_TOKEN = `legacy-conn-token-${randomBytes(8).toString('hex')}`;
const LEGACY_FROM = '+14155550177';
const MSSID = 'MG00000000000000000000000000000001';
const GW_SECRET = `gw-conn-secret-${randomBytes(12).toString('hex')}`;
const AUTH = { method: 'bearer', subject: 'urn:Auth0', audience: 'urn:LegacyGateway' };
const PUBLIC = 'https://unifone.example';
const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';

const mock = await startTwilioMock({ [SID]: TOKEN, [LEGACY_SID]: LEGACY_TOKEN });
after(() => mock.close());

interface GatewayRequest {
  auth: string | undefined;
  contentType: string | undefined;
  body: Record<string, unknown>;
}
const gatewayReceived: GatewayRequest[] = [];
const gatewayServer = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (d: Buffer) => chunks.push(d));
  req.on('end', () => {
    gatewayReceived.push({ auth: req.headers.authorization, contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((r) => gatewayServer.listen(0, '127.0.0.1', r));
const GATEWAY_URL = `http://127.0.0.1:${(gatewayServer.address() as AddressInfo).port}/sms`;
after(() => new Promise<void>((r) => gatewayServer.close(() => r())));

let seq = 0;
const base = 3000 + Math.floor(Math.random() * 5000);
const phone = () => `+1415${String(base).padStart(4, '0')}${String(++seq).padStart(3, '0')}`;

/** Asserts nothing secret (nor any sealed value) is in the raw JSON of a connection response. */
function assertNoSecrets(raw: string, where: string): void {
  for (const s of [LEGACY_TOKEN, GW_SECRET, 'twilio_token', '_sealed', '"secret"', 'v1.']) assert.equal(raw.includes(s), false, `${where}: ${s} in ${raw}`);
}

function assertAuth0Error(res: { statusCode: number; body: string }, message: RegExp, where: string): void {
  assert.equal(res.statusCode, 400, `${where}: ${res.body}`);
  const b = JSON.parse(res.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(b).sort(), ['error', 'errorCode', 'message', 'statusCode'], where);
  assert.equal(b['statusCode'], 400);
  assert.equal(b['error'], 'Bad Request');
  assert.equal(b['errorCode'], 'invalid_body', where);
  assert.match(String(b['message']), message, where);
}

describeEachDialect(
  'legacy options of the sms connection and legacy-mode passwordless',
  (env) => {
    let e: TestEnv;
    let mgmt: string;
    let app: { clientId: string; clientSecret: string };
    let connId: string;
    let tenantId: string;

    const patchConn = (options: Record<string, unknown>) => e.api('PATCH', `/api/v2/connections/${connId}`, { token: mgmt, body: { options } });
    const storedOptions = async (): Promise<string> =>
      (await e.c.storage.db.selectFrom('connections').select('options').where('id', '=', connId).executeTakeFirstOrThrow()).options;
    const setLegacyMode = async (legacy: boolean) => {
      const r = await e.api('PATCH', '/api/v2/tenants/settings', { token: mgmt, body: { phone_consolidated_experience: !legacy } });
      assert.equal(r.statusCode, 200, r.body);
    };
    const start = async (to: string) => {
      const r = await e.api('POST', '/passwordless/start', {
        body: { client_id: app.clientId, client_secret: app.clientSecret, connection: 'sms', phone_number: to, send: 'code' },
        headers: { 'user-agent': 'legacy-test/1.0' },
      });
      assert.equal(r.statusCode, 200, r.body);
    };
    const login = (to: string, otp: string) =>
      e.api('POST', '/oauth/token', { body: { grant_type: OTP_GRANT, client_id: app.clientId, client_secret: app.clientSecret, username: to, otp, realm: 'sms' } });
    /** The notification of the last code sent to `to`, once final (sent or failed). */
    const notificationTo = async (to: string) => {
      const row = await waitFor(`a notification to ${to}`, async () =>
        e.c.storage.db.selectFrom('notifications').select('id').where('recipient', '=', to).orderBy('created_at', 'desc').executeTakeFirst(),
      );
      return waitFor(`notification to ${to} to settle`, async () => {
        const n = (await e.api('GET', `/api/v2/phone/notifications/${row.id}`, { token: mgmt })).json();
        return ['sent', 'delivered', 'failed'].includes(n.status) ? n : undefined;
      });
    };
    const twilioTo = (to: string): Promise<RecordedRequest> => waitFor(`a Twilio message to ${to}`, async () => mock.requests.find((r) => r.form['To'] === to && r.answered === 201));
    const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)![1]!;

    before(async () => {
      e = env();
      e.neverReveal.add(LEGACY_TOKEN);
      e.neverReveal.add(GW_SECRET);
      mgmt = await e.token();
      tenantId = (await e.c.repos.tenants.findByName('default'))!.id;
      const prov = await e.api('POST', '/api/v2/branding/phone/providers', {
        token: mgmt,
        body: { name: 'twilio', configuration: { sid: SID, default_from: FROM, delivery_methods: ['text'] }, credentials: { auth_token: TOKEN } },
      });
      assert.equal(prov.statusCode, 201, prov.body);
      const c = await e.api('POST', '/api/v2/clients', { token: mgmt, body: { name: 'Legacy App', app_type: 'regular_web', grant_types: [OTP_GRANT] } });
      assert.equal(c.statusCode, 201, c.body);
      app = { clientId: c.json().client_id, clientSecret: c.json().client_secret };
    });

    test('create and PATCH take the legacy options; the secrets are sealed, never returned, kept by a round trip', async () => {
      // The default sms connection is replaced by one created with legacy options.
      const listed = await e.api('GET', '/api/v2/connections?name=sms', { token: mgmt });
      assert.equal(listed.headers['warning'], undefined, 'no legacy options yet, no warning');
      assert.equal((await e.api('DELETE', `/api/v2/connections/${listed.json()[0].id}`, { token: mgmt })).statusCode, 204);
      const created = await e.api('POST', '/api/v2/connections', {
        token: mgmt,
        body: {
          name: 'sms',
          strategy: 'sms',
          enabled_clients: [app.clientId],
          options: { provider: 'twilio', twilio_sid: LEGACY_SID, twilio_token: LEGACY_TOKEN, from: LEGACY_FROM, template: 'Code: @@password@@', syntax: 'md_with_macros' },
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      assertNoSecrets(created.body, 'POST');
      connId = created.json().id;
      assert.deepEqual(created.json().options, {
        totp: { length: 6, time_step: 180 },
        disable_signup: false,
        brute_force_protection: true,
        provider: 'twilio',
        twilio_sid: LEGACY_SID,
        from: LEGACY_FROM,
        template: 'Code: @@password@@',
        syntax: 'md_with_macros',
      });
      // The tenant is on the unified experience: the options are kept, and every response says they are unused.
      for (const res of [created, await e.api('GET', `/api/v2/connections/${connId}`, { token: mgmt }), await e.api('GET', '/api/v2/connections', { token: mgmt })]) {
        assert.match(String(res.headers['warning']), /^299 - ".*not used.*phone_consolidated_experience.*"$/);
        assertNoSecrets(res.body, 'GET');
      }

      const gw = await patchConn({ gateway_url: GATEWAY_URL, gateway_authentication: { ...AUTH, secret: GW_SECRET }, forward_req_info: true });
      assert.equal(gw.statusCode, 200, gw.body);
      assertNoSecrets(gw.body, 'PATCH');
      assert.match(String(gw.headers['warning']), /^299 /);
      assert.deepEqual(gw.json().options.gateway_authentication, AUTH);
      assert.equal(gw.json().options.forward_req_info, true);
      assert.equal(gw.json().options.twilio_sid, LEGACY_SID, 'PATCH merges: omitted keys are kept');

      // Stored sealed, under their own purposes; the row has no plaintext.
      const raw = await storedOptions();
      assert.equal(raw.includes(LEGACY_TOKEN), false);
      assert.equal(raw.includes(GW_SECRET), false);
      const stored = JSON.parse(raw);
      assert.match(stored.twilio_token_sealed, /^v1\./);
      assert.equal(e.c.box.open(stored.twilio_token_sealed, 'legacy_sms_twilio_token'), LEGACY_TOKEN);
      assert.equal(e.c.box.open(stored.gateway_secret_sealed, 'legacy_sms_gateway_secret'), GW_SECRET);
      assert.throws(() => e.c.box.open(stored.twilio_token_sealed, 'phone_provider_credentials'), 'a purpose binds the value');

      // A Deploy-CLI-style round trip: what GET shows, PATCHed back, keeps both secrets.
      const shown = (await e.api('GET', `/api/v2/connections/${connId}`, { token: mgmt })).json();
      const back = await e.api('PATCH', `/api/v2/connections/${connId}`, { token: mgmt, body: { options: shown.options } });
      assert.equal(back.statusCode, 200, back.body);
      assert.deepEqual(back.json().options, shown.options);
      const after = JSON.parse(await storedOptions());
      assert.equal(e.c.box.open(after.twilio_token_sealed, 'legacy_sms_twilio_token'), LEGACY_TOKEN);
      assert.equal(e.c.box.open(after.gateway_secret_sealed, 'legacy_sms_gateway_secret'), GW_SECRET);

      // null removes a key; gateway_authentication: null removes its secret too.
      const cleared = await patchConn({ gateway_url: null, gateway_authentication: null, forward_req_info: null });
      assert.equal(cleared.statusCode, 200, cleared.body);
      for (const k of ['gateway_url', 'gateway_authentication', 'forward_req_info']) assert.equal(k in cleared.json().options, false, k);
      assert.equal(JSON.parse(await storedOptions()).gateway_secret_sealed, undefined);
      assert.equal(JSON.parse(await storedOptions()).twilio_token_sealed !== undefined, true);
    });

    test('bad values are 400 with the Auth0 body, and change nothing', async () => {
      const before = await storedOptions();
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ provider: 'nexmo' }, /provider/],
        [{ twilio_token: '' }, /twilio_token/],
        [{ twilio_sid: 42 }, /twilio_sid/],
        [{ syntax: 'handlebars' }, /syntax/],
        [{ forward_req_info: 'yes' }, /forward_req_info/],
        [{ template: 'x'.repeat(10_001) }, /template/],
        [{ twilio_token_sealed: 'v1.abc' }, /twilio_token_sealed/],
        [{ syntax: 'liquid', template: 'Code {{ code | no_such_filter }}' }, /template is not valid Liquid/],
        [{ gateway_url: 'http://gateway.example/sms' }, /gateway_url must be an https URL/],
        [{ gateway_url: 'https://user:pw@gateway.example/sms' }, /must not carry a user name or password/],
        [{ gateway_url: GATEWAY_URL, gateway_authentication: AUTH }, /gateway_authentication\.secret is required/],
        [{ gateway_url: GATEWAY_URL, gateway_authentication: { ...AUTH, method: 'basic', secret: GW_SECRET } }, /method/],
        [{ gateway_url: GATEWAY_URL, gateway_authentication: { ...AUTH, secret: GW_SECRET, extra: 1 } }, /additional|extra/i],
        [{ gateway_url: GATEWAY_URL, gateway_authentication: { ...AUTH, secret: 'not base64!', secret_base64_encoded: true } }, /base64url/],
      ];
      for (const [options, message] of cases) assertAuth0Error(await patchConn(options), message, JSON.stringify(options).slice(0, 80));
      assert.equal(await storedOptions(), before, 'nothing was written');

      // Options of the sms strategy are refused on a database connection, and the other way round.
      const db = (await e.api('GET', '/api/v2/connections?strategy=auth0', { token: mgmt })).json()[0];
      for (const options of [{ provider: 'twilio' }, { twilio_token: 'abcdefgh' }, { gateway_authentication: { ...AUTH, secret: GW_SECRET } }]) {
        assertAuth0Error(await e.api('PATCH', `/api/v2/connections/${db.id}`, { token: mgmt, body: { options } }), /not supported by the auth0 strategy/, JSON.stringify(options));
      }
      assertAuth0Error(await patchConn({ password_min_length: 10 }), /not supported by the sms strategy/, 'password_min_length');
    });

    test('legacy mode: the code goes out through the connection\'s Twilio account, with its template in both syntaxes', async () => {
      await setLegacyMode(true);
      const to = phone();
      await start(to);
      const req = await twilioTo(to);
      assert.equal(req.accountSid, LEGACY_SID);
      assert.deepEqual(req.auth, { user: LEGACY_SID, password: LEGACY_TOKEN });
      assert.equal(req.form['From'], LEGACY_FROM);
      assert.equal(req.form['MessagingServiceSid'], undefined);
      assert.match(req.form['Body']!, /^Code: \d{6}$/);
      const n = await notificationTo(to);
      assert.equal(n.status, 'sent', JSON.stringify(n));
      assert.equal(n.provider, 'twilio');
      const row = await e.c.storage.db.selectFrom('notifications').select(['channel', 'source']).where('id', '=', n.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { channel: 'legacy', source: 'passwordless' });
      assert.equal(mock.requests.filter((r) => r.form['To'] === to && r.accountSid === SID).length, 0, 'the tenant provider was not used');
      // No response in legacy mode warns: the options are in use.
      assert.equal((await e.api('GET', `/api/v2/connections/${connId}`, { token: mgmt })).headers['warning'], undefined);
      const ok = await login(to, codeIn(req.form['Body']!));
      assert.equal(ok.statusCode, 200, ok.body);

      // Its receipts verify with the connection's token (the message was sent with it), not the tenant provider's.
      const cb = new URL(req.form['StatusCallback']!);
      const params = { AccountSid: LEGACY_SID, MessageSid: n.provider_message_id, To: to, MessageStatus: 'delivered' };
      const receipt = (signWith: string) =>
        e.app.inject({
          method: 'POST',
          url: `${cb.pathname}${cb.search}`,
          headers: { host: 'unifone.example', 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(signWith, cb.href, params) },
          payload: new URLSearchParams(params).toString(),
        });
      assert.equal((await receipt(TOKEN)).statusCode, 403, 'the tenant provider token does not sign it');
      assert.equal((await receipt(LEGACY_TOKEN)).statusCode, 204);
      assert.equal((await e.api('GET', `/api/v2/phone/notifications/${n.id}`, { token: mgmt })).json().status, 'delivered');

      // A Messaging Service and a Liquid template.
      const liquid = await patchConn({
        messaging_service_sid: MSSID,
        syntax: 'liquid',
        template: '{{ application.name }}: {{ code }} ({{ password }}) {{ locale }}/{{ request_language }} {{ application.client_id }}',
      });
      assert.equal(liquid.statusCode, 200, liquid.body);
      const to2 = phone();
      await start(to2);
      const req2 = await twilioTo(to2);
      assert.equal(req2.form['MessagingServiceSid'], MSSID);
      assert.equal(req2.form['From'], undefined, 'a Messaging Service picks the sender');
      const code2 = codeIn(req2.form['Body']!);
      assert.equal(req2.form['Body'], `Legacy App: ${code2} (${code2}) en/en ${app.clientId}`);

      // No template: Auth0's default text, whatever the syntax.
      assert.equal((await patchConn({ template: null, messaging_service_sid: null })).statusCode, 200);
      const to3 = phone();
      await start(to3);
      const req3 = await twilioTo(to3);
      assert.equal(req3.form['From'], LEGACY_FROM);
      assert.match(req3.form['Body']!, /^Your verification code is: \d{6}$/);
    });

    test('legacy mode: the code goes to the connection\'s SMS gateway, with a bearer JWT signed with its secret', async () => {
      const patched = await patchConn({
        provider: 'sms_gateway',
        gateway_url: GATEWAY_URL,
        gateway_authentication: { ...AUTH, secret: GW_SECRET },
        from: 'Unifone',
        forward_req_info: true,
        template: 'Gateway code @@password@@',
        syntax: null,
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assertNoSecrets(patched.body, 'PATCH gateway');
      const to = phone();
      const mark = gatewayReceived.length;
      await start(to);
      const req = await waitFor('the code at the gateway', async () => gatewayReceived.slice(mark).find((r) => r.body['recipient'] === to));
      assert.match(req.contentType!, /^application\/json/);
      assert.deepEqual(Object.keys(req.body), ['recipient', 'body', 'sender', 'req']);
      assert.match(String(req.body['body']), /^Gateway code \d{6}$/);
      assert.equal(req.body['sender'], 'Unifone', 'an alphanumeric from is the sender');
      assert.deepEqual(req.body['req'], { ip: '127.0.0.1', 'user-agent': 'legacy-test/1.0' });
      const jwt = req.auth!.slice('Bearer '.length);
      e.neverReveal.add(jwt);
      const { payload } = await jwtVerify(jwt, new TextEncoder().encode(GW_SECRET), { audience: AUTH.audience, subject: AUTH.subject, algorithms: ['HS256'] });
      assert.equal(payload.sub, AUTH.subject);
      const n = await notificationTo(to);
      assert.equal(n.status, 'sent');
      assert.equal(n.provider, 'sms_gateway');
      assert.equal(mock.requests.filter((r) => r.form['To'] === to).length, 0, 'no Twilio account was used');
      assert.equal((await login(to, codeIn(String(req.body['body'])))).statusCode, 200);

      // An E.164 from is the gateway's sender number; without forward_req_info no req.
      assert.equal((await patchConn({ from: LEGACY_FROM, forward_req_info: false })).statusCode, 200);
      const to2 = phone();
      await start(to2);
      const req2 = await waitFor('the second code at the gateway', async () => gatewayReceived.find((r) => r.body['recipient'] === to2));
      assert.deepEqual(Object.keys(req2.body), ['recipient', 'body', 'sender']);
      assert.equal(req2.body['sender'], LEGACY_FROM);
    });

    test('legacy mode: a misconfigured or provider-less connection fails the notification with the catalogued error', async () => {
      // Twilio without a token: provider_misconfigured, not retried, nothing leaves.
      assert.equal((await patchConn({ provider: 'twilio', twilio_sid: LEGACY_SID, twilio_token: null, from: LEGACY_FROM })).statusCode, 200);
      const to = phone();
      await start(to);
      const n = await notificationTo(to);
      assert.equal(n.status, 'failed', JSON.stringify(n));
      assert.equal(n.error_code, 'provider_misconfigured');
      assert.match(n.last_error, /twilio_token/);
      assert.equal(n.attempts.length, 1);
      // No provider at all: Auth0's own SMS service, which does not exist here.
      assert.equal((await patchConn({ provider: null })).statusCode, 200);
      const to2 = phone();
      await start(to2);
      const n2 = await notificationTo(to2);
      assert.equal(n2.status, 'failed');
      assert.equal(n2.error_code, 'provider_unavailable');
      assert.equal(mock.requests.filter((r) => r.form['To'] === to || r.form['To'] === to2).length, 0);
      assert.equal(gatewayReceived.filter((r) => r.body['recipient'] === to || r.body['recipient'] === to2).length, 0);
    });

    test('unified experience: the tenant provider sends, whatever the connection options say', async () => {
      assert.equal((await patchConn({ provider: 'twilio', twilio_token: LEGACY_TOKEN, template: 'Legacy @@password@@' })).statusCode, 200);
      await setLegacyMode(false);
      const to = phone();
      await start(to);
      const req = await twilioTo(to);
      assert.equal(req.accountSid, SID);
      assert.deepEqual(req.auth, { user: SID, password: TOKEN });
      assert.equal(req.form['From'], FROM);
      assert.match(req.form['Body']!, /^\d{6} is your verification code for default$/, 'the UPE template, not the connection\'s');
      const n = await notificationTo(to);
      const row = await e.c.storage.db.selectFrom('notifications').select('channel').where('id', '=', n.id).executeTakeFirstOrThrow();
      assert.equal(row.channel, 'provider');
      assert.match(String((await e.api('GET', `/api/v2/connections/${connId}`, { token: mgmt })).headers['warning']), /^299 /);
    });

    test('keys rotate re-seals the connection secrets', async () => {
      assert.equal((await patchConn({ gateway_url: GATEWAY_URL, gateway_authentication: { ...AUTH, secret: GW_SECRET } })).statusCode, 200);
      const open = (keys: string): Promise<Container> =>
        createContainer({
          config: loadConfig({
            DATA_DIR: e.dataDir,
            LOG_LEVEL: 'silent',
            DEFAULT_TENANT: 'default',
            DEFAULT_TENANT_DOMAINS: 'localhost',
            ...(e.config.databaseUrl ? { DATABASE_URL: e.config.databaseUrl } : {}),
            UNIFONE_SECRET_KEY: keys,
          }),
          logger: createLogger('silent'),
          storage: e.storageOptions,
        });
      const newKey = randomBytes(32).toString('hex');
      const both = await open(`${newKey},${e.secretKey}`);
      try {
        const report = await rotateSecrets(both.repos, both.box, both.tokenKeys, both.repos.actions);
        assert.deepEqual(report.connectionSecrets, { total: 2, resealed: 2, skipped: 0 });
        const again = await rotateSecrets(both.repos, both.box, both.tokenKeys, both.repos.actions);
        assert.deepEqual(again.connectionSecrets, { total: 2, resealed: 0, skipped: 0 });
      } finally {
        await both.close();
      }
      const onlyNew = await open(newKey);
      try {
        const conn = (await onlyNew.repos.connections.get(tenantId, connId))!;
        const o = conn.options as { twilio_token_sealed: string; gateway_secret_sealed: string };
        assert.equal(onlyNew.box.open(o.twilio_token_sealed, 'legacy_sms_twilio_token'), LEGACY_TOKEN);
        assert.equal(onlyNew.box.open(o.gateway_secret_sealed, 'legacy_sms_gateway_secret'), GW_SECRET);
        assert.throws(() => e.c.box.open(o.twilio_token_sealed, 'legacy_sms_twilio_token'), 'the old key alone no longer opens it');
        // The other options are untouched.
        assert.equal((conn.options as { twilio_sid: string }).twilio_sid, LEGACY_SID);
      } finally {
        await onlyNew.close();
      }
    });
  },
  {
    TWILIO_API_BASE_URL: mock.url,
    PUBLIC_URL: PUBLIC,
    SMS_GATEWAY_ALLOW_PRIVATE_NETWORK: 'true',
    NOTIFY_RETRY_BASE_MS: '20',
    NOTIFY_RETRY_MAX_MS: '200',
    NOTIFY_MAX_ATTEMPTS: '3',
    DISPATCHER_POLL_MS: '50',
  },
);

test('renderLegacyPasswordless: md_with_macros, liquid, the default text', () => {
  const vars = { code: '123456', locale: 'fr', application: { name: 'App', client_id: 'cid' } };
  assert.equal(LEGACY_PASSWORDLESS_DEFAULT_TEMPLATE, 'Your verification code is: @@password@@');
  assert.equal(renderLegacyPasswordless({}, vars), 'Your verification code is: 123456');
  assert.equal(renderLegacyPasswordless({ syntax: 'liquid' }, vars), 'Your verification code is: 123456');
  assert.equal(renderLegacyPasswordless({ template: '@@password@@ / @@password@@ {{ code }}' }, vars), '123456 / 123456 {{ code }}');
  assert.equal(
    renderLegacyPasswordless({ syntax: 'liquid', template: '{{ code }} {{ password }} {{ locale }} {{ request_language }} {{ application.name }} {{ application.client_id }} @@password@@' }, vars, 'unit'),
    '123456 123456 fr fr App cid @@password@@',
  );
});

test('legacyPasswordlessAccount: the kind and account the options name, or undefined when incomplete', () => {
  const sealer = { open: (s: string) => `open(${s})` };
  const base = { totp: { length: 6, time_step: 180 }, disable_signup: false, brute_force_protection: true };
  assert.equal(legacyPasswordlessAccount(base, sealer), undefined);
  assert.equal(legacyPasswordlessAccount({ ...base, provider: 'twilio', twilio_sid: 'AC1', from: '+14155550100' }, sealer), undefined, 'no token');
  assert.deepEqual(legacyPasswordlessAccount({ ...base, provider: 'twilio', twilio_sid: 'AC1', from: '+14155550100', twilio_token_sealed: 't' }, sealer), {
    kind: 'twilio',
    account: { configuration: { sid: 'AC1', default_from: '+14155550100', delivery_methods: ['text'] }, credentials: { auth_token: 'open(t)' } },
  });
  assert.deepEqual(
    legacyPasswordlessAccount({ ...base, provider: 'sms_gateway', gateway_url: 'https://g.example/sms', from: 'Acme', gateway_authentication: { method: 'bearer', subject: 's', audience: 'a' }, gateway_secret_sealed: 'g', forward_req_info: true }, sealer),
    {
      kind: 'sms_gateway',
      account: {
        configuration: { gateway_url: 'https://g.example/sms', sender: 'Acme', gateway_authentication: { method: 'bearer', subject: 's', audience: 'a' }, forward_req_info: true, delivery_methods: ['text'] },
        credentials: { secret: 'open(g)' },
      },
    },
  );
  assert.equal(legacyPasswordlessAccount({ ...base, provider: 'sms_gateway', gateway_url: 'https://g.example/sms', gateway_authentication: { method: 'bearer', subject: 's', audience: 'a' } }, sealer), undefined, 'no secret');
});
