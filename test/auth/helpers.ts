import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { AuthenticationClient } from 'auth0/legacy';
import { Agent, fetch as undiciFetch } from 'undici';
import fs from 'node:fs';
import { after, before } from 'node:test';
import type { TestEnv } from '../helpers/harness.js';
import { makeSelfSignedCert } from '../helpers/tls.js';
import { startTwilioMock, type TwilioMock, type RecordedRequest } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';

export const SID = 'AC0123456789abcdef0123456789abcdef';
export const TWILIO_TOKEN = 'twilio-auth-test-token-1';
export const FROM = '+14155550100';
export const USER_GRANTS = [
  'password',
  'refresh_token',
  'http://auth0.com/oauth/grant-type/password-realm',
  'http://auth0.com/oauth/grant-type/passwordless/otp',
  'http://auth0.com/oauth/grant-type/mfa-oob',
  'http://auth0.com/oauth/grant-type/mfa-recovery-code',
];

export interface App {
  clientId: string;
  clientSecret: string;
}

/** The tenant set up for login flows: a Twilio provider (text and voice) and applications enabled on every connection. */
export interface AuthFixture {
  mgmt: string;
  app: App;
  /** A second confidential application (wrong-client attempts). */
  other: App;
  /** A public application (token_endpoint_auth_method none). */
  spa: App;
}

export async function setupTenant(e: TestEnv): Promise<AuthFixture> {
  const mgmt = await e.token();
  const prov = await e.api('POST', '/api/v2/branding/phone/providers', {
    token: mgmt,
    body: { name: 'twilio', configuration: { sid: SID, default_from: FROM, delivery_methods: ['text', 'voice'] }, credentials: { auth_token: TWILIO_TOKEN } },
  });
  assert.equal(prov.statusCode, 201, prov.body);
  const mk = async (name: string, extra: Record<string, unknown> = {}): Promise<App> => {
    const res = await e.api('POST', '/api/v2/clients', { token: mgmt, body: { name, app_type: 'regular_web', grant_types: USER_GRANTS, ...extra } });
    assert.equal(res.statusCode, 201, res.body);
    return { clientId: res.json().client_id, clientSecret: res.json().client_secret };
  };
  const app = await mk('Phone App');
  const other = await mk('Other App');
  const spa = await mk('SPA', { app_type: 'spa', token_endpoint_auth_method: 'none' });
  const t = { id: await tenantId(e) };
  for (const a of [app, other, spa]) await e.c.identity.directory.connections.enableClient(t, a.clientId);
  return { mgmt, app, other, spa };
}

export async function tenantId(e: TestEnv): Promise<string> {
  return (await e.c.repos.tenants.findByName('default'))!.id;
}

/** Turns on the SMS factor (sms and voice) and, with `required`, the all-applications MFA policy. */
export async function enableMfa(e: TestEnv, mgmt: string, required = true): Promise<void> {
  for (const [url, body] of [
    ['/api/v2/guardian/factors/sms', { enabled: true }],
    ['/api/v2/guardian/factors/phone/message-types', { message_types: ['sms', 'voice'] }],
    ['/api/v2/guardian/policies', required ? ['all-applications'] : []],
  ] as const) {
    const res = await e.api('PUT', url, { token: mgmt, body });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
  }
}

/** A fresh test phone number (unique per process). */
let seq = 0;
const base = 2000 + Math.floor(Math.random() * 5000);
export function phone(): string {
  seq++;
  return `+1415${String(base).padStart(4, '0')}${String(seq).padStart(3, '0')}`;
}

/** The next message to `to` after `mark` (an index into the mock's requests), as the phone received it. */
export async function received(mock: TwilioMock, to: string, mark: number): Promise<RecordedRequest> {
  return waitFor(`a message to ${to}`, async () => mock.requests.slice(mark).find((r) => r.form['To'] === to && r.answered === 201));
}

/** The code a message carries: six digits in an SMS, or spoken digit by digit in the TwiML of a call. */
export function codeOf(r: RecordedRequest): string {
  if (r.resource === 'Calls') {
    const m = /(\d(?:\. \d){3,9})/.exec(r.form['Twiml'] ?? '');
    assert.ok(m, `no code in ${r.form['Twiml']}`);
    return m[1]!.replace(/\D/g, '');
  }
  const m = /\b(\d{4,10})\b/.exec(r.form['Body'] ?? '');
  assert.ok(m, `no code in ${r.form['Body']}`);
  return m[1]!;
}

/** Runs `action`, then waits for the message it sends to `to`. */
export async function sendAndRead(mock: TwilioMock, to: string, action: () => Promise<unknown>): Promise<{ code: string; req: RecordedRequest; result: unknown }> {
  const mark = mock.requests.length;
  const result = await action();
  const req = await received(mock, to, mark);
  return { code: codeOf(req), req, result };
}

/** The server over real HTTPS, for the official client and raw calls at the same Host. */
export interface Tls {
  host: string;
  agent: Agent;
  fetch: typeof fetch;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string; headers: Headers }>;
  authClient(app: App, opts?: { secret?: boolean }): AuthenticationClient;
  close(): Promise<void>;
}

export async function listenTls(e: TestEnv, cert: string): Promise<Tls> {
  await e.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (e.app.server.address() as AddressInfo).port;
  const host = `localhost:${port}`;
  const agent = new Agent({ connect: { ca: cert } });
  const httpsAgent = new https.Agent({ ca: cert });
  const trusting = ((url: string | URL | Request, init?: RequestInit) => undiciFetch(url as string, { ...(init as object), dispatcher: agent } as never)) as unknown as typeof fetch;
  return {
    host,
    agent,
    fetch: trusting,
    async call(method, path, body, headers = {}) {
      const res = await trusting(`https://${host}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      assert.ok(res.status < 500, `${method} ${path} answered ${res.status}: ${text}`);
      return { status: res.status, json, text, headers: res.headers };
    },
    authClient(app, opts = {}) {
      return new AuthenticationClient({
        domain: host,
        clientId: app.clientId,
        ...(opts.secret === false ? {} : { clientSecret: app.clientSecret }),
        fetch: trusting,
        // jose fetches the JWKS with Node's https module: this agent trusts the test certificate.
        agent: httpsAgent as never,
      });
    },
    async close() {
      await agent.close();
      httpsAgent.destroy();
    },
  };
}

/** Asserts an Authentication API error body. */
export function assertAuthError(res: { status: number; json: any; text?: string }, status: number, error: string, description?: string | RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.json ?? res.text));
  assert.equal(res.json?.error, error, JSON.stringify(res.json));
  assert.equal(typeof res.json?.error_description, 'string');
  if (typeof description === 'string') assert.equal(res.json.error_description, description);
  else if (description) assert.match(res.json.error_description, description);
}

/**
 * What every Authentication API test file shares: a Twilio-speaking server, a self-signed certificate
 * (both closed after the file) and the environment that points a test server at them.
 */
export async function authServers(): Promise<{ mock: TwilioMock; cert: string; env: Record<string, string> }> {
  const mock = await startTwilioMock({ [SID]: TWILIO_TOKEN });
  const tls = makeSelfSignedCert();
  after(async () => {
    await mock.close();
    fs.rmSync(tls.dir, { recursive: true, force: true });
  });
  return { mock, cert: tls.cert, env: { TWILIO_API_BASE_URL: mock.url, TLS_CERT: tls.certFile, TLS_KEY: tls.keyFile } };
}

/**
 * Per suite: before its tests, the tenant of `setupTenant` (with MFA required when asked) and the
 * TLS listener, handed to `ready`; the listener is closed after the suite.
 */
export function useAuthTenant(env: () => TestEnv, cert: string, ready: (x: { e: TestEnv; f: AuthFixture; s: Tls }) => void, opts: { mfa?: boolean } = {}): void {
  let s: Tls | undefined;
  before(async () => {
    const e = env();
    const f = await setupTenant(e);
    if (opts.mfa) await enableMfa(e, f.mgmt);
    s = await listenTls(e, cert);
    ready({ e, f, s });
  });
  after(async () => s?.close());
}
