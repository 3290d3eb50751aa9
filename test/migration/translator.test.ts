import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from '@babel/parser';
import { customPhoneProviderEvent, sendPhoneMessageEvent } from '../../src/domain/actions/phone-events.js';
import type { CacheRecord, HostCache, RunResult } from '../../src/domain/actions/runner.js';
import { AppError } from '../../src/domain/errors.js';
import { translateSendPhoneMessage } from '../../src/domain/migration/action-translator.js';
import { SANDBOX_MODULES } from '../../src/domain/migration/module-scan.js';
import type { OutgoingMessage } from '../../src/domain/notifications/sender.js';
import { message, recordingServer, type Received } from '../actions/fixtures.js';
import { testRunner } from '../actions/helpers.js';

/**
 * Proof by behaviour: every legacy Action of the corpus runs in the real sandbox under
 * send-phone-message, and its translation under custom-phone-provider, with the two events built
 * from the same message by the server's own builders; the requests they send must be identical.
 */

const CORPUS = path.join(import.meta.dirname, 'corpus');
const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.js')).sort();
const TENANT = { id: 'ten_translator', name: 'acme' };

/** `// expect-warnings: a, b` and `// expect-secrets: A, B` header lines of a corpus file. */
function header(code: string, key: string): string[] {
  const m = new RegExp(`^// ${key}: (.*)$`, 'm').exec(code);
  return m ? m[1]!.split(',').map((s) => s.trim()).filter(Boolean).sort() : [];
}

/** A fresh in-memory api.cache per run, so both runs start from the same state. */
function memoryCache(): HostCache {
  const items = new Map<string, CacheRecord>();
  return {
    get: async (k) => items.get(k),
    set: async (k, value) => {
      const record = { value, expires_at: Date.now() + 60_000 };
      items.set(k, record);
      return { type: 'success', record };
    },
    delete: async (k) => (items.delete(k) ? { type: 'success' } : { type: 'error', code: 'CacheKeyDoesNotExist' }),
  };
}

const VARIANTS: Array<Pick<OutgoingMessage, 'type' | 'deliveryMethod'>> = [
  { type: 'otp_verify', deliveryMethod: 'text' },
  { type: 'otp_enroll', deliveryMethod: 'text' },
  { type: 'otp_verify', deliveryMethod: 'voice' },
  { type: 'otp_enroll', deliveryMethod: 'voice' },
];

describe('send-phone-message translator: the corpus behaves the same after translation', () => {
  const { runner } = testRunner({ allowPrivateNetwork: true });
  let sink: Awaited<ReturnType<typeof recordingServer>>;
  let n = 0;
  before(async () => {
    sink = await recordingServer();
  });
  after(async () => {
    await sink.close();
    await runner.close();
  });

  const secrets = () => ({ ENDPOINT: sink.url, FALLBACK: `${sink.url}/fb`, API_KEY: 'key-123', CLIENT_ID: 'cid-1', CLIENT_SECRET: 'cs-1', ACCOUNT_SID: 'AC1', AUTH_TOKEN: 'tok', FROM: '+15550001', SIGNING_KEY: 'sig', USE_SDK: 'no' });

  /** Runs `code` and answers its result with the requests it sent (host and port are the sink's, the same for both). */
  async function run(code: string, handler: string, event: Record<string, unknown>, notification: boolean): Promise<{ result: RunResult; sent: Received[] }> {
    sink.received.length = 0;
    const result = await runner.run({ tenantId: TENANT.id, executionId: `x${++n}`, script: { id: `s${n}`, code }, handler, event, api: { notification, cache: memoryCache() } });
    return { result, sent: sink.received.splice(0) };
  }

  assert.ok(files.length >= 15, 'the corpus has at least 15 Actions');
  for (const file of files) {
    test(file, async () => {
      const original = fs.readFileSync(path.join(CORPUS, file), 'utf8');
      const t = translateSendPhoneMessage(original);
      assert.doesNotThrow(() => parse(t.code, { sourceType: 'script' }), 'the translation parses');
      assert.deepEqual([...new Set(t.warnings.map((w) => w.code))].filter((c) => c !== 'non_otp_notifications').sort(), header(original, 'expect-warnings'));
      for (const w of t.warnings) assert.ok(w.line > 0 && w.line <= original.split('\n').length, `warning ${w.code} has a line of the original`);
      assert.deepEqual(t.secrets, header(original, 'expect-secrets'));
      assert.ok(t.changes.some((c) => /onExecuteCustomPhoneProvider/.test(c.description)));

      for (const v of VARIANTS) {
        const m = message(TENANT, v);
        const legacy = sendPhoneMessageEvent(m, secrets());
        // The seed's migration table names the legacy field client.client_metadata; this server's legacy
        // builder follows the v2 type (client.metadata). Both are given to the legacy code.
        const client = legacy['client'] as Record<string, unknown>;
        legacy['client'] = { ...client, client_metadata: client['metadata'] };
        const before = await run(original, 'onExecuteSendPhoneMessage', legacy, false);
        const afterRun = await run(t.code, 'onExecuteCustomPhoneProvider', customPhoneProviderEvent(m, secrets()), true);
        const label = `${file} ${v.type}/${v.deliveryMethod}`;
        assert.ok(before.result.ok, `${label}: the original runs (${JSON.stringify(before.result)})`);
        assert.ok(afterRun.result.ok, `${label}: the translation runs (${JSON.stringify(afterRun.result)})\n${t.code}`);
        assert.ok(before.sent.length > 0 || /test number/.test(before.result.logs), `${label}: the original sent something`);
        const shape = (r: Received) => ({ method: r.method, url: r.url, headers: r.headers, body: r.body });
        assert.deepEqual(afterRun.sent.map(shape), before.sent.map(shape), `${label}: the same requests`);
        assert.equal(afterRun.result.logs, before.result.logs, `${label}: the same logs`);
        assert.equal(afterRun.result.value.notification, undefined, `${label}: no drop or retry on an OTP`);
      }
    });
  }

  test('non-OTP notifications are dropped by the generated guard, without a request', async () => {
    const t = translateSendPhoneMessage(fs.readFileSync(path.join(CORPUS, '01-fetch-json.js'), 'utf8'));
    for (const type of ['change_password', 'blocked_account', 'password_breach'] as const) {
      const m = message(TENANT, { type, code: undefined });
      const r = await run(t.code, 'onExecuteCustomPhoneProvider', customPhoneProviderEvent(m, secrets()), true);
      assert.ok(r.result.ok);
      assert.equal(r.result.value.notification?.action, 'drop');
      assert.match(r.result.value.notification!.reason, new RegExp(type));
      assert.equal(r.sent.length, 0);
    }
  });

  test('the sandbox loads exactly the modules the translator accepts', async () => {
    for (const name of [...SANDBOX_MODULES, 'axios']) {
      const code = `exports.onExecuteSendPhoneMessage = async () => { require(${JSON.stringify(name)}); };`;
      const r = await run(code, 'onExecuteSendPhoneMessage', {}, false);
      assert.equal(r.result.ok, SANDBOX_MODULES.includes(name), name);
      assert.equal(translateSendPhoneMessage(code).warnings.some((w) => w.code === 'module_unavailable'), !SANDBOX_MODULES.includes(name));
    }
  });
});

describe('send-phone-message translator: the rewrites', () => {
  test('direct reads of message_options become reads of event.notification, comments kept', () => {
    const t = translateSendPhoneMessage(
      "// keep me\nexports.onExecuteSendPhoneMessage = async (event, api) => {\n  /* and me */\n  if (event.message_options.message_type === 'sms') return event.message_options.recipient;\n  switch (event.message_options.action) { case 'enrollment': return 1; }\n};\n",
    );
    assert.match(t.code, /^\/\/ keep me\n/);
    assert.match(t.code, /\/\* and me \*\//);
    assert.match(t.code, /event\.notification\.delivery_method === 'text'/);
    assert.match(t.code, /return event\.notification\.recipient;/);
    assert.match(t.code, /switch \(event\.notification\.message_type\) \{ case 'otp_enroll'/);
    assert.doesNotMatch(t.code, /message_options/);
    assert.deepEqual(t.changes.filter((c) => c.line === 4).length, 2);
  });

  test('a literal outside the legacy values keeps its meaning (never equal)', () => {
    const t = translateSendPhoneMessage("exports.onExecuteSendPhoneMessage = async (event) => event.message_options.message_type === 'text';");
    assert.match(t.code, /\(event\.notification\.delivery_method === 'voice' \? 'voice' : 'sms'\) === 'text'/);
  });

  test('the event handed on in a shorthand property keeps its key', () => {
    const t = translateSendPhoneMessage('exports.onExecuteSendPhoneMessage = async (event, api) => helper({ event, api });');
    assert.match(t.code, /helper\(\{ event: legacyEvent, api \}\)/);
  });

  test('a block-scoped binding of the same name shadows the handler parameter; the parameter outside it is rewritten', () => {
    const t = translateSendPhoneMessage(
      [
        'exports.onExecuteSendPhoneMessage = async (event) => {',
        '  const to = event.message_options.recipient;',
        '  {',
        '    const event = { message_options: { recipient: to } };',
        '    log(event.message_options.recipient);',
        '  }',
        '  for (const event of queue) log(event.message_options);',
        '  switch (to) { case 1: { let event = 2; log(event); } }',
        '};',
      ].join('\n'),
    );
    assert.match(t.code, /const to = event\.notification\.recipient;/);
    assert.match(t.code, /const event = \{ message_options: \{ recipient: to \} \};\n\s*log\(event\.message_options\.recipient\);/, 'the block\'s own event is left alone');
    assert.match(t.code, /for \(const event of queue\) log\(event\.message_options\);/);
    assert.match(t.code, /let event = 2; log\(event\);/);
    assert.deepEqual(t.changes.filter((c) => c.line > 1).map((c) => c.line), [2], 'nothing inside the shadowing blocks is rewritten');
  });

  test('message_options.language is the notification locale (the seed table)', () => {
    const t = translateSendPhoneMessage('exports.onExecuteSendPhoneMessage = async (event) => event.message_options.language;');
    assert.match(t.code, /event\.notification\.locale/);
  });

  test('code that does not parse, or exports no send-phone-message handler, is refused with a catalogue error', () => {
    assert.throws(() => translateSendPhoneMessage('exports.onExecuteSendPhoneMessage = async (event => {'), (e: unknown) => e instanceof AppError && e.code === 'action_code_unparsable' && /line 1/.test(e.message));
    assert.throws(() => translateSendPhoneMessage('exports.onExecutePostLogin = async () => {};'), (e: unknown) => e instanceof AppError && e.code === 'send_phone_message_handler_not_found');
  });

  test('secret values are never part of the answer: only the names the code reads', () => {
    const t = translateSendPhoneMessage('exports.onExecuteSendPhoneMessage = async (event) => { const s = event.secrets; return s.A + event.secrets[name]; };');
    assert.deepEqual(t.secrets, ['A']);
    assert.ok(t.warnings.some((w) => w.code === 'dynamic_secret'));
  });
});
