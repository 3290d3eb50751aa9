import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { decodeJwt, jwtVerify } from 'jose';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The `sms_gateway` kind against a local server speaking Auth0's SMS gateway wire format: a JSON
 * POST of `{recipient, body, sender, req}` with an optional HS256 bearer token, judged by status.
 */

const SECRET = `gw-secret-${randomBytes(12).toString('hex')}`;
/** Key bytes that are not valid UTF-8 text: only the decoded form verifies. */
const KEY_BYTES = randomBytes(32);
const SECRET_B64 = KEY_BYTES.toString('base64url');
const P = '/api/v2/branding/phone/providers';
const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';

interface Received {
  path: string;
  contentType: string | undefined;
  auth: string | undefined;
  body: Record<string, unknown>;
}

/** The gateway: records every request; answers 200 unless a status was scripted for the next ones. */
async function startGateway() {
  const received: Received[] = [];
  const script: Array<{ status: number; retryAfter?: string; delayMs?: number }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      const next = script.shift();
      if (next?.delayMs) {
        setTimeout(() => res.writeHead(next.status).end(), next.delayMs);
        return;
      }
      if (next) {
        res.writeHead(next.status, next.retryAfter ? { 'retry-after': next.retryAfter } : {}).end('{"error":"no"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `gw_${received.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    received,
    script,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const gateway = await startGateway();
after(() => gateway.close());

const AUTH = { method: 'bearer', subject: 'urn:Auth0', audience: 'urn:MySmsGateway' };

describeEachDialect(
  'delivery through an SMS gateway (sms_gateway kind, local gateway)',
  (env) => {
    const e = (): TestEnv => env();
    let token: string;
    let providerId: string;
    const timeline = async (id: string) => (await e().api('GET', `/api/v2/phone/notifications/${id}`, { token })).json();
    const final = (id: string) =>
      waitFor(`notification ${id} to settle`, async () => {
        const n = await timeline(id);
        return ['sent', 'delivered', 'undelivered', 'failed'].includes(n.status) ? n : undefined;
      });
    const tryProvider = async (to: string, headers: Record<string, string> = {}) => {
      const res = await e().api('POST', `${P}/${providerId}/try`, { token, body: { to }, headers });
      assert.equal(res.statusCode, 202, res.body);
      return res.json().notification_id as string;
    };
    const sendsTo = (to: string) => gateway.received.filter((r) => r.body['recipient'] === to);
    const assertBad = async (body: unknown, message: RegExp) => {
      const r = await e().api('POST', P, { token, body });
      assert.equal(r.statusCode, 400, r.body);
      const b = r.json();
      assert.deepEqual(Object.keys(b).sort(), ['error', 'errorCode', 'message', 'statusCode']);
      assert.equal(b.statusCode, 400);
      assert.equal(b.error, 'Bad Request');
      assert.match(b.message, message);
    };

    test('the provider API takes sms_gateway: its keys and rules; the secret is never returned', async () => {
      token = await e().token();
      gateway.received.length = 0; // one gateway for both dialects' runs
      e().neverReveal.add(SECRET);
      e().neverReveal.add(SECRET_B64);
      const cfg = { gateway_url: gateway.url, default_from: '+14155550100', gateway_authentication: AUTH, delivery_methods: ['text'] };
      await assertBad({ name: 'sms_gateway', configuration: { delivery_methods: ['text'] }, credentials: {} }, /sms_gateway needs configuration\.gateway_url/);
      await assertBad({ name: 'sms_gateway', configuration: { ...cfg, delivery_methods: ['text', 'voice'] }, credentials: { secret: SECRET } }, /sms_gateway cannot deliver by voice/);
      await assertBad({ name: 'sms_gateway', configuration: cfg, credentials: {} }, /sms_gateway needs credentials\.secret with gateway_authentication/);
      await assertBad({ name: 'sms_gateway', configuration: { ...cfg, gateway_url: 'http://gateway.example/sms' }, credentials: { secret: SECRET } }, /must be an https URL/);
      await assertBad({ name: 'sms_gateway', configuration: { ...cfg, sender: 'Unifone' }, credentials: { secret: SECRET } }, /at most one of default_from or sender/);
      // Auth0 keeps the secret in gateway_authentication; here it is a credential, and the configuration stays strict.
      await assertBad({ name: 'sms_gateway', configuration: { ...cfg, gateway_authentication: { ...AUTH, secret: SECRET } }, credentials: {} }, /./);
      await assertBad({ name: 'sms_gateway', configuration: { ...cfg, gateway_authentication: { ...AUTH, method: 'basic' } }, credentials: { secret: SECRET } }, /./);

      const created = await e().api('POST', P, { token, body: { name: 'sms_gateway', configuration: cfg, credentials: { secret: SECRET } } });
      assert.equal(created.statusCode, 201, created.body);
      providerId = created.json().id;
      assert.equal(created.json().name, 'sms_gateway');
      assert.equal(created.json().credentials, undefined);
      assert.deepEqual(created.json().configuration, { default_from: '+14155550100', gateway_url: gateway.url, gateway_authentication: AUTH, delivery_methods: ['text'] });
      const listed = (await e().api('GET', P, { token })).json();
      assert.equal(listed.providers[0].credentials, null);
      assert.equal(listed.providers[0].name, 'sms_gateway');
    });

    test('a test send posts Auth0\'s JSON body with a bearer JWT signed with the secret', async () => {
      const to = '+14155552681';
      const id = await tryProvider(to);
      const n = await final(id);
      assert.equal(n.status, 'sent', JSON.stringify(n));
      assert.equal(n.provider, 'sms_gateway');
      const [req, ...more] = sendsTo(to);
      assert.equal(more.length, 0);
      assert.equal(req!.path, '/sms');
      assert.match(req!.contentType!, /^application\/json/);
      assert.deepEqual(Object.keys(req!.body), ['recipient', 'body', 'sender']);
      assert.equal(req!.body['sender'], '+14155550100');
      assert.match(String(req!.body['body']), /^\d{6} is your verification code for default$/);
      assert.equal(n.provider_message_id, `gw_${gateway.received.indexOf(req!) + 1}`, 'the id of a JSON answer names the message');
      const jwt = /^Bearer (.+)$/.exec(req!.auth ?? '')![1]!;
      e().neverReveal.add(jwt);
      const { payload, protectedHeader } = await jwtVerify(jwt, new TextEncoder().encode(SECRET), { audience: AUTH.audience, subject: AUTH.subject, algorithms: ['HS256'] });
      assert.equal(protectedHeader.alg, 'HS256');
      assert.equal(payload.exp! - payload.iat!, 60);
      assert.equal(payload.req, undefined);
    });

    test('secret_base64_encoded signs with the decoded key; forward_req_info adds the request\'s ip and user agent; an alphanumeric sender', async () => {
      const patched = await e().api('PATCH', `${P}/${providerId}`, {
        token,
        body: {
          configuration: { gateway_url: gateway.url, sender: 'Unifone', gateway_authentication: { ...AUTH, secret_base64_encoded: true }, forward_req_info: true, delivery_methods: ['text'] },
          credentials: { secret: SECRET_B64 },
        },
      });
      assert.equal(patched.statusCode, 200, patched.body);
      const to = '+14155552682';
      assert.equal((await final(await tryProvider(to, { 'user-agent': 'gateway-test/1.0' }))).status, 'sent');
      const req = sendsTo(to)[0]!;
      assert.deepEqual(Object.keys(req.body), ['recipient', 'body', 'sender', 'req']);
      assert.equal(req.body['sender'], 'Unifone');
      assert.deepEqual(req.body['req'], { ip: '127.0.0.1', 'user-agent': 'gateway-test/1.0' });
      const jwt = req.auth!.slice('Bearer '.length);
      e().neverReveal.add(jwt);
      const { payload } = await jwtVerify(jwt, new Uint8Array(KEY_BYTES), { audience: AUTH.audience, subject: AUTH.subject });
      assert.equal(payload.sub, 'urn:Auth0');
      await assert.rejects(jwtVerify(jwt, new TextEncoder().encode(SECRET_B64)), 'the text of the secret is not the key');
      await assertBad({ name: 'sms_gateway', configuration: { gateway_url: gateway.url, gateway_authentication: { ...AUTH, secret_base64_encoded: true }, delivery_methods: ['text'] }, credentials: { secret: 'not base64!' } }, /must be base64url/);
    });

    test('a 401 from the gateway fails the notification at once, worded as Auth0 words it', async () => {
      gateway.script.push({ status: 401 });
      const to = '+14155552683';
      const n = await final(await tryProvider(to));
      assert.equal(n.status, 'failed');
      assert.equal(n.attempts.length, 1);
      assert.equal(n.error_code, 'http_401');
      assert.equal(n.last_error, 'Authentication failed while calling the SMS gateway: 401');
      assert.equal(n.attempts[0].reason, 'Authentication failed while calling the SMS gateway: 401');
      gateway.script.push({ status: 422 });
      const other = await final(await tryProvider('+14155552684'));
      assert.equal(other.status, 'failed');
      assert.equal(other.attempts.length, 1);
      assert.equal(other.error_code, 'http_422');
      assert.match(other.last_error, /422/);
    });

    test('a 503 is retried after its Retry-After, under the same notification', async () => {
      gateway.script.push({ status: 503, retryAfter: '1' });
      const to = '+14155552685';
      const n = await final(await tryProvider(to));
      assert.equal(n.status, 'sent', JSON.stringify(n));
      assert.deepEqual(n.attempts.map((a: { outcome: string }) => a.outcome), ['retry', 'sent']);
      assert.equal(n.attempts[0].error_code, 'http_503');
      assert.ok(Date.parse(n.attempts[1].started_at) - Date.parse(n.attempts[0].started_at) >= 1000, 'Retry-After: 1 is honoured');
      assert.equal(sendsTo(to).length, 2);
    });

    test('a gateway that does not answer in time is retried; so is one that refuses the connection', async () => {
      gateway.script.push({ status: 200, delayMs: 800 });
      const slow = await final(await tryProvider('+14155552688'));
      assert.equal(slow.status, 'sent', JSON.stringify(slow));
      assert.deepEqual(slow.attempts.map((a: { outcome: string; error_code: string | null }) => [a.outcome, a.error_code]), [['retry', 'timeout'], ['sent', null]]);
      assert.equal(slow.attempts[0].reason, 'The SMS gateway did not answer within 300 ms');

      // Nothing listens here any more: a refused connection is a network error, retried like a timeout.
      const gone = http.createServer();
      await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/sms`;
      await new Promise<void>((r) => gone.close(() => r()));
      const patched = await e().api('PATCH', `${P}/${providerId}`, { token, body: { configuration: { gateway_url: url, delivery_methods: ['text'] } } });
      assert.equal(patched.statusCode, 200, patched.body);
      const id = await tryProvider('+14155552686');
      const n = await waitFor('the attempts to run out', async () => {
        const t = await timeline(id);
        return t.status === 'failed' ? t : undefined;
      });
      assert.ok(n.attempts.length > 1);
      assert.ok(n.attempts.every((a: { error_code: string }) => a.error_code === 'network_error'));
      assert.match(n.attempts[0].reason, /^Could not reach the SMS gateway: /);
      const back = await e().api('PATCH', `${P}/${providerId}`, { token, body: { configuration: { gateway_url: gateway.url, gateway_authentication: AUTH, delivery_methods: ['text'] }, credentials: { secret: SECRET } } });
      assert.equal(back.statusCode, 200, back.body);
    });

    test('passwordless: /passwordless/start sends the code to the gateway; the code logs in', async () => {
      const res = await e().api('POST', '/api/v2/clients', {
        token,
        body: { name: 'Gateway App', app_type: 'regular_web', grant_types: [OTP_GRANT] },
      });
      assert.equal(res.statusCode, 201, res.body);
      const app = { clientId: res.json().client_id as string, clientSecret: res.json().client_secret as string };
      const tenant = (await e().c.repos.tenants.findByName('default'))!;
      await e().c.identity.directory.connections.enableClient({ id: tenant.id }, app.clientId);
      const to = '+14155552687';
      const started = await e().api('POST', '/passwordless/start', { body: { client_id: app.clientId, client_secret: app.clientSecret, connection: 'sms', phone_number: to, send: 'code' } });
      assert.equal(started.statusCode, 200, started.body);
      const req = await waitFor('the code at the gateway', () => sendsTo(to)[0]);
      e().neverReveal.add(req.auth!.slice('Bearer '.length));
      await jwtVerify(req.auth!.slice('Bearer '.length), new TextEncoder().encode(SECRET), { audience: AUTH.audience, subject: AUTH.subject });
      const code = /\b(\d{6})\b/.exec(String(req.body['body']))![1]!;
      const login = await e().api('POST', '/oauth/token', { body: { grant_type: OTP_GRANT, client_id: app.clientId, client_secret: app.clientSecret, username: to, otp: code, realm: 'sms' } });
      assert.equal(login.statusCode, 200, login.body);
      assert.equal(decodeJwt(login.json().id_token)['phone_number'], to);
    });
  },
  {
    SMS_GATEWAY_ALLOW_PRIVATE_NETWORK: 'true',
    SMS_GATEWAY_TIMEOUT_MS: '300',
    NOTIFY_RETRY_BASE_MS: '20',
    NOTIFY_RETRY_MAX_MS: '200',
    NOTIFY_MAX_ATTEMPTS: '3',
    DISPATCHER_POLL_MS: '50',
  },
);

describeEachDialect(
  'an SMS gateway on an internal address is refused by default (SMS_GATEWAY_ALLOW_PRIVATE_NETWORK unset)',
  (env) => {
    test('an address in gateway_url is refused at save; a host name that resolves to one fails the send, not retried, and nothing leaves', async () => {
      const token = await env().token();
      const base = { default_from: '+14155550100', delivery_methods: ['text'] };
      const refused = await env().api('POST', P, { token, body: { name: 'sms_gateway', configuration: { ...base, gateway_url: 'https://10.1.2.3/sms' }, credentials: {} } });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().errorCode, 'bad_phone_provider_configuration');
      // `localhost` is a name: it passes the save-time check and is refused when the connection is made.
      const port = new URL(gateway.url).port;
      const created = await env().api('POST', P, { token, body: { name: 'sms_gateway', configuration: { ...base, gateway_url: `https://localhost:${port}/sms` }, credentials: {} } });
      assert.equal(created.statusCode, 201, created.body);
      const before = gateway.received.length;
      const to = '+14155552699';
      const sent = await env().api('POST', `${P}/${created.json().id}/try`, { token, body: { to } });
      assert.equal(sent.statusCode, 202, sent.body);
      const n = await waitFor('the send to fail', async () => {
        const t = (await env().api('GET', `/api/v2/phone/notifications/${sent.json().notification_id}`, { token })).json();
        return t.status === 'failed' ? t : undefined;
      });
      assert.equal(n.error_code, 'egress_denied');
      assert.equal(n.attempt_count, 1, 'not retried');
      assert.equal(gateway.received.length, before, 'nothing reached the gateway');
    });
  },
  { NOTIFY_RETRY_BASE_MS: '20', NOTIFY_MAX_ATTEMPTS: '3' },
);
