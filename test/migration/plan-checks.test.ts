import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDialect, type TestEnv } from '../helpers/harness.js';

/**
 * The seed's two tables under "Update MFA phone factors and delivery methods", every row, as checks
 * of the migration plan (`GET /api/v2/phone-migration` with the operator's choices) of a legacy tenant
 * whose MFA sends through its Guardian Twilio settings.
 */

type Kind = 'SMS' | 'Voice' | 'SMS + Voice';
const MESSAGE_TYPES: Record<Kind, string> = { SMS: 'sms', Voice: 'voice', 'SMS + Voice': 'sms,voice' };
const DELIVERY_METHODS: Record<Kind, string> = { SMS: 'text', Voice: 'voice', 'SMS + Voice': 'text,voice' };
const UPDATE_PROVIDER = 'User must update tenant-level provider to allow for desired MFA phone factor';
const UPDATE_FACTORS = 'User must update MFA phone factors to be a subset of the delivery methods enabled for the tenant-level provider';

// Table 1: current MFA phone factors | desired MFA factors | tenant-level delivery method | user action.
const FACTOR_CHANGES: Array<[Kind, Kind, Kind, string]> = [
  ['SMS', 'Voice', 'SMS', UPDATE_PROVIDER],
  ['SMS', 'Voice', 'SMS + Voice', 'None'],
  ['SMS', 'SMS + Voice', 'SMS', UPDATE_PROVIDER],
  ['SMS', 'SMS + Voice', 'SMS + Voice', 'None'],
  // The seed says "User must update tenant-level provider" for this row, though SMS + Voice carries SMS
  // and the next row, with the same inputs, says "None": the rule (a subset) decides, as in the API.
  ['Voice', 'SMS', 'SMS + Voice', 'None'],
  ['Voice', 'SMS', 'SMS + Voice', 'None'],
  ['Voice', 'SMS + Voice', 'Voice', UPDATE_PROVIDER],
  ['Voice', 'SMS + Voice', 'SMS + Voice', 'None'],
  ['SMS + Voice', 'SMS', 'SMS + Voice', 'None'],
  ['SMS + Voice', 'Voice', 'SMS + Voice', 'None'],
];

// Table 2: MFA phone factors | current tenant-level delivery method | desired delivery method | user action.
const PROVIDER_CHANGES: Array<[Kind, Kind, Kind, string]> = [
  ['SMS', 'SMS', 'SMS + Voice', 'None'],
  ['SMS', 'SMS', 'Voice', UPDATE_FACTORS],
  ['SMS', 'SMS + Voice', 'Voice', UPDATE_FACTORS],
  ['SMS', 'SMS + Voice', 'SMS', 'None'],
  ['Voice', 'Voice', 'SMS', UPDATE_FACTORS],
  ['Voice', 'Voice', 'SMS + Voice', 'None'],
  ['Voice', 'SMS + Voice', 'SMS', UPDATE_FACTORS],
  ['Voice', 'SMS + Voice', 'Voice', 'None'],
  // "None": the MFA message types narrow to what the provider still carries.
  ['SMS + Voice', 'SMS + Voice', 'SMS', 'None'],
  ['SMS + Voice', 'SMS + Voice', 'Voice', 'None'],
];

describeEachDialect('migration plan checks: the seed tables of MFA factors and delivery methods', (env) => {
  let e: TestEnv;
  let token: string;
  const host = 'checks.mig.example';
  const call = async (method: 'GET' | 'PUT' | 'PATCH' | 'POST', url: string, body?: unknown) => {
    const res = await e.api(method, url, { token, host, ...(body !== undefined ? { body } : {}) });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
    return res.json();
  };
  let providerId: string;

  before(async () => {
    e = env();
    ({ token } = await e.createTenant(`checks-${e.dialect}`, host));
    await call('PATCH', '/api/v2/tenants/settings', { phone_consolidated_experience: false });
    await call('PUT', '/api/v2/guardian/factors/sms', { enabled: true });
    await call('PUT', '/api/v2/guardian/factors/phone/providers/twilio', { sid: `AC${'c'.repeat(32)}`, from: '+14155550123', auth_token: 'checks-token' });
    await call('PUT', '/api/v2/guardian/factors/phone/selected-provider', { provider: 'twilio' });
    // A tenant-level provider configured before the switch: table 2's "current tenant-level delivery method".
    const p = await call('POST', '/api/v2/branding/phone/providers', {
      name: 'twilio',
      disabled: true,
      configuration: { sid: `AC${'c'.repeat(32)}`, default_from: '+14155550123', delivery_methods: ['text', 'voice'] },
      credentials: { auth_token: 'checks-token' },
    });
    providerId = p.id;
  });

  const check = (plan: { checks: Array<{ rule: string; ok: boolean; user_action: string }> }) => plan.checks.find((c) => c.rule === 'message_types_within_delivery_methods')!;

  for (const [i, [current, desired, methods, action]] of FACTOR_CHANGES.entries()) {
    test(`table 1 row ${i + 1}: ${current} → ${desired} with ${methods}: ${action === 'None' ? 'None' : 'update the provider'}`, async () => {
      await call('PUT', '/api/v2/guardian/factors/phone/message-types', { message_types: MESSAGE_TYPES[current].split(',') });
      const plan = await call('GET', `/api/v2/phone-migration?message_types=${MESSAGE_TYPES[desired]}&delivery_methods=${DELIVERY_METHODS[methods]}`);
      assert.equal(check(plan).user_action, action);
      assert.equal(check(plan).ok, action === 'None');
      assert.equal(plan.blockers.some((b: { code: string }) => b.code === 'message_types_within_delivery_methods'), action !== 'None');
      if (action === 'None') assert.deepEqual(plan.message_types, MESSAGE_TYPES[desired].split(','));
    });
  }

  for (const [i, [factors, current, desired, action]] of PROVIDER_CHANGES.entries()) {
    test(`table 2 row ${i + 1}: MFA ${factors}, provider ${current} → ${desired}: ${action === 'None' ? 'None' : 'update the factors'}`, async () => {
      await call('PUT', '/api/v2/guardian/factors/phone/message-types', { message_types: MESSAGE_TYPES[factors].split(',') });
      await call('PATCH', `/api/v2/branding/phone/providers/${providerId}`, { configuration: { sid: `AC${'c'.repeat(32)}`, default_from: '+14155550123', delivery_methods: DELIVERY_METHODS[current].split(',') } });
      const plan = await call('GET', `/api/v2/phone-migration?delivery_methods=${DELIVERY_METHODS[desired]}`);
      assert.equal(check(plan).user_action, action);
      assert.equal(check(plan).ok, action === 'None');
      const carried = MESSAGE_TYPES[factors].split(',').filter((t) => DELIVERY_METHODS[desired].split(',').includes(t === 'sms' ? 'text' : 'voice'));
      if (action === 'None') assert.deepEqual(plan.message_types, carried, 'the message types narrow to what the provider carries');
      assert.equal(plan.warnings.some((w: { code: string }) => w.code === 'message_types_narrow'), action === 'None' && carried.length < MESSAGE_TYPES[factors].split(',').length);
    });
  }

  test('bad choices are a 400 with the Auth0 body; the scopes are checked', async () => {
    await call('PUT', '/api/v2/guardian/factors/phone/message-types', { message_types: ['sms'] });
    const bad = await e.api('GET', '/api/v2/phone-migration?delivery_methods=fax', { token, host });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(Object.keys(bad.json()).sort(), ['error', 'errorCode', 'message', 'statusCode']);
    const unknown = await e.api('GET', '/api/v2/phone-migration?dry_run=true', { token, host });
    assert.equal(unknown.statusCode, 400);
    const other = await e.token(['read:actions']);
    assert.equal((await e.api('GET', '/api/v2/phone-migration', { token: other })).statusCode, 403);
    assert.equal((await e.api('POST', '/api/v2/phone-migration', { token: await e.token(['read:phone_migration']), body: { plan_hash: 'x' } })).statusCode, 403);
  });
});
