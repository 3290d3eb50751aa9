import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { startTwilioMock } from '../helpers/twilio-mock.js';
import { codeOf, phone, received, SID, TWILIO_TOKEN } from '../auth/helpers.js';
import { listenForTool, toolConfig, type DeployTool } from './helpers.js';

/**
 * A `tenant.yaml` written by hand as an Auth0 user writes it (test/deploy/fixtures/tenant.yaml:
 * a regular web application, a database connection with the phone number as an identifier through
 * Auth0's `attributes`, the `sms` connection, Twilio, custom templates, SMS + voice MFA required)
 * imported with Auth0's Deploy CLI into a fresh tenant; then signup, MFA and passwordless logins
 * work with those settings, each message through the local Twilio-speaking server.
 */

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tenant.yaml');
/** The imported tenant's address (in the test certificate). */
export const HAND_WRITTEN_IP = '127.0.0.4';
const IP = HAND_WRITTEN_IP;
const PASSWORD = 'Acme-portal-passw0rd';
const OOB = 'http://auth0.com/oauth/grant-type/mfa-oob';

/** Registers the import of the hand-written file, on every dialect, run with `tool` (test/deploy/deploy-cli.test.ts). */
export async function handWrittenSuite(tool: DeployTool): Promise<void> {
  const mock = await startTwilioMock({ [SID]: TWILIO_TOKEN });
  after(() => mock.close());

  describeEachDialect(
    'a hand-written tenant.yaml',
    (env) => {
      let e: TestEnv;
      let portal: { client_id: string; client_secret: string };
      let mgmt: string;
      const call = (url: string, body: Record<string, unknown>, token?: string) =>
        e.api('POST', url, { host: IP, body, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
      /** The request `act` makes the Twilio-speaking server receive for `to`, and the code it carries. */
      const delivered = async (to: string, act: () => Promise<{ statusCode: number; body: string; json(): any }>) => {
        const mark = mock.requests.length;
        const res = await act();
        assert.ok(res.statusCode < 300, res.body);
        const req = await received(mock, to, mark);
        return { res, req, code: codeOf(req) };
      };

      before(async () => {
        e = env();
        const t = await e.createTenant('acme', IP);
        mgmt = t.token;
        const s = await listenForTool(e, [IP]);
        try {
          const r = await tool.a0().run('import', { input_file: FIXTURE }, toolConfig({ domain: s.at(IP), ...t.client }, { AUTH0_KEYWORD_REPLACE_MAPPINGS: { TWILIO_AUTH_TOKEN: TWILIO_TOKEN } }));
          assert.ok(r.ok, r.output);
        } finally {
          await s.close();
        }
        const clients = (await e.api('GET', '/api/v2/clients?fields=name,client_id,client_secret', { host: IP, token: t.token })).json() as Array<{ name: string; client_id: string; client_secret: string }>;
        portal = clients.find((c) => c.name === 'Acme Portal')!;
        assert.ok(portal, 'the application was created');
      });

      test('the settings arrive as written, read back through the Management API', async () => {
        const get = async (url: string) => (await e.api('GET', url, { host: IP, token: mgmt })).json();
        const settings = await get('/api/v2/tenants/settings');
        // The tool sends session lifetimes in minutes (hours in the file).
        assert.deepEqual([settings.friendly_name, settings.session_lifetime_in_minutes, settings.idle_session_lifetime_in_minutes], ['Acme Phone', 168 * 60, 72 * 60]);
        const client = (await get(`/api/v2/clients/${portal.client_id}`)) as Record<string, unknown>;
        assert.deepEqual(client['callbacks'], ['https://portal.acme.example/callback']);
        assert.deepEqual(client['jwt_configuration'], { alg: 'RS256', lifetime_in_seconds: 36000, secret_encoded: false });
        assert.deepEqual(client['client_metadata'], { owner: 'portal-team' });
        const connections = (await get('/api/v2/connections')) as Array<{ name: string; options: Record<string, any>; enabled_clients: string[] }>;
        const db = connections.find((c) => c.name === 'Username-Password-Authentication')!;
        assert.deepEqual(db.options['identifiers'], ['email', 'phone_number'], 'attributes made the phone number an identifier');
        assert.equal(db.options['attributes'].phone_number.signup.status, 'required');
        assert.deepEqual(db.enabled_clients, [portal.client_id]);
        const sms = connections.find((c) => c.name === 'sms')!;
        assert.deepEqual(sms.options['totp'], { time_step: 300, length: 6 });
        const providers = (await get('/api/v2/branding/phone/providers')).providers;
        assert.deepEqual(providers.map((p: any) => [p.name, p.disabled, p.configuration]), [['twilio', false, { sid: SID, default_from: '+14155550100', delivery_methods: ['text', 'voice'] }]]);
        assert.equal(JSON.stringify(providers).includes(TWILIO_TOKEN), false, 'the auth token is never shown');
        const factors = (await get('/api/v2/guardian/factors')) as Array<{ name: string; enabled: boolean }>;
        assert.equal(factors.find((f) => f.name === 'sms')!.enabled, true);
        assert.deepEqual(await get('/api/v2/guardian/factors/phone/message-types'), { message_types: ['sms', 'voice'] });
        assert.deepEqual(await get('/api/v2/guardian/policies'), ['all-applications']);
      });

      test('signup by phone sends the custom otp_verify text; MFA enrollment by SMS, then a voice challenge, with the custom otp_enroll and otp_verify', async () => {
        const to = phone();
        const target = { client_id: portal.client_id, connection: 'Username-Password-Authentication', phone_number: to };
        const signup = await delivered(to, () => call('/dbconnections/signup', { ...target, password: PASSWORD }));
        assert.equal(signup.req.form['Body'], `Acme: ${signup.code} is your sign-in code. It expires in 5 minutes.`);
        assert.equal(signup.req.form['From'], '+14155550100');
        const short = await call('/dbconnections/signup', { ...target, phone_number: phone(), password: 'Short-1a' });
        assert.equal(short.statusCode, 400, 'password_complexity_options.min_length 10 is the minimum length');
        assert.equal((await call('/dbconnections/verify_phone', { ...target, code: signup.code })).statusCode, 200);

        // The policy is on for every application: the password login asks for MFA.
        const login = () =>
          call('/oauth/token', { grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: portal.client_id, client_secret: portal.client_secret, realm: 'Username-Password-Authentication', username: to, password: PASSWORD, scope: 'openid' });
        const asked = await login();
        assert.equal(asked.statusCode, 403, asked.body);
        assert.equal(asked.json().error, 'mfa_required');
        const mfaToken = asked.json().mfa_token as string;
        const creds = { client_id: portal.client_id, client_secret: portal.client_secret };
        const enroll = await delivered(to, () => call('/mfa/associate', { ...creds, authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: to }, mfaToken));
        assert.equal(enroll.req.form['Body'], `Acme: use ${enroll.code} to add this phone to your account.`);
        const enrolled = await call('/oauth/token', { grant_type: OOB, ...creds, mfa_token: mfaToken, oob_code: enroll.res.json().oob_code, binding_code: enroll.code });
        assert.equal(enrolled.statusCode, 200, enrolled.body);
        assert.ok(enrolled.json().id_token);

        // Voice is a message type of the factor and a delivery method of the provider: a voice challenge.
        const again = (await login()).json().mfa_token as string;
        const authenticators = (await e.api('GET', '/mfa/authenticators', { host: IP, headers: { authorization: `Bearer ${again}` } })).json() as Array<{ id: string; oob_channel: string }>;
        const voice = authenticators.find((a) => a.oob_channel === 'voice');
        assert.ok(voice, JSON.stringify(authenticators));
        const challenge = await delivered(to, () => call('/mfa/challenge', { ...creds, mfa_token: again, challenge_type: 'oob', authenticator_id: voice.id }));
        assert.equal(challenge.req.resource, 'Calls');
        assert.match(challenge.req.form['Twiml'] ?? '', /Your Acme sign-in code is/);
        const done = await call('/oauth/token', { grant_type: OOB, ...creds, mfa_token: again, oob_code: challenge.res.json().oob_code, binding_code: challenge.code });
        assert.equal(done.statusCode, 200, done.body);
      });

      test('passwordless SMS through the imported sms connection and the custom otp_verify text, then MFA as the policy requires', async () => {
        const to = phone();
        const creds = { client_id: portal.client_id, client_secret: portal.client_secret };
        const start = await delivered(to, () => call('/passwordless/start', { ...creds, connection: 'sms', phone_number: to, send: 'code' }));
        assert.equal(start.req.form['Body'], `Acme: ${start.code} is your sign-in code. It expires in 5 minutes.`);
        const grant = { grant_type: 'http://auth0.com/oauth/grant-type/passwordless/otp', ...creds, realm: 'sms', username: to, scope: 'openid' };
        // MFA is required for every application, passwordless logins included (as Auth0's): the new
        // passwordless user enrolls its phone, then gets its tokens.
        const asked = await call('/oauth/token', { ...grant, otp: start.code });
        assert.equal(asked.statusCode, 403, asked.body);
        assert.equal(asked.json().error, 'mfa_required');
        const mfaToken = asked.json().mfa_token as string;
        const enroll = await delivered(to, () => call('/mfa/associate', { ...creds, authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: to }, mfaToken));
        assert.equal(enroll.req.form['Body'], `Acme: use ${enroll.code} to add this phone to your account.`);
        const res = await call('/oauth/token', { grant_type: OOB, ...creds, mfa_token: mfaToken, oob_code: enroll.res.json().oob_code, binding_code: enroll.code });
        assert.equal(res.statusCode, 200, res.body);
        assert.ok(res.json().access_token);
      });
    },
    { TLS_CERT: tool.tls.certFile, TLS_KEY: tool.tls.keyFile, TWILIO_API_BASE_URL: mock.url },
  );
}
