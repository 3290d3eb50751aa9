import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDialect } from '../helpers/harness.js';

/** `POST /api/v2/phone-migration/translate` through the real app, on each storage dialect. */

const LEGACY = `// Our gateway.
exports.onExecuteSendPhoneMessage = async (event, api) => {
  const axios = require('axios');
  if (event.message_options.message_type === 'voice') return;
  await axios.post(event.secrets.ENDPOINT, { to: event.message_options.recipient, ids: event.user.identities });
};
`;

describeEachDialect('phone migration API', (env) => {
  let token: string;
  before(async () => {
    token = await env().token();
  });

  test('200: the translated code, its changes, warnings with lines, and the secret names', async () => {
    const res = await env().api('POST', '/api/v2/phone-migration/translate', { token, body: { code: LEGACY } });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { code: string; changes: Array<{ line: number; description: string }>; warnings: Array<{ line: number; code: string; message: string }>; secrets: string[] };
    assert.deepEqual(Object.keys(body).sort(), ['changes', 'code', 'secrets', 'warnings']);
    assert.match(body.code, /^\/\/ Our gateway\.\nexports\.onExecuteCustomPhoneProvider = async \(event, api\) => \{/);
    assert.match(body.code, /event\.notification\.delivery_method === 'voice'/);
    assert.deepEqual(body.secrets, ['ENDPOINT']);
    assert.deepEqual(body.warnings.map((w) => [w.line, w.code]), [[2, 'non_otp_notifications'], [3, 'module_unavailable'], [5, 'user_identities']]);
    assert.ok(body.changes.some((c) => c.line === 4));
  });

  test('400 with an Auth0-shaped body on code that does not parse or has no send-phone-message handler', async () => {
    const bad = await env().api('POST', '/api/v2/phone-migration/translate', { token, body: { code: 'exports.onExecuteSendPhoneMessage = (' } });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(Object.keys(bad.json()).sort(), ['error', 'errorCode', 'message', 'statusCode']);
    assert.equal(bad.json().errorCode, 'action_code_unparsable');
    assert.equal(bad.json().error, 'Bad Request');
    const none = await env().api('POST', '/api/v2/phone-migration/translate', { token, body: { code: 'exports.onExecutePostLogin = async () => {};' } });
    assert.equal(none.statusCode, 400);
    assert.equal(none.json().errorCode, 'send_phone_message_handler_not_found');
    const empty = await env().api('POST', '/api/v2/phone-migration/translate', { token, body: {} });
    assert.equal(empty.statusCode, 400);
  });

  test('403 without read:phone_migration', async () => {
    const other = await env().token(['read:actions']);
    const res = await env().api('POST', '/api/v2/phone-migration/translate', { token: other, body: { code: LEGACY } });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().errorCode, 'insufficient_scope');
  });
});
