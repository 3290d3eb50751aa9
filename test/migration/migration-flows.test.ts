import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';
import { startTwilioMock, type RecordedRequest } from '../helpers/twilio-mock.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The seven legacy starting points of the migration (docs/migration.md), each in a tenant of its own:
 * the real flows (MFA enrollment and challenge by SMS and voice, passwordless login) before, plan →
 * dry run → apply, the same flows through the tenant-level provider with the same texts, rollback,
 * and the flows again exactly as before. Twilio is a local server speaking its wire format with two
 * accounts; the SMS gateway a local HTTP server.
 */

const SID_A = `AC${'a'.repeat(32)}`;
const TOKEN_A = 'twilio-token-account-a';
const SID_B = `AC${'b'.repeat(32)}`;
const TOKEN_B = 'twilio-token-account-b';
const FROM_A = '+14155550101';
const FROM_B = '+14155550202';
const GATEWAY_SECRET = 'gateway-secret-for-migration';
const PASSWORD = 'Kq7!vLr2#pZx9w';
const REALM = 'Username-Password-Authentication';
const OTP_GRANT = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const OOB = 'http://auth0.com/oauth/grant-type/mfa-oob';
const GRANTS = ['password', 'http://auth0.com/oauth/grant-type/password-realm', OTP_GRANT, OOB];
const HOOK = fs.readFileSync(new URL('./corpus/08-twiml-voice.js', import.meta.url), 'utf8');

const mock = await startTwilioMock({ [SID_A]: TOKEN_A, [SID_B]: TOKEN_B });

interface GatewayRequest {
  auth: string | undefined;
  body: { recipient: string; body: string; sender?: string };
}
const gatewayRequests: GatewayRequest[] = [];
const gateway = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (d: Buffer) => chunks.push(d));
  req.on('end', () => {
    gatewayRequests.push({ auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
const GATEWAY_URL = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`;
after(async () => {
  await mock.close();
  await new Promise<void>((r) => gateway.close(() => r()));
});

/** What a phone received: the account and sender it came from, and the text with the code masked. */
interface Delivery {
  via: string;
  from: string | null;
  text: string;
  code: string;
}

const mask = (text: string, code: string) => text.split(code).join('<code>').split(code.split('').join('. ')).join('<spoken code>');

function fromTwilio(r: RecordedRequest): Delivery {
  const voice = r.resource === 'Calls';
  const raw = voice ? (r.form['Twiml'] ?? '') : (r.form['Body'] ?? '');
  const m = voice ? /(\d(?:\. \d){3,9})/.exec(raw) : /\b(\d{4,10})\b/.exec(raw);
  assert.ok(m, `no code in ${raw}`);
  const code = m[1]!.replace(/\D/g, '');
  // The spoken text only: the TwiML around it is the sender's (the built-in provider's or the Action's).
  const text = voice ? [...raw.matchAll(/<Say[^>]*>([^<]*)<\/Say>/g)].map((x) => x[1]).join(' | ') : raw;
  return { via: `twilio:${r.auth?.user}:${r.resource}`, from: r.form['MessagingServiceSid'] ?? r.form['From'] ?? null, text: mask(text, code), code };
}

let seq = 0;
const base = 3000 + Math.floor(Math.random() * 5000);
const phone = () => `+1415${base}${String(++seq).padStart(3, '0')}`;

interface Tenant {
  name: string;
  host: string;
  token: string;
  id: string;
  app: { clientId: string; clientSecret: string };
}

describeEachDialect(
  'migration to the Unified Phone Experience: the legacy starting points, real flows before, after and after rollback',
  (env) => {
    let e: TestEnv;
    before(() => {
      e = env();
    });
    const api = (t: Tenant, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) => e.api(method, url, { token: t.token, host: t.host, ...(body !== undefined ? { body } : {}) });
    const ok = async (t: Tenant, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) => {
      const res = await api(t, method, url, body);
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };

    const tenant = async (label: string): Promise<Tenant> => {
      const name = `mig-${label}-${e.dialect}`;
      const host = `${label}.mig.example`;
      const { tenantId, token } = await e.createTenant(name, host);
      const t: Tenant = { name, host, token, id: tenantId, app: { clientId: '', clientSecret: '' } };
      const client = await ok(t, 'POST', '/api/v2/clients', { name: 'Phone App', app_type: 'regular_web', grant_types: GRANTS });
      t.app = { clientId: client.client_id, clientSecret: client.client_secret };
      await e.c.identity.directory.connections.enableClient({ id: tenantId }, t.app.clientId);
      await ok(t, 'PATCH', '/api/v2/tenants/settings', { phone_consolidated_experience: false });
      return t;
    };

    const mfaFactor = async (t: Tenant, messageTypes: string[]) => {
      await ok(t, 'PUT', '/api/v2/guardian/factors/sms', { enabled: true });
      await ok(t, 'PUT', '/api/v2/guardian/factors/phone/message-types', { message_types: messageTypes });
      await ok(t, 'PUT', '/api/v2/guardian/policies', ['all-applications']);
    };
    const guardianTwilio = async (t: Tenant) => {
      await mfaFactor(t, ['sms', 'voice']);
      await ok(t, 'PUT', '/api/v2/guardian/factors/phone/providers/twilio', { sid: SID_A, from: FROM_A, auth_token: TOKEN_A });
      await ok(t, 'PUT', '/api/v2/guardian/factors/phone/selected-provider', { provider: 'twilio' });
      await ok(t, 'PUT', '/api/v2/guardian/factors/phone/templates', {
        enrollment_message: '{{code}} enrolls you with {{tenant.friendly_name}}{% if message_type == "voice" %}, by phone{% endif %}',
        verification_message: 'Code {{code}} for {{tenant.name}}',
      });
    };
    const passwordlessTwilio = async (t: Tenant, sid: string, token: string, from: string) => {
      const sms = (await ok(t, 'GET', '/api/v2/connections?strategy=sms'))[0];
      await ok(t, 'PATCH', `/api/v2/connections/${sms.id}`, {
        options: { provider: 'twilio', twilio_sid: sid, twilio_token: token, from, template: 'Your {{ code }}? no: @@password@@ is your login code', syntax: 'md_with_macros' },
      });
    };
    const passwordlessGateway = async (t: Tenant) => {
      const sms = (await ok(t, 'GET', '/api/v2/connections?strategy=sms'))[0];
      await ok(t, 'PATCH', `/api/v2/connections/${sms.id}`, {
        options: {
          provider: 'sms_gateway',
          gateway_url: GATEWAY_URL,
          gateway_authentication: { method: 'bearer', subject: 'urn:unifone', audience: 'urn:gateway', secret: GATEWAY_SECRET },
          from: 'Unifone',
          template: '{% if request_language == "fr" %}Code: {{ password }}{% else %}Your code: {{ password }}{% endif %}',
          syntax: 'liquid',
        },
      });
    };
    const hookAction = async (t: Tenant) => {
      await mfaFactor(t, ['sms', 'voice']);
      const a = await ok(t, 'POST', '/api/v2/actions/actions', {
        name: 'twilio hook',
        supported_triggers: [{ id: 'send-phone-message', version: 'v2' }],
        code: HOOK,
        secrets: [
          { name: 'ACCOUNT_SID', value: SID_B },
          { name: 'AUTH_TOKEN', value: TOKEN_B },
          { name: 'FROM', value: FROM_B },
          { name: 'ENDPOINT', value: mock.url },
        ],
      });
      await ok(t, 'POST', `/api/v2/actions/actions/${a.id}/deploy`);
      await ok(t, 'PATCH', '/api/v2/actions/triggers/send-phone-message/bindings', { bindings: [{ ref: { type: 'action_id', value: a.id } }] });
      await ok(t, 'PUT', '/api/v2/guardian/factors/phone/selected-provider', { provider: 'phone-message-hook' });
    };

    /** The next Twilio request to `to` after `mark`. */
    const twilioTo = (to: string, mark: number) =>
      waitFor(`a Twilio request to ${to}`, async () => mock.requests.slice(mark).find((r) => r.form['To'] === to && r.answered === 201)).then(fromTwilio);
    const gatewayTo = (to: string, mark: number) =>
      waitFor(`a gateway request to ${to}`, async () => gatewayRequests.slice(mark).find((r) => r.body.recipient === to)).then((r): Delivery => {
        const code = /\b(\d{4,10})\b/.exec(r.body.body)![1]!;
        return { via: `gateway:${r.auth ? 'bearer' : 'none'}`, from: r.body.sender ?? null, text: mask(r.body.body, code), code };
      });

    /** Runs `send`, reads what the phone received (Twilio or the gateway), returns it. */
    const deliver = async (to: string, send: () => Promise<void>): Promise<Delivery> => {
      const mt = mock.requests.length;
      const mg = gatewayRequests.length;
      await send();
      return waitFor(`a message to ${to}`, async () => {
        const tw = mock.requests.slice(mt).find((r) => r.form['To'] === to && r.answered === 201);
        if (tw) return fromTwilio(tw);
        return gatewayRequests.slice(mg).some((r) => r.body.recipient === to) ? gatewayTo(to, mg) : undefined;
      });
    };

    /** MFA: a new user enrolls by SMS, then passes an SMS and (when asked) a voice challenge. */
    const mfaRound = async (t: Tenant, voice: boolean): Promise<Record<string, Delivery>> => {
      const email = `u${++seq}@example.com`;
      await e.c.identity.directory.createUser({ id: t.id }, { connection: REALM, email, password: PASSWORD });
      const to = phone();
      const creds = { client_id: t.app.clientId, client_secret: t.app.clientSecret };
      const mfaToken = async () => {
        const res = await e.api('POST', '/oauth/token', { host: t.host, body: { ...creds, grant_type: 'http://auth0.com/oauth/grant-type/password-realm', realm: REALM, username: email, password: PASSWORD } });
        assert.equal(res.statusCode, 403, res.body);
        return res.json().mfa_token as string;
      };
      const bearer = (tok: string) => ({ authorization: `Bearer ${tok}` });
      const confirm = async (tok: string, oob: string, code: string) => {
        const res = await e.api('POST', '/oauth/token', { host: t.host, body: { ...creds, grant_type: OOB, mfa_token: tok, oob_code: oob, binding_code: code } });
        assert.equal(res.statusCode, 200, res.body);
      };
      const out: Record<string, Delivery> = {};
      let tok = await mfaToken();
      let oob = '';
      out['enroll'] = await deliver(to, async () => {
        const res = await e.api('POST', '/mfa/associate', { host: t.host, headers: bearer(tok), body: { ...creds, authenticator_types: ['oob'], oob_channels: ['sms'], phone_number: to } });
        assert.equal(res.statusCode, 200, res.body);
        oob = res.json().oob_code;
      });
      await confirm(tok, oob, out['enroll'].code);
      for (const channel of voice ? ['sms', 'voice'] : ['sms']) {
        tok = await mfaToken();
        out[channel] = await deliver(to, async () => {
          const res = await e.api('POST', '/mfa/challenge', { host: t.host, body: { ...creds, mfa_token: tok, challenge_type: 'oob', oob_channel: channel } });
          assert.equal(res.statusCode, 200, res.body);
          oob = res.json().oob_code;
        });
        await confirm(tok, oob, out[channel]!.code);
      }
      return out;
    };

    /** Passwordless: /passwordless/start, then the code logs in. */
    const passwordlessRound = async (t: Tenant): Promise<Delivery> => {
      const to = phone();
      const creds = { client_id: t.app.clientId, client_secret: t.app.clientSecret };
      const d = await deliver(to, async () => {
        const res = await e.api('POST', '/passwordless/start', { host: t.host, body: { ...creds, connection: 'sms', phone_number: to, send: 'code' } });
        assert.equal(res.statusCode, 200, res.body);
      });
      const login = await e.api('POST', '/oauth/token', { host: t.host, body: { ...creds, grant_type: OTP_GRANT, username: to, otp: d.code, realm: 'sms' } });
      // The code logs in; under the tenant's MFA policy the login then asks for MFA (as Auth0's).
      const policy = (await ok(t, 'GET', '/api/v2/guardian/policies')) as string[];
      if (policy.length > 0) {
        assert.equal(login.statusCode, 403, login.body);
        assert.equal(login.json().error, 'mfa_required', login.body);
      } else assert.equal(login.statusCode, 200, login.body);
      return d;
    };

    const strip = (r: Record<string, Delivery>) => Object.fromEntries(Object.entries(r).map(([k, d]) => [k, { via: d.via, from: d.from, text: d.text }]));
    const round = async (t: Tenant, o: { mfa: boolean; voice: boolean; passwordless: boolean }) => ({
      ...(o.mfa ? strip(await mfaRound(t, o.voice)) : {}),
      ...(o.passwordless ? strip({ passwordless: await passwordlessRound(t) }) : {}),
    });

    /** Plan → dry run (nothing written) → apply; returns the plan. */
    const migrate = async (t: Tenant, target: string, extra: Record<string, unknown> = {}) => {
      const plan = await ok(t, 'GET', '/api/v2/phone-migration');
      assert.equal(plan.status, 'legacy');
      assert.equal(plan.eligible, true);
      assert.deepEqual(plan.blockers, [], JSON.stringify(plan.blockers));
      assert.equal(plan.target.kind, target);
      const dry = await ok(t, 'POST', '/api/v2/phone-migration?dry_run=true', { plan_hash: plan.plan_hash, ...extra });
      assert.equal(dry.dry_run, true);
      assert.ok(dry.changes.some((c: { resource: string }) => c.resource === 'tenant_settings'));
      assert.equal((await ok(t, 'GET', '/api/v2/tenants/settings')).phone_consolidated_experience, false, 'a dry run writes nothing');
      assert.deepEqual(await ok(t, 'GET', '/api/v2/branding/phone/providers'), { providers: [] }, 'a dry run writes nothing');
      const applied = await ok(t, 'POST', '/api/v2/phone-migration', { plan_hash: plan.plan_hash, ...extra });
      const shape = (x: { changes: Array<{ op: string; resource: string }> }) => x.changes.map((c) => `${c.op} ${c.resource}`);
      assert.deepEqual(shape(applied), shape(dry), 'the dry run lists the changes apply makes');
      assert.equal((await ok(t, 'GET', '/api/v2/tenants/settings')).phone_consolidated_experience, true);
      const again = await api(t, 'POST', '/api/v2/phone-migration', { plan_hash: plan.plan_hash, ...extra });
      assert.equal(again.statusCode, 409, 'a second apply is refused');
      return plan;
    };
    const rollback = async (t: Tenant) => {
      const res = await ok(t, 'DELETE', '/api/v2/phone-migration');
      assert.ok(res.restored.length > 0);
      assert.equal((await ok(t, 'GET', '/api/v2/tenants/settings')).phone_consolidated_experience, false);
      assert.equal((await api(t, 'DELETE', '/api/v2/phone-migration')).statusCode, 404, 'nothing left to roll back');
    };
    const channelOfLast = async (t: Tenant) =>
      (await e.c.storage.db.selectFrom('notifications').select(['channel', 'provider']).where('tenant_id', '=', t.id).orderBy('created_at', 'desc').executeTakeFirstOrThrow());

    test('Guardian Twilio only → Twilio provider; enrollment and challenges keep their texts, sender and account', async () => {
      const t = await tenant('guardian');
      await guardianTwilio(t);
      const flows = { mfa: true, voice: true, passwordless: false };
      const before_ = await round(t, flows);
      assert.equal(before_['enroll']!.via, `twilio:${SID_A}:Messages`);
      assert.equal(before_['enroll']!.text, `<code> enrolls you with ${t.name}`);
      assert.match(before_['voice']!.text, /<spoken code> enrolls|Code <spoken code>/);
      const plan = await migrate(t, 'twilio');
      assert.deepEqual(plan.target.provider.configuration, { sid: SID_A, default_from: FROM_A, delivery_methods: ['text', 'voice'] });
      assert.deepEqual(plan.templates.map((x: { type: string }) => x.type), ['otp_enroll', 'otp_verify']);
      const migrated = await round(t, flows);
      assert.deepEqual(migrated, before_);
      assert.equal((await channelOfLast(t)).channel, 'provider');
      const providers = await ok(t, 'GET', '/api/v2/branding/phone/providers');
      assert.equal(providers.providers[0].name, 'twilio');
      await rollback(t);
      assert.deepEqual(await round(t, flows), before_);
      assert.equal((await channelOfLast(t)).channel, 'legacy');
      assert.deepEqual(await ok(t, 'GET', '/api/v2/branding/phone/providers'), { providers: [] });
      const twilio = await ok(t, 'GET', '/api/v2/guardian/factors/phone/providers/twilio');
      assert.deepEqual(twilio, { sid: SID_A, from: FROM_A, messaging_service_sid: null }, 'the Guardian settings are back, token included (the flows above used it)');
    });

    test('passwordless Twilio only → Twilio provider; the connection template keeps its text', async () => {
      const t = await tenant('pwdtwilio');
      await passwordlessTwilio(t, SID_B, TOKEN_B, FROM_B);
      const flows = { mfa: false, voice: false, passwordless: true };
      const before_ = await round(t, flows);
      assert.deepEqual(before_['passwordless'], { via: `twilio:${SID_B}:Messages`, from: FROM_B, text: 'Your {{ code }}? no: <code> is your login code' });
      const plan = await migrate(t, 'twilio');
      assert.equal(plan.target.provider.configuration.sid, SID_B);
      assert.deepEqual(plan.target.provider.configuration.delivery_methods, ['text']);
      assert.deepEqual(await round(t, flows), before_);
      await rollback(t);
      assert.deepEqual(await round(t, flows), before_);
    });

    test('MFA and passwordless on the same Twilio account → one Twilio provider; both flows keep their texts', async () => {
      const t = await tenant('same');
      await guardianTwilio(t);
      await passwordlessTwilio(t, SID_A, TOKEN_A, FROM_A);
      const flows = { mfa: true, voice: true, passwordless: true };
      const before_ = await round(t, flows);
      const plan = await migrate(t, 'twilio');
      assert.match(plan.templates.find((x: { type: string }) => x.type === 'otp_verify').body.text, /connection == "sms"/);
      assert.deepEqual(await round(t, flows), before_);
      await rollback(t);
      assert.deepEqual(await round(t, flows), before_);
    });

    test('MFA on one Twilio account, passwordless on another → a generated custom provider routes each flow to its account', async () => {
      const t = await tenant('two');
      await guardianTwilio(t);
      await passwordlessTwilio(t, SID_B, TOKEN_B, FROM_B);
      const flows = { mfa: true, voice: true, passwordless: true };
      const before_ = await round(t, flows);
      assert.equal(before_['passwordless']!.via, `twilio:${SID_B}:Messages`);
      assert.equal(before_['sms']!.via, `twilio:${SID_A}:Messages`);
      const plan = await ok(t, 'GET', '/api/v2/phone-migration');
      assert.equal(plan.target.kind, 'custom');
      assert.equal(plan.target.action.source, 'generated');
      assert.deepEqual(plan.secrets.map((s: { name: string }) => s.name).sort(), [
        'MFA_TWILIO_AUTH_TOKEN',
        'MFA_TWILIO_FROM',
        'MFA_TWILIO_SID',
        'PASSWORDLESS_TWILIO_AUTH_TOKEN',
        'PASSWORDLESS_TWILIO_FROM',
        'PASSWORDLESS_TWILIO_SID',
      ]);
      assert.ok(!JSON.stringify(plan).includes(TOKEN_A) && !JSON.stringify(plan).includes(TOKEN_B), 'the plan names secrets, never their values');
      const refused = await api(t, 'POST', '/api/v2/phone-migration', { plan_hash: plan.plan_hash });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().errorCode, 'phone_migration_secrets_not_confirmed');
      await migrate(t, 'custom', { copy_secrets: true });
      assert.deepEqual(await round(t, flows), before_);
      const bindings = await ok(t, 'GET', '/api/v2/actions/triggers/custom-phone-provider/bindings');
      assert.equal(bindings.bindings.length, 1);
      await rollback(t);
      assert.deepEqual(await round(t, flows), before_);
      assert.deepEqual((await ok(t, 'GET', '/api/v2/actions/triggers/custom-phone-provider/bindings')).bindings, []);
    });

    test('a send-phone-message Action → its translation becomes the custom provider (secrets copied when asked)', async () => {
      const t = await tenant('hook');
      await hookAction(t);
      const flows = { mfa: true, voice: true, passwordless: false };
      const before_ = await round(t, flows);
      assert.equal(before_['sms']!.via, `twilio:${SID_B}:Messages`);
      const plan = await ok(t, 'GET', '/api/v2/phone-migration');
      assert.equal(plan.target.action.source, 'translated');
      assert.match(plan.target.action.code, /onExecuteCustomPhoneProvider/);
      await migrate(t, 'custom', { copy_secrets: true });
      assert.deepEqual(await round(t, flows), before_);
      await rollback(t);
      assert.deepEqual(await round(t, flows), before_);
      assert.equal((await ok(t, 'GET', '/api/v2/actions/triggers/send-phone-message/bindings')).bindings.length, 1, 'the hook stays bound');
    });

    test('passwordless through an SMS gateway → sms_gateway provider; same body, sender and signed requests', async () => {
      const t = await tenant('gateway');
      await passwordlessGateway(t);
      const flows = { mfa: false, voice: false, passwordless: true };
      const before_ = await round(t, flows);
      assert.deepEqual(before_['passwordless'], { via: 'gateway:bearer', from: 'Unifone', text: 'Your code: <code>' });
      const plan = await migrate(t, 'sms_gateway');
      assert.equal(plan.target.provider.configuration.sender, 'Unifone');
      assert.deepEqual(await round(t, flows), before_);
      await rollback(t);
      assert.deepEqual(await round(t, flows), before_);
    });

    test('MFA on Twilio, passwordless through a gateway → the generated provider signs the gateway requests in the Action', async () => {
      const t = await tenant('mixed');
      await guardianTwilio(t);
      await passwordlessGateway(t);
      const flows = { mfa: true, voice: true, passwordless: true };
      const before_ = await round(t, flows);
      assert.equal(before_['passwordless']!.via, 'gateway:bearer');
      const plan = await ok(t, 'GET', '/api/v2/phone-migration');
      assert.deepEqual(plan.secrets.map((s: { name: string }) => s.name), ['MFA_TWILIO_SID', 'MFA_TWILIO_AUTH_TOKEN', 'MFA_TWILIO_FROM', 'PASSWORDLESS_GATEWAY_SECRET']);
      const mark = gatewayRequests.length;
      await migrate(t, 'custom', { copy_secrets: true });
      assert.deepEqual(await round(t, flows), before_);
      const signed = gatewayRequests.slice(mark).at(-1)!;
      const { jwtVerify } = await import('jose');
      const verified = await jwtVerify(signed.auth!.slice('Bearer '.length), new TextEncoder().encode(GATEWAY_SECRET), { audience: 'urn:gateway', subject: 'urn:unifone' });
      assert.ok(verified.payload.exp! - verified.payload.iat! <= 60, 'a short-lived token, as the built-in kind signs');
      await rollback(t);
      assert.deepEqual(await round(t, flows), before_);
    });

    test("selected provider 'auth0' → a clear blocker, and apply changes nothing", async () => {
      const t = await tenant('auth0');
      await mfaFactor(t, ['sms']);
      const plan = await ok(t, 'GET', '/api/v2/phone-migration');
      assert.equal(plan.eligible, true);
      assert.equal(plan.target, null);
      assert.deepEqual(plan.blockers.map((b: { code: string }) => b.code), ['no_provider_to_copy']);
      const res = await api(t, 'POST', '/api/v2/phone-migration', { plan_hash: plan.plan_hash });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().errorCode, 'phone_migration_blocked');
      assert.match(res.json().message, /no_provider_to_copy/);
      assert.equal((await ok(t, 'GET', '/api/v2/tenants/settings')).phone_consolidated_experience, false);
      assert.deepEqual(await ok(t, 'GET', '/api/v2/branding/phone/providers'), { providers: [] });
      assert.equal((await ok(t, 'GET', '/api/v2/phone-migration')).plan_hash, plan.plan_hash, 'the hash is stable while nothing changes');
    });
  },
  { ACTIONS_ALLOW_PRIVATE_NETWORK: 'true', SMS_GATEWAY_ALLOW_PRIVATE_NETWORK: 'true', TWILIO_API_BASE_URL: mock.url },
);
