import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { fuzzRoutes, type FuzzContext, type FuzzRequest } from '../helpers/fuzz/requests.js';
import { receivedPath, runFuzz, sampleRequests, summarize, type Secret } from '../helpers/fuzz/run.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';
import { enableMfa, setupTenant, SID, TWILIO_TOKEN as AUTH_TOKEN, USER_GRANTS } from '../auth/helpers.js';

/**
 * Malformed requests to every route the app registers (listed as they register, so a new route is
 * fuzzed without touching this file): Management API, Authentication API, webhooks, the dashboard's
 * API and /healthz, with valid tokens holding every scope and without or with bad ones. Every answer
 * must be below 500, every error in its API's shape, and no answer may carry a secret.
 *
 * FUZZ_SEED reproduces a run (the seed is printed); FUZZ_COUNT sets the requests per dialect
 * (default: 15 000 on SQLite and 5 000 on PostgreSQL, 20 000 in a CI run); FUZZ_TRACE=1 prints every answer's route and status.
 */

const SEED = process.env['FUZZ_SEED'] !== undefined ? Number(process.env['FUZZ_SEED']) : randomInt(2 ** 31);
const COUNT: Record<string, number> = process.env['FUZZ_COUNT'] ? { sqlite: Number(process.env['FUZZ_COUNT']), postgres: Number(process.env['FUZZ_COUNT']) } : { sqlite: 15_000, postgres: 5_000 };
const OPERATOR = { email: 'fuzz-operator@example.com', password: '' };

const mock = await startTwilioMock({ [SID]: AUTH_TOKEN });
after(() => mock.close());
let total = 0;
let signIns = 0;
after(() => process.stdout.write(`# malformed-request fuzz: ${total} requests in all (seed ${SEED})\n`));

/** Well-formed numbers (the generic values bring the malformed ones): US, UK, France, a US premium-rate number. */
const PHONES = ['+14155552671', '+14155550101', '+447700900123', '+33612345678', '+19005550123'];
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** Credentials, ids and secrets of a prepared environment: a Twilio provider, a second tenant, a dashboard session. */
async function prepare(env: TestEnv): Promise<{ ctx: FuzzContext; secrets: Secret[]; live: Record<string, string> }> {
  const { api, c } = env;
  const token = await env.token();
  const tenant = (await c.repos.tenants.findByName('default'))!;
  const other = await env.createTenant('other', 'other.example');
  const claims = { iss: 'https://localhost/', aud: 'https://localhost/api/v2/', sub: `${env.bootstrap.clientId}@clients`, gty: 'client-credentials' };
  const noScope = await c.tokenKeys.sign(tenant.id, { ...claims, scope: '' }, 600);
  const expired = await c.tokenKeys.sign(tenant.id, { ...claims, scope: 'read:clients' }, -600);
  const [h, p] = token.split('.');
  // The tenant of the login tests: a Twilio provider, applications on every connection, MFA required.
  const f = await setupTenant(env);
  await enableMfa(env, f.mgmt);

  const ids: Record<string, string[]> = {};
  const collect = async (segment: string, url: string, pick: (o: Record<string, unknown>) => unknown) => {
    const res = await api('GET', url, { token });
    const body = res.json() as unknown;
    const list = (Array.isArray(body) ? body : Object.values(body as object).find(Array.isArray) ?? []) as Array<Record<string, unknown>>;
    ids[segment] = list.map(pick).filter((v): v is string => typeof v === 'string').slice(0, 5);
  };
  await collect('clients', '/api/v2/clients', (o) => o['client_id']);
  await collect('client-grants', '/api/v2/client-grants', (o) => o['id']);
  await collect('connections', '/api/v2/connections', (o) => o['id']);
  await collect('resource-servers', '/api/v2/resource-servers', (o) => o['id']);
  await collect('providers', '/api/v2/branding/phone/providers', (o) => o['id']);
  await collect('templates', '/api/v2/branding/phone/templates', (o) => o['id']);
  await collect('logs', '/api/v2/logs', (o) => o['log_id']);
  ids['factors'] = ['sms', 'phone', 'otp'];
  ids['triggers'] = ['custom-phone-provider', 'send-phone-message'];

  OPERATOR.password = (await c.dashboard.operators.create({ email: OPERATOR.email, role: 'admin', tenants: '*' })).password;
  const signIn = await api('POST', '/dashboard/api/session', { body: { email: OPERATOR.email, password: OPERATOR.password } });
  assert.equal(signIn.statusCode, 200, signIn.body);
  const cookie = /unifone_session=([^;]+)/.exec(String(signIn.headers['set-cookie']))![1]!;
  const csrf = (signIn.json() as { csrf_token: string }).csrf_token;
  // What the run may end or rotate (a sign-out, a rotated secret) is sent as a placeholder and filled at send time.
  const live = { session: cookie, csrf, basic: basic(env.bootstrap.clientId, env.bootstrap.clientSecret).slice('Basic '.length) };

  const bad = [
    `Bearer ${h}.${p}.${'A'.repeat(86)}`,
    `Bearer ${h}.${b64url({ ...claims, scope: 'read:clients', exp: 9e9 })}.x`,
    `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, scope: 'read:clients', exp: 9e9 })}.`,
    `Bearer ${noScope}`,
    `Bearer ${expired}`,
    `Bearer ${other.token}`,
    'Bearer',
    'Bearer  ',
    'bearer a b c',
    `Bearer ${'t'.repeat(9000)}`,
    'Basic',
    'Basic !!!',
    basic(env.bootstrap.clientId, 'wrong-secret'),
    basic('', ''),
    basic(other.client.clientId, other.client.clientSecret),
    'Digest username="x"',
    '\u00e9',
  ];
  const ctx: FuzzContext = {
    goodAuthorization: [`Bearer ${token}`, `Bearer ${token}`, `Bearer ${token}`, 'Basic {{basic}}'],
    badAuthorization: bad,
    goodHosts: ['localhost'],
    ids,
    dashboardSession: { cookie: '{{session}}', csrf: '{{csrf}}' },
    hints: {
      client_id: [f.app.clientId, f.app.clientId, f.spa.clientId],
      client_secret: [f.app.clientSecret],
      connection: ['sms', 'Username-Password-Authentication', 'email'],
      realm: ['sms', 'Username-Password-Authentication'],
      phone_number: PHONES,
      username: [...PHONES, 'user@example.com'],
      to: PHONES,
      password: ['Correct horse battery 1!', 'password'],
      new_password: ['Correct horse battery 2!', 'x'],
      grant_type: ['client_credentials', ...USER_GRANTS],
      otp: ['123456', '000000'],
      code: ['123456', '000000'],
      binding_code: ['123456'],
      authenticator_types: [['oob'], ['otp'], ['oob', 'otp'], ['recovery-code']],
      oob_channels: [['sms'], ['voice'], ['sms', 'voice'], ['auth0']],
      oob_channel: ['sms', 'voice'],
      challenge_type: ['oob', 'otp', 'oob otp'],
      authenticator_id: ['sms|dev_AAAAAAAAAAAAAAAA', 'recovery-code|dev_AAAAAAAAAAAAAAAA'],
      send: ['code', 'link'],
      audience: ['https://localhost/api/v2/', 'https://localhost/mfa/', 'https://other.example/api/v2/', 'urn:nothing'],
      scope: ['openid profile offline_access', 'read:clients', ''],
      delivery_method: ['text', 'voice'],
      delivery_methods: [['text'], ['voice'], ['text', 'voice']],
      tenant: ['default', 'other', 'nope'],
      name: ['twilio', 'custom', 'sms_gateway', 'sms', 'phone'],
    },
    openProperties: {
      '/passwordless/start': {
        client_id: { type: 'string' },
        client_secret: { type: 'string' },
        connection: { type: 'string' },
        phone_number: { type: 'string' },
        send: { type: 'string' },
        authParams: { type: 'object', properties: { scope: { type: 'string' }, state: { type: 'string' } } },
      },
      '/oauth/token': Object.fromEntries(['username', 'password', 'realm', 'otp', 'mfa_token', 'oob_code', 'binding_code', 'recovery_code', 'refresh_token'].map((n) => [n, { type: 'string' }])),
    },
  };

  // A client's secret may be shown on the clients API (to a token with read:client_keys), nowhere else.
  const onClientsApi = (req: FuzzRequest, res: LightMyRequestResponse) => res.statusCode < 300 && /^\/api\/v2\/clients(\/|$)/.test(receivedPath(req, res));
  const onSessionApi = (req: FuzzRequest, res: LightMyRequestResponse) => res.statusCode < 300 && receivedPath(req, res) === '/dashboard/api/session';
  const secrets: Secret[] = [
    { name: 'the client secret', value: env.bootstrap.clientSecret, allowed: onClientsApi },
    { name: "another tenant's client secret", value: other.client.clientSecret },
    ...[f.app, f.other, f.spa].map((a) => ({ name: `the client secret of ${a.clientId}`, value: a.clientSecret, allowed: onClientsApi })),
    { name: 'the Twilio auth token', value: AUTH_TOKEN },
    { name: 'the access token', value: token },
    { name: "another tenant's access token", value: other.token },
    { name: 'the operator password', value: OPERATOR.password },
    { name: 'the dashboard session id', value: cookie },
    { name: 'the CSRF token', value: csrf, allowed: onSessionApi },
    ...[...env.neverReveal].map((value, i) => ({ name: `server secret #${i}`, value })),
  ];
  // The harness fails the run at close if any of these reached a log line.
  for (const s of secrets) if (s.value.length >= 8) env.neverReveal.add(s.value);
  return { ctx, secrets, live };
}

describeEachDialect('malformed requests on every route (fuzz)', (env) => {
  let prepared: Awaited<ReturnType<typeof prepare>>;
  before(async () => {
    prepared = await prepare(env());
  });

  test('the route list covers every API family', () => {
    const urls = new Set(fuzzRoutes(env().routes).map((r) => r.url));
    for (const u of ['/healthz', '/api/v2/clients/:id', '/oauth/token', '/passwordless/start', '/mfa/challenge', '/mfa/authenticators/:id', '/dbconnections/signup', '/webhooks/twilio/status/:id', '/dashboard/api/session', '/dashboard/api/token']) {
      assert.ok(urls.has(u), `${u} is not among the routes: ${[...urls].join(' ')}`);
    }
  });

  test('no 5xx, every error in its API shape, no secret revealed', async () => {
    const e = env();
    const routes = fuzzRoutes(e.routes);
    const count = COUNT[e.dialect]!;
    const requests = sampleRequests(routes, prepared.ctx, { seed: SEED, count, bodyLimit: e.config.bodyLimit });
    const secrets = prepared.secrets;
    const started = performance.now();
    const report = await runFuzz(e.app, requests, () => secrets, {
      seed: SEED,
      count,
      bodyLimit: e.config.bodyLimit,
      live: prepared.live,
      trace: process.env['FUZZ_TRACE'] === '1',
      observe: async (req, res) => {
        if (res.statusCode >= 300) return;
        // A client secret the run creates (a new client, a rotation) is a secret from then on.
        const m = /"client_secret":"([^"]+)"/.exec(res.body);
        if (m && !secrets.some((s) => s.value === m[1])) {
          secrets.push({ name: 'a client secret', value: m[1]!, allowed: secrets[0]!.allowed });
          e.neverReveal.add(m[1]!);
          if (res.body.includes(`"client_id":"${e.bootstrap.clientId}"`)) prepared.live['basic'] = basic(e.bootstrap.clientId, m[1]!).slice('Basic '.length);
        }
        // The run signed the operator out: a new session (from an address of its own, past any sign-in throttling).
        if (req.method === 'DELETE' && receivedPath(req, res) === '/dashboard/api/session') {
          const s = await e.c.dashboard.operators.signIn(OPERATOR.email, OPERATOR.password, `10.9.${++signIns % 250}.1`);
          secrets.push({ name: 'a dashboard session id', value: s.sessionId }, { name: 'a CSRF token', value: s.csrfToken, allowed: secrets.find((x) => x.name === 'the CSRF token')!.allowed });
          Object.assign(prepared.live, { session: s.sessionId, csrf: s.csrfToken });
          e.neverReveal.add(s.sessionId).add(s.csrfToken);
        }
      },
    });
    total += report.sent;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`# fuzz [${e.dialect}] seed ${SEED}: ${report.sent} requests to ${routes.length} routes in ${seconds} s, ${report.unsendable} not sendable; statuses ${JSON.stringify(report.byStatus)}\n`);
    const slowest = Object.entries(report.msByRoute).sort((a, b) => b[1] - a[1]).slice(0, 5);
    process.stdout.write(`# slowest routes: ${slowest.map(([r, ms]) => `${r} ${Math.round(ms)} ms`).join(', ')}\n`);
    const lines = summarize(report.failures);
    assert.equal(lines.length, 0, `FUZZ_SEED=${SEED}: ${report.failures.length} failing requests\n${lines.join('\n')}`);
    assert.ok(report.sent >= count * 0.95, `only ${report.sent} of ${count} requests could be sent`);
  });
}, { TWILIO_API_BASE_URL: mock.url });
